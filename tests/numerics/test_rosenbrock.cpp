// The Rosenbrock methods of rosenbrock.hpp: the generic step reproduces rodas4_step on RODAS4's
// coefficients; ROS3, RODAS3 and ROS34PW2 converge at order 3 on a stiff linear problem, an
// explicitly time-dependent one and a nonlinear one, their error estimates are of order 2, they
// are A-stable and L-stable; the controller's err^(1/3) rule.
#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <string>

#include "citsim/numerics/dense_lu.hpp"
#include "citsim/numerics/rodas4.hpp"
#include "citsim/numerics/rosenbrock.hpp"

using namespace citsim;

namespace {

using Vector2 = Eigen::Matrix<double, 2, 1>;
using Vector3 = Eigen::Matrix<double, 3, 1>;

/// RODAS4 (rodas4.hpp) in the generic form: x_new = X_6 + g_6 with X_6 = X_5 + g_5.
constexpr RosenbrockTableau<6> kRodas4Generic = [] {
  using R = Rodas4Tableau;
  RosenbrockTableau<6> r;
  r.order = 4;
  r.estimate_order = 3;
  r.gamma = R::gamma;
  r.a[1] = {R::a21};
  r.a[2] = {R::a31, R::a32};
  r.a[3] = {R::a41, R::a42, R::a43};
  r.a[4] = {R::a51, R::a52, R::a53, R::a54};
  r.a[5] = {R::a51, R::a52, R::a53, R::a54, 1.0};
  r.c[1] = {R::c21};
  r.c[2] = {R::c31, R::c32};
  r.c[3] = {R::c41, R::c42, R::c43};
  r.c[4] = {R::c51, R::c52, R::c53, R::c54};
  r.c[5] = {R::c61, R::c62, R::c63, R::c64, R::c65};
  r.alpha = {0.0, R::c2, R::c3, R::c4, 1.0, 1.0};
  r.gamma_sum = {R::d1, R::d2, R::d3, R::d4, 0.0, 0.0};
  r.m = {R::a51, R::a52, R::a53, R::a54, 1.0, 1.0};
  r.e = {0.0, 0.0, 0.0, 0.0, 0.0, 1.0};
  return r;
}();

/// A linear system x' = A·x + q(t) with its constant Jacobian.
template <int N>
struct Linear {
  Eigen::Matrix<double, N, N> A;
  Eigen::Matrix<double, N, 1> (*q)(double) = nullptr;
  Eigen::Matrix<double, N, 1> (*dq)(double) = nullptr;
  void operator()(double t, const Eigen::Matrix<double, N, 1>& x, Eigen::Matrix<double, N, 1>& f) const {
    f = A * x;
    if (q) f += q(t);
  }
  RosenbrockLinearisation<N> linearise(double t, const Eigen::Matrix<double, N, 1>& x) const {
    RosenbrockLinearisation<N> lin;
    (*this)(t, x, lin.f);
    lin.jac = A;
    if (dq)
      lin.dfdt = dq(t);
    else
      lin.dfdt.setZero();
    return lin;
  }
};

/// Stiff, non-normal and autonomous: eigenvalues −1, −10 and −1000.
Linear<3> stiff_linear() {
  Linear<3> s;
  s.A << -1.0, 0.0, 0.0,  //
      5.0, -10.0, 0.0,    //
      1.0, 300.0, -1000.0;
  return s;
}

/// x1' = −x1 + t, x2' = −2·x2 + sin t: explicitly time dependent, so the γ_i (∂f/∂t) terms
/// take part.
Linear<2> forced() {
  Linear<2> s;
  s.A << -1.0, 0.0, 0.0, -2.0;
  s.q = [](double t) { return Vector2{t, std::sin(t)}; };
  s.dq = [](double t) { return Vector2{1.0, std::cos(t)}; };
  return s;
}

/// A nonlinear reaction: x1' = −x1 + 2·x2², x2' = x1 − 2·x2² − 10·x2·(1 + x1).
struct Reaction {
  void operator()(double, const Vector2& x, Vector2& f) const {
    f[0] = -x[0] + 2.0 * x[1] * x[1];
    f[1] = x[0] - 2.0 * x[1] * x[1] - 10.0 * x[1] * (1.0 + x[0]);
  }
  RosenbrockLinearisation<2> linearise(double t, const Vector2& x) const {
    RosenbrockLinearisation<2> lin;
    (*this)(t, x, lin.f);
    lin.jac << -1.0, 4.0 * x[1], 1.0 - 10.0 * x[1], -4.0 * x[1] - 10.0 * (1.0 + x[0]);
    lin.dfdt.setZero();
    return lin;
  }
};

/// x at t = 1 after n fixed steps of the method R, and the largest error estimate of a step.
template <const auto& R, int N, class Sys>
std::pair<Eigen::Matrix<double, N, 1>, double> integrate(const Sys& sys, Eigen::Matrix<double, N, 1> x,
                                                         int n) {
  const double h = 1.0 / n;
  Eigen::Matrix<double, N, 1> x_new, x_err;
  DenseLU<N> lu;
  double estimate = 0.0;
  for (int k = 0; k < n; ++k) {
    const double t = k * h;
    rosenbrock_step<R>(sys, t, x, h, sys.linearise(t, x), lu, x_new, x_err);
    estimate = std::max(estimate, x_err.cwiseAbs().maxCoeff());
    x = x_new;
  }
  return {x, estimate};
}

/// Observed orders of the global error at t = 1 over n0, 2·n0, 4·n0, 8·n0 steps against `exact`.
template <const auto& R, int N, class Sys>
void check_order(const std::string& name, const Sys& sys, const Eigen::Matrix<double, N, 1>& x0,
                 const Eigen::Matrix<double, N, 1>& exact, double order, int n0 = 20) {
  double previous = (integrate<R>(sys, x0, n0).first - exact).cwiseAbs().maxCoeff();
  for (int n : {2 * n0, 4 * n0, 8 * n0}) {
    const double error = (integrate<R>(sys, x0, n).first - exact).cwiseAbs().maxCoeff();
    const double observed = std::log2(previous / error);
    INFO(name << ", n = " << n << ": error " << error << ", observed order " << observed);
    CHECK(std::abs(observed - order) < 0.2);
    previous = error;
  }
}

/// The stability function R(z) of the method R: one step of x' = z·x, as the real 2 × 2 system
/// of the complex equation, from x = 1 with h = 1.
template <const auto& R>
std::complex<double> stability(std::complex<double> z) {
  Linear<2> s;
  s.A << z.real(), -z.imag(), z.imag(), z.real();
  Vector2 x_new, x_err;
  DenseLU<2> lu;
  const Vector2 x{1.0, 0.0};
  rosenbrock_step<R>(s, 0.0, x, 1.0, s.linearise(0.0, x), lu, x_new, x_err);
  return {x_new[0], x_new[1]};
}

template <const auto& R>
void check_method(const std::string& name) {
  REQUIRE(R.order == 3);
  const Linear<3> lin = stiff_linear();
  const Vector3 x0{1.0, 1.0, 1.0};
  // exp(A)·x0 by RODAS4 with 20000 steps (error ~1e-17 at order 4)
  Vector3 exact_linear = x0;
  {
    Vector3 x_new, x_err;
    DenseLU<3> lu;
    const int n = 20000;
    for (int k = 0; k < n; ++k) {
      rodas4_step(lin, k / double(n), exact_linear, 1.0 / n, lin.linearise(0.0, exact_linear), lu, x_new,
                  x_err);
      exact_linear = x_new;
    }
  }
  check_order<R>(name + " stiff linear", lin, x0, exact_linear, R.order);

  const Linear<2> f = forced();
  const Vector2 exact_forced{2.0 * std::exp(-1.0),
                             (2.0 * std::sin(1.0) - std::cos(1.0)) / 5.0 + 1.2 * std::exp(-2.0)};
  check_order<R>(name + " forced", f, Vector2{1.0, 1.0}, exact_forced, R.order);

  // ROS3's error has a 4th-order part of the other sign: order 2.6 at n = 40, 2.8 from n = 80.
  const Reaction reaction;
  const Vector2 y0{1.0, 0.0};
  const Vector2 exact_reaction = integrate<kRodas4Generic>(reaction, y0, 20000).first;
  check_order<R>(name + " nonlinear", reaction, y0, exact_reaction, R.order, 80);
}

}  // namespace

TEST_CASE("Rosenbrock step: RODAS4's coefficients reproduce rodas4_step") {
  const Linear<2> f = forced();
  Vector2 x{1.0, 1.0}, generic_x, generic_err, rodas_x, rodas_err;
  DenseLU<2> lu;
  for (double h : {0.01, 0.3, 5.0}) {
    const auto lin = f.linearise(0.2, x);
    rosenbrock_step<kRodas4Generic>(f, 0.2, x, h, lin, lu, generic_x, generic_err);
    rodas4_step(f, 0.2, x, h, lin, lu, rodas_x, rodas_err);
    CHECK((generic_x - rodas_x).cwiseAbs().maxCoeff() < 1e-14);
    CHECK((generic_err - rodas_err).cwiseAbs().maxCoeff() < 1e-14);
  }
}

TEST_CASE("Rosenbrock step: which stages evaluate f") {
  // ROS3: stage 2 new, stage 3 at stage 2's point; RODAS3: stage 2 at the start.
  STATIC_REQUIRE(detail::stage_source(kRos3, 1) == 1);
  STATIC_REQUIRE(detail::stage_source(kRos3, 2) == 1);
  STATIC_REQUIRE(detail::stage_source(kRodas3, 1) == -1);
  STATIC_REQUIRE(detail::stage_source(kRodas3, 2) == 2);
  STATIC_REQUIRE(detail::stage_source(kRodas3, 3) == 3);
  STATIC_REQUIRE(detail::stage_source(kRos34pw2, 3) == 3);
}

TEST_CASE("ROS34PW2: the transformed coefficients") {
  // Stiffly accurate: x_new is the last stage's point plus g_4, and the weights sum to 1 in the
  // classical form (m·Γ·1 = 1).
  for (int j = 0; j < 3; ++j) CHECK(kRos34pw2.m[j] == Approx(kRos34pw2.a[3][j]).margin(1e-14));
  CHECK(kRos34pw2.m[3] == Approx(1.0));
  CHECK(kRos34pw2.gamma == Approx(0.43586652150845900));
  CHECK(kRos34pw2.alpha[3] == Approx(1.0));
}

TEST_CASE("ROS3 converges at order 3") { check_method<kRos3>("ROS3"); }
TEST_CASE("RODAS3 converges at order 3") { check_method<kRodas3>("RODAS3"); }
TEST_CASE("ROS34PW2 converges at order 3") { check_method<kRos34pw2>("ROS34PW2"); }

TEST_CASE("Rosenbrock methods: the error estimate is a local error of order 2 (falls as h^3)") {
  const Reaction reaction;
  const Vector2 y0{1.0, 0.5};
  auto one_step = [&]<const auto& R>(double h) {
    Vector2 x_new, x_err;
    DenseLU<2> lu;
    rosenbrock_step<R>(reaction, 0.0, y0, h, reaction.linearise(0.0, y0), lu, x_new, x_err);
    return x_err.cwiseAbs().maxCoeff();
  };
  auto check = [&]<const auto& R>(const char* name) {
    double previous = one_step.template operator()<R>(0.002);
    for (double h : {0.001, 0.0005}) {
      const double estimate = one_step.template operator()<R>(h);
      const double observed = std::log2(previous / estimate);
      INFO(name << ", h = " << h << ": estimate " << estimate << ", observed order " << observed);
      CHECK(std::abs(observed - 3.0) < 0.2);
      previous = estimate;
    }
  };
  check.template operator()<kRos3>("ROS3");
  check.template operator()<kRodas3>("RODAS3");
  check.template operator()<kRos34pw2>("ROS34PW2");
}

TEST_CASE("Rosenbrock methods: A-stable and L-stable") {
  auto check = [&]<const auto& R>(const char* name) {
    INFO(name);
    // |R(z)| <= 1 on the imaginary axis and in the left half-plane.
    for (double y : {0.0, 0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0, 1e4})
      for (double x : {0.0, -0.01, -0.5, -1.0, -3.0, -10.0, -100.0, -1e4}) {
        INFO("z = " << x << " + " << y << "i");
        CHECK(std::abs(stability<R>({x, y})) <= 1.0 + 1e-12);
      }
    // R(z) -> 0 as z -> -inf, like 1/|z|.
    CHECK(std::abs(stability<R>({-1e6, 0.0})) < 1e-5);
    CHECK(std::abs(stability<R>({-1e8, 0.0})) < 1e-7);
    CHECK(std::abs(stability<R>({0.0, 1e8})) < 1e-7);
  };
  check.template operator()<kRos3>("ROS3");
  check.template operator()<kRodas3>("RODAS3");
  check.template operator()<kRos34pw2>("ROS34PW2");
  check.template operator()<kRodas4Generic>("RODAS4");
}

TEST_CASE("Rosenbrock controller for an order-2 estimate: err^(1/3)") {
  RosenbrockController<3> c(1e-3, 1e-6);
  double h_next = 0.0;
  CHECK_FALSE(c.judge(27.0, 1.0, h_next));  // rejected: shrink by 27^(1/3)/0.9
  CHECK(h_next == Approx(0.9 / 3.0));
  CHECK_FALSE(c.judge(1e6, 1.0, h_next));  // never below a fifth of the step
  CHECK(h_next == Approx(1.0 / 5.0));
  CHECK(c.judge(1e-12, 0.1, h_next));  // accepted right after a rejection: no growth
  CHECK(h_next == Approx(0.1));
  CHECK(c.judge(0.125, 0.1, h_next));  // 0.125^(1/3)/0.9 = 0.5/0.9, or the predictive rule
  // predictive: (0.1/0.1)·(0.125²/0.01)^(1/3)/0.9 = 1.5625^(1/3)/0.9; the smaller step wins
  CHECK(h_next == Approx(0.1 / std::max(0.5 / 0.9, std::cbrt(1.5625) / 0.9)));
}
