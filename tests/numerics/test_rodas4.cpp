// The RODAS4 step and its controller: 4th order on an explicitly time-dependent problem (which
// fails with Boost 1.74's sign of d4), L-stability, and the controller's accept/reject rules.
#include <catch2/catch.hpp>

#include <cmath>

#include "citsim/numerics/rodas4.hpp"

using namespace citsim;

namespace {

using Vector2 = Eigen::Matrix<double, 2, 1>;

/// x' = −x + t with x(0) = 1: x(t) = t − 1 + 2·e^(−t). Explicitly time dependent, so the d_i
/// coefficients (the ∂f/∂t terms) take part.
struct Forced {
  void operator()(double t, const Vector2& x, Vector2& f) const {
    f[0] = -x[0] + t;
    f[1] = -2.0 * x[1] + std::sin(t);
  }
  Rodas4Linearisation<2> linearise(double t, const Vector2& x) const {
    Rodas4Linearisation<2> lin;
    (*this)(t, x, lin.f);
    lin.jac << -1.0, 0.0, 0.0, -2.0;
    lin.dfdt << 1.0, std::cos(t);
    return lin;
  }
  static Vector2 exact(double t) {
    // x2' = −2·x2 + sin t, x2(0) = 1: x2 = (2 sin t − cos t)/5 + (6/5)·e^(−2t)
    return {t - 1.0 + 2.0 * std::exp(-t),
            (2.0 * std::sin(t) - std::cos(t)) / 5.0 + 1.2 * std::exp(-2.0 * t)};
  }
};

/// Error at t = 1 after n fixed steps, and the largest error estimate of a step.
std::pair<double, double> fixed_step_error(int n) {
  const Forced sys;
  const double h = 1.0 / n;
  Vector2 x{1.0, 1.0}, x_new, x_err;
  DenseLU<2> lu;
  double estimate = 0.0;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    rodas4_step(sys, t, x, h, sys.linearise(t, x), lu, x_new, x_err);
    estimate = std::max(estimate, x_err.cwiseAbs().maxCoeff());
    x = x_new;
  }
  return {(x - Forced::exact(1.0)).cwiseAbs().maxCoeff(), estimate};
}

}  // namespace

TEST_CASE("RODAS4: global error falls as h^4 on an explicitly time-dependent problem") {
  // With Boost 1.74's d4 = +0.0362 this converges at first order only (errors ~1e-3 at n = 10).
  double previous = fixed_step_error(10).first;
  for (int n : {20, 40, 80}) {
    const double error = fixed_step_error(n).first;
    const double order = std::log2(previous / error);
    INFO("n = " << n << ": error " << error << ", observed order " << order);
    CHECK(order > 3.7);
    CHECK(order < 4.5);
    previous = error;
  }
  CHECK(fixed_step_error(10).first < 1e-6);
}

TEST_CASE("RODAS4: the embedded error estimate is a local error of order 3 (falls as h^4)") {
  double previous = fixed_step_error(10).second;
  for (int n : {20, 40}) {
    const double estimate = fixed_step_error(n).second;
    INFO("n = " << n << ": largest estimate " << estimate);
    CHECK(std::log2(previous / estimate) > 3.5);
    previous = estimate;
  }
}

TEST_CASE("RODAS4: L-stable: a huge step onto a stiff equilibrium lands on it") {
  // x' = −1e8·(x − 3) from x = 10: the stability function R(z) → 0 as z = hλ → −∞, so the
  // distance to 3 falls like 1/|hλ| instead of persisting or oscillating (A-stable only).
  using Vector1 = Eigen::Matrix<double, 1, 1>;
  const auto rhs = [](double, const Vector1& x, Vector1& f) { f[0] = -1e8 * (x[0] - 3.0); };
  Rodas4Linearisation<1> lin;
  const Vector1 x0{10.0};
  rhs(0.0, x0, lin.f);
  lin.jac(0, 0) = -1e8;
  lin.dfdt.setZero();
  DenseLU<1> lu;
  Vector1 x_new, x_err;
  double previous = 7.0;
  for (double h : {1e-2, 1.0, 100.0}) {
    rodas4_step(rhs, 0.0, x0, h, lin, lu, x_new, x_err);
    const double distance = std::abs(x_new[0] - 3.0);
    INFO("h = " << h << ": |x - 3| = " << distance << ", error estimate " << x_err[0]);
    CHECK(distance < 1e-4);
    CHECK(distance < previous / 50.0);
    CHECK(std::abs(x_err[0]) < 1e-4);
    previous = distance;
  }
}

TEST_CASE("RODAS4 controller: error norm, rejection, growth limits") {
  Rodas4Controller c(1e-3, 1e-6);
  const Vector2 x_old{1.0, 0.0}, x_new{2.0, 0.0}, x_err{2e-3, 1e-6};
  // sk = (1e-6 + 1e-3·2, 1e-6): ratios ≈ 0.9995 and 1, RMS ≈ 0.99975
  CHECK(c.error(x_old, x_new, x_err) == Approx(std::sqrt((std::pow(2e-3 / 2.001e-3, 2) + 1.0) / 2.0)));

  double h_next = 0.0;
  CHECK_FALSE(c.judge(16.0, 1.0, h_next));  // rejected: shrink by 16^¼/0.9
  CHECK(h_next == Approx(0.9 / 2.0));
  CHECK_FALSE(c.judge(1e6, 1.0, h_next));  // never below a fifth of the step
  CHECK(h_next == Approx(1.0 / 5.0));
  CHECK(c.judge(1e-12, 0.1, h_next));  // accepted right after a rejection: no growth
  CHECK(h_next == Approx(0.1));
  CHECK(c.judge(1e-12, 0.1, h_next));  // then at most six-fold
  CHECK(h_next == Approx(0.6));
  CHECK_FALSE(c.judge(std::nan(""), 0.5, h_next));  // NaN is a rejection, not a success
  CHECK(h_next == Approx(0.1));
  c.reset();
  CHECK(c.judge(0.0, 1.0, h_next));
  CHECK(h_next == Approx(6.0));
}
