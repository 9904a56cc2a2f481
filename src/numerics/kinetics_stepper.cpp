// The adaptive loop over one interval; the Rosenbrock step itself is Boost.Odeint's
// (detail/odeint_rosenbrock.cpp).
#include "citsim/numerics/kinetics_stepper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "citsim/errors.hpp"
#include "detail/odeint_rosenbrock.hpp"

namespace citsim {
namespace {

/// Smallest step before we call the integration failed [day].
constexpr double kMinStep = 1e-12;
constexpr int kMaxTrials = 100000;

struct Context {
  const SiteRates* site;
  const Parameters* p;
};

void rhs(const void* ctx, const double* x, double* dxdt) {
  const auto* c = static_cast<const Context*>(ctx);
  const SpeciesVector u = Eigen::Map<const SpeciesVector>(x);
  Eigen::Map<SpeciesVector> out(dxdt);
  out = kinetics_rhs(u, *c->site, *c->p);
}

void jacobian(const void* ctx, const double* x, double* jac) {
  const auto* c = static_cast<const Context*>(ctx);
  const SpeciesVector u = Eigen::Map<const SpeciesVector>(x);
  SpeciesVector f;
  SpeciesMatrix J;
  kinetics_rhs_jacobian(u, *c->site, *c->p, f, J);
  Eigen::Map<Eigen::Matrix<double, kSpeciesCount, kSpeciesCount, Eigen::RowMajor>> out(jac);
  out = J;
}

}  // namespace

struct KineticsStepper::Impl {
  explicit Impl(KineticsTolerance tol) : rosenbrock(kSpeciesCount, tol.atol, tol.rtol) {}
  detail::OdeintRosenbrock rosenbrock;
};

KineticsStepper::KineticsStepper(KineticsTolerance tol) : impl_(std::make_unique<Impl>(tol)) {}
KineticsStepper::~KineticsStepper() = default;
KineticsStepper::KineticsStepper(KineticsStepper&&) noexcept = default;
KineticsStepper& KineticsStepper::operator=(KineticsStepper&&) noexcept = default;

int KineticsStepper::advance(SpeciesVector& u, const SiteRates& site, const Parameters& p,
                             double t0, double t1, double& dt) {
  const Context ctx{&site, &p};
  const detail::RawSystem system{&ctx, &rhs, &jacobian};
  impl_->rosenbrock.start(u.data());
  double t = t0;
  int accepted = 0;
  for (int trial = 0; t < t1; ++trial) {
    if (trial > kMaxTrials || !(dt >= kMinStep))
      throw NumericalError(
          fmt::format("kinetics step size collapsed to {:.3g} day at t = {:.6g} day", dt, t));
    const bool last = t + dt >= t1;
    double step = last ? t1 - t : dt;
    if (impl_->rosenbrock.try_step(system, t, step)) {
      ++accepted;
      // A final step shortened to hit t1 must not shrink the proposal for the next interval.
      dt = last ? std::max(dt, step) : step;
      if (last) t = t1;  // exactly, not t0 plus a sum of steps
    } else {
      dt = step;
    }
  }
  impl_->rosenbrock.get_state(u.data());
  return accepted;
}

}  // namespace citsim
