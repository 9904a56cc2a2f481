// The adaptive loop over one interval, on the Rosenbrock steps of rodas4.hpp and rosenbrock.hpp
// and their controllers.
#include "citsim/numerics/kinetics_stepper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/numerics/block_triangular_lu.hpp"
#include "citsim/numerics/rodas4.hpp"
#include "citsim/numerics/rosenbrock.hpp"

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

/// A stepper's scratch: the linearisation, the factorisation of W and the last trial.
struct Scratch {
  explicit Scratch(KineticsTolerance t) : tol(t) {}
  KineticsTolerance tol;
  RosenbrockLinearisation<kSpeciesCount> lin;
  // W = I/(γh) − ∂R/∂u is block lower triangular in the kinetics' coupling order: the
  // inflammatory species, then TGF-β and the fibroblasts, MMP, the collagens, elastin.
  BlockTriangularLU<kSpeciesCount, kKineticsCoupling> lu;
  SpeciesVector x_new, x_err;
};

/// Integrate from t0 to t1 with `step(rhs, t, u, h, lin, lu, x_new, x_err)` and `controller`.
template <class Controller, class Step>
KineticsWork integrate(Scratch& s, Controller& controller, Step step, SpeciesVector& u,
                       const SiteRates& site, const Parameters& p, double t0, double t1,
                       KineticsStepHistory& history, const SpeciesVector* forcing) {
  double dt = history.first > 0.0 ? std::min(history.next, history.first) : history.next;
  // The kinetics are autonomous within an interval (the rates are frozen): ∂f/∂t = 0.
  // A forcing's sink fades out near zero, as c·x/(x + ε): a constant sink would take a species
  // that its own kinetics also empty below zero. ε is a thousandth of what the sink removes over
  // the interval (at least atol), so that the sink is the constant to 0.1 % wherever it can act
  // for the whole interval, and the fading is no stiffer than 1000 over the interval.
  SpeciesVector eps = SpeciesVector::Constant(s.tol.atol);
  if (forcing)
    for (int q = 0; q < kSpeciesCount; ++q) eps[q] = std::max(s.tol.atol, 1e-3 * std::abs((*forcing)[q]) * (t1 - t0));
  const auto add_forcing = [&](const SpeciesVector& x, SpeciesVector& f, Eigen::Matrix<double, kSpeciesCount, kSpeciesCount>* jac) {
    for (int q = 0; q < kSpeciesCount; ++q) {
      const double c = (*forcing)[q];
      if (c >= 0.0) {
        f[q] += c;
        continue;
      }
      const double y = std::max(x[q], 0.0);
      f[q] += c * y / (y + eps[q]);
      if (jac && x[q] > 0.0) (*jac)(q, q) += c * eps[q] / ((y + eps[q]) * (y + eps[q]));
    }
  };
  const auto rhs = [&](double, const SpeciesVector& x, SpeciesVector& f) {
    f = kinetics_rhs(x, site, p);
    if (forcing) add_forcing(x, f, nullptr);
  };
  controller.reset();
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
      if (forcing) add_forcing(u, s.lin.f, &s.lin.jac);
      linearised = true;
    }
    const bool last = t + dt >= t1;
    const double h = last ? t1 - t : dt;
    step(rhs, t, u, h, s.lin, s.lu, s.x_new, s.x_err);
    double next = 0.0;
    if (controller.judge(controller.error(u, s.x_new, s.x_err), h, next)) {
      ++work.accepted;
      u = s.x_new;
      linearised = false;
      // A final step shortened to hit t1 must not shrink the proposal for the next interval.
      dt = last ? std::max(dt, next) : next;
      if (work.accepted == 1) history.first = dt;
      t = last ? t1 : t + h;  // exactly t1, not t0 plus a sum of steps
    } else {
      ++work.rejected;
      dt = next;
    }
  }
  history.next = dt;
  return work;
}

/// The step of a method of rosenbrock.hpp.
template <const auto& R>
struct TableauStep {
  template <class Rhs, class LU>
  void operator()(const Rhs& rhs, double t, const SpeciesVector& x, double h,
                  const RosenbrockLinearisation<kSpeciesCount>& lin, LU& lu, SpeciesVector& x_new,
                  SpeciesVector& x_err) const {
    rosenbrock_step<R>(rhs, t, x, h, lin, lu, x_new, x_err);
  }
};

struct Rodas4Step {
  template <class Rhs, class LU>
  void operator()(const Rhs& rhs, double t, const SpeciesVector& x, double h,
                  const RosenbrockLinearisation<kSpeciesCount>& lin, LU& lu, SpeciesVector& x_new,
                  SpeciesVector& x_err) const {
    rodas4_step<kSpeciesCount>(rhs, t, x, h, lin, lu, x_new, x_err);
  }
};

}  // namespace

struct KineticsStepper::Impl : Scratch {
  Impl(KineticsTolerance t, KineticsMethod m)
      : Scratch(t), method(m), rodas4(t.rtol, t.atol), order3(t.rtol, t.atol) {}
  KineticsMethod method;
  Rodas4Controller rodas4;         // err^(1/4): RODAS4's estimate is of order 3
  RosenbrockController<3> order3;  // err^(1/3): the other methods' estimates are of order 2
};

KineticsStepper::KineticsStepper(KineticsTolerance tol, KineticsMethod method)
    : impl_(std::make_unique<Impl>(tol, method)) {}
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
                                      KineticsStepHistory& history, const SpeciesVector* forcing) {
  Impl& s = *impl_;
  switch (s.method) {
    case KineticsMethod::Ros3:
      return integrate(s, s.order3, TableauStep<kRos3>{}, u, site, p, t0, t1, history, forcing);
    case KineticsMethod::Rodas3:
      return integrate(s, s.order3, TableauStep<kRodas3>{}, u, site, p, t0, t1, history, forcing);
    case KineticsMethod::Ros34pw2:
      return integrate(s, s.order3, TableauStep<kRos34pw2>{}, u, site, p, t0, t1, history, forcing);
    case KineticsMethod::Rodas4:
      break;
  }
  return integrate(s, s.rodas4, Rodas4Step{}, u, site, p, t0, t1, history, forcing);
}

}  // namespace citsim
