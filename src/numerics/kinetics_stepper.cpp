// The adaptive loop over one interval, on the RODAS4 step and controller of rodas4.hpp.
#include "citsim/numerics/kinetics_stepper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "citsim/errors.hpp"
#include "citsim/numerics/rodas4.hpp"

namespace citsim {
namespace {

/// Smallest step before we call the integration failed [day].
constexpr double kMinStep = 1e-12;
constexpr int kMaxTrials = 100000;

}  // namespace

struct KineticsStepper::Impl {
  explicit Impl(KineticsTolerance tol) : controller(tol.rtol, tol.atol) {}
  Rodas4Controller controller;
  Rodas4Linearisation<kSpeciesCount> lin;
  DenseLU<kSpeciesCount> lu;
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

KineticsWork KineticsStepper::advance(SpeciesVector& u, const SiteRates& site, const Parameters& p,
                             double t0, double t1, KineticsStepHistory& history) {
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
    if (trial > kMaxTrials || !(dt >= kMinStep))
      throw NumericalError(
          fmt::format("kinetics step size collapsed to {:.3g} day at t = {:.6g} day", dt, t));
    if (!linearised) {
      kinetics_rhs_jacobian(u, site, p, s.lin.f, s.lin.jac);
      linearised = true;
    }
    const bool last = t + dt >= t1;
    const double step = last ? t1 - t : dt;
    rodas4_step(rhs, t, u, step, s.lin, s.lu, s.x_new, s.x_err);
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
