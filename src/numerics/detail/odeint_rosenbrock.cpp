// Compiled as C++17 (see odeint_rosenbrock.hpp).
#include "odeint_rosenbrock.hpp"

#include <boost/numeric/odeint/stepper/rosenbrock4.hpp>
#include <boost/numeric/odeint/stepper/rosenbrock4_controller.hpp>
#include <optional>
#include <utility>
#include <vector>

namespace citsim::detail {
namespace {

namespace odeint = boost::numeric::odeint;
using UVector = boost::numeric::ublas::vector<double>;
using UMatrix = boost::numeric::ublas::matrix<double>;

/// RODAS4 coefficients as Boost 1.74 ships them, but with d4 = −0.0362 (Hairer & Wanner's
/// tableau; Boost has +0.0362). d4 enters only through dfdt, i.e. for explicitly time-dependent
/// systems: ours are autonomous over a step, but the stepper must not be wrong if they are not.
struct Rodas4Coefficients : odeint::default_rosenbrock_coefficients<double> {
  using Base = odeint::default_rosenbrock_coefficients<double>;
  Rodas4Coefficients() : Base(), d4(-Base::d4) {}
  const double d4;
};

using Stepper = odeint::rosenbrock4<double, Rodas4Coefficients>;
using Controller = odeint::rosenbrock4_controller<Stepper>;

struct Rhs {
  const RawSystem* sys;
  void operator()(const UVector& x, UVector& dxdt, double /*t*/) const {
    sys->rhs(sys->context, &x[0], &dxdt[0]);
  }
};

struct Jac {
  const RawSystem* sys;
  double* scratch;
  void operator()(const UVector& x, UMatrix& J, double /*t*/, UVector& dfdt) const {
    const std::size_t n = x.size();
    sys->jacobian(sys->context, &x[0], scratch);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) J(i, j) = scratch[i * n + j];
      dfdt[i] = 0.0;  // autonomous
    }
  }
};

}  // namespace

struct OdeintRosenbrock::Impl {
  Impl(int n, double atol_, double rtol_)
      : atol(atol_), rtol(rtol_), x(static_cast<std::size_t>(n)),
        scratch(static_cast<std::size_t>(n * n)) {}
  double atol, rtol;
  std::optional<Controller> controller;  // re-created by start(): odeint offers no reset
  UVector x;
  std::vector<double> scratch;
};

OdeintRosenbrock::OdeintRosenbrock(int n, double atol, double rtol)
    : impl_(std::make_unique<Impl>(n, atol, rtol)) {}
OdeintRosenbrock::~OdeintRosenbrock() = default;
OdeintRosenbrock::OdeintRosenbrock(OdeintRosenbrock&&) noexcept = default;
OdeintRosenbrock& OdeintRosenbrock::operator=(OdeintRosenbrock&&) noexcept = default;

void OdeintRosenbrock::start(const double* u) {
  impl_->controller.emplace(impl_->atol, impl_->rtol);
  for (std::size_t i = 0; i < impl_->x.size(); ++i) impl_->x[i] = u[i];
}

void OdeintRosenbrock::get_state(double* u) const {
  for (std::size_t i = 0; i < impl_->x.size(); ++i) u[i] = impl_->x[i];
}

bool OdeintRosenbrock::try_step(const RawSystem& system, double& t, double& dt) {
  auto sys = std::make_pair(Rhs{&system}, Jac{&system, impl_->scratch.data()});
  return impl_->controller->try_step(sys, impl_->x, t, dt) == odeint::success;
}

}  // namespace citsim::detail
