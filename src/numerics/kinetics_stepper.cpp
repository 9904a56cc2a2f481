// The adaptive loop over one interval, on the RODAS4 step and controller of rodas4.hpp.
#include "citsim/numerics/kinetics_stepper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/numerics/block_triangular_lu.hpp"
#include "citsim/numerics/rodas4.hpp"

namespace citsim {
namespace {

constexpr int kMaxTrials = 100000;

/// Why the step collapsed: the species with the largest weighted error of the last trial, with
/// its value before and after that trial. A species already non-finite before the trial comes
/// first (it poisons the others through the Jacobian), then one the trial made non-finite.
std::string worst_species(const SpeciesVector& x, const SpeciesVector& x_new, const SpeciesVector& x_err,
                          KineticsTolerance tol) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  int worst = 0, worst_rank = -1;
  double worst_e = -1.0;
  for (int i = 0; i < kSpeciesCount; ++i) {
    const double sk = tol.atol + tol.rtol * std::max(std::abs(x[i]), std::abs(x_new[i]));
    const int rank = !std::isfinite(x[i]) ? 2 : !(std::isfinite(x_new[i]) && std::isfinite(x_err[i])) ? 1 : 0;
    const double e = rank > 0 ? inf : std::abs(x_err[i]) / sk;
    if (rank > worst_rank || (rank == worst_rank && e > worst_e)) {
      worst = i;
      worst_rank = rank;
      worst_e = e;
    }
  }
  return fmt::format("species {} (largest error {:.3g} of tolerance: {:.6g} -> {:.6g})",
                     kSpeciesInfo[static_cast<std::size_t>(worst)].name, worst_e, x[worst], x_new[worst]);
}

}  // namespace

struct KineticsStepper::Impl {
  explicit Impl(KineticsTolerance t) : tol(t), controller(t.rtol, t.atol) {}
  KineticsTolerance tol;
  Rodas4Controller controller;
  Rodas4Linearisation<kSpeciesCount> lin;
  // W = I/(γh) − ∂R/∂u is block lower triangular in the kinetics' coupling order: the
  // inflammatory species, then TGF-β and the fibroblasts, MMP, the collagens, elastin.
  BlockTriangularLU<kSpeciesCount, kKineticsCoupling> lu;
  SpeciesVector x_new, x_err;
};

KineticsStepper::KineticsStepper(KineticsTolerance tol) : impl_(std::make_unique<Impl>(tol)) {}
KineticsStepper::~KineticsStepper() = default;
KineticsStepper::KineticsStepper(KineticsStepper&&) noexcept = default;
KineticsStepper& KineticsStepper::operator=(KineticsStepper&&) noexcept = default;

int KineticsStepper::advance(SpeciesVector& u, const SiteRates& site, const Parameters& p,
                             double t0, double t1, double& dt) {
  KineticsStepHistory h{dt, 0.0};
  const KineticsWork work = advance(u, site, p, t0, t1, h);
  dt = h.next;
  return work.accepted;
}

KineticsWork KineticsStepper::advance(SpeciesVector& u, const SiteRates& site,
                                      const Parameters& p, double t0, double t1,
                                      KineticsStepHistory& history) {
  Impl& s = *impl_;
  double dt = history.first > 0.0 ? std::min(history.next, history.first) : history.next;
  // The kinetics are autonomous within an interval (the rates are frozen): ∂f/∂t = 0.
  const auto rhs = [&](double, const SpeciesVector& x, SpeciesVector& f) {
    f = kinetics_rhs(x, site, p);
  };
  s.controller.reset();
  s.lin.dfdt.setZero();
  bool linearised = false;  // lin holds f and J at (t, u); a rejected step retries from there
  double t = t0;
  KineticsWork work;
  for (int trial = 0; t < t1; ++trial) {
    if (trial > kMaxTrials || !(dt >= kMinKineticsStep))
      throw NumericalError(fmt::format("kinetics step size collapsed to {:.3g} day at t = {:.6g} day{}", dt, t,
                                       trial > 0 ? ", " + worst_species(u, s.x_new, s.x_err, s.tol) : ""));
    if (!linearised) {
      kinetics_rhs_jacobian(u, site, p, s.lin.f, s.lin.jac);
      linearised = true;
    }
    const bool last = t + dt >= t1;
    const double step = last ? t1 - t : dt;
    rodas4_step<kSpeciesCount>(rhs, t, u, step, s.lin, s.lu, s.x_new, s.x_err);
    double next = 0.0;
    if (s.controller.judge(s.controller.error(u, s.x_new, s.x_err), step, next)) {
      ++work.accepted;
      u = s.x_new;
      linearised = false;
      // A final step shortened to hit t1 must not shrink the proposal for the next interval.
      dt = last ? std::max(dt, next) : next;
      if (work.accepted == 1) history.first = dt;
      t = last ? t1 : t + step;  // exactly t1, not t0 plus a sum of steps
    } else {
      ++work.rejected;
      dt = next;
    }
  }
  history.next = dt;
  return work;
}

}  // namespace citsim
