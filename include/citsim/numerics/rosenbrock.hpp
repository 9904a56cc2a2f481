// Rosenbrock methods given by their coefficients, one step on Eigen fixed-size vectors (no
// allocation), and the step-size controller they share with RODAS4 (rodas4.hpp).
//
// A step is taken in the transformed form of Hairer & Wanner (Solving Ordinary Differential
// Equations II, 2nd ed., Springer 1996, §IV.7, (7.4)–(7.5)), the form of rodas.f and of KPP's
// Rosenbrock integrators (Sandu et al. 1997):
//   W·g_i = f(t + α_i·h, x + Σ_{j<i} a_ij·g_j) + Σ_{j<i} (c_ij/h)·g_j + h·γ_i·∂f/∂t,
//   W = I/(γh) − ∂f/∂x,  x_new = x + Σ m_j·g_j,  error estimate Σ e_j·g_j.
// A method given in the classical form (α_ij, γ_ij, b, b̂) is transformed by
// `rosenbrock_from_classical`: a = α·Γ⁻¹, c_ij = −(Γ⁻¹)_ij, m = b·Γ⁻¹, e = (b − b̂)·Γ⁻¹,
// γ_i = Σ_j γ_ij. A stage whose point equals the start (it reuses the linearisation's f) or the
// previous stage's point (it reuses that evaluation) costs no evaluation of f.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace citsim {

/// The linearisation a step starts from: f, ∂f/∂x and ∂f/∂t at (t, x). A rejected step retries
/// from the same point, so it is computed once per accepted step.
template <int N>
struct RosenbrockLinearisation {
  Eigen::Matrix<double, N, 1> f;
  Eigen::Matrix<double, N, N> jac;
  Eigen::Matrix<double, N, 1> dfdt;  ///< zero for autonomous systems
};

/// An S-stage Rosenbrock method in the transformed form (see the file comment).
template <int S>
struct RosenbrockTableau {
  static constexpr int stages = S;
  int order = 0;           ///< of x_new
  int estimate_order = 0;  ///< of the embedded solution x_new − error
  double gamma = 0.0;
  std::array<std::array<double, S>, S> a{}, c{};  ///< strictly lower triangular
  std::array<double, S> alpha{}, gamma_sum{}, m{}, e{};
};

/// The transformed form of a method given by α_ij, γ_ij (Γ lower triangular with diagonal γ),
/// the weights b and the embedded weights b̂.
template <int S>
constexpr RosenbrockTableau<S> rosenbrock_from_classical(
    int order, int estimate_order, const std::array<std::array<double, S>, S>& alpha,
    const std::array<std::array<double, S>, S>& Gamma, const std::array<double, S>& b,
    const std::array<double, S>& b_hat) {
  // Γ⁻¹ by forward substitution, column by column.
  std::array<std::array<double, S>, S> inv{};
  for (int j = 0; j < S; ++j) {
    for (int i = j; i < S; ++i) {
      double s = i == j ? 1.0 : 0.0;
      for (int k = j; k < i; ++k) s -= Gamma[i][k] * inv[k][j];
      inv[i][j] = s / Gamma[i][i];
    }
  }
  RosenbrockTableau<S> r;
  r.order = order;
  r.estimate_order = estimate_order;
  r.gamma = Gamma[0][0];
  for (int i = 0; i < S; ++i) {
    for (int j = 0; j < i; ++j) {
      double s = 0.0;
      for (int k = j; k < i; ++k) s += alpha[i][k] * inv[k][j];
      r.a[i][j] = s;
      r.c[i][j] = -inv[i][j];
      r.alpha[i] += alpha[i][j];
    }
    for (int j = 0; j <= i; ++j) r.gamma_sum[i] += Gamma[i][j];
  }
  for (int j = 0; j < S; ++j)
    for (int k = j; k < S; ++k) {
      r.m[j] += b[k] * inv[k][j];
      r.e[j] += (b[k] - b_hat[k]) * inv[k][j];
    }
  return r;
}

/// ROS3 (Sandu, Verwer, Blom, Spee, Carmichael, Potra, "Benchmarking stiff ODE solvers for
/// atmospheric chemistry problems II: Rosenbrock solvers", Atmos. Environ. 31, 1997): 3 stages,
/// order 3, L-stable, embedded order 2; stages 2 and 3 share their point (2 evaluations of f per
/// step, one of them the linearisation's). Coefficients as in KPP's Rosenbrock integrator.
inline constexpr RosenbrockTableau<3> kRos3 = [] {
  RosenbrockTableau<3> r;
  r.order = 3;
  r.estimate_order = 2;
  r.gamma = 0.43586652150845899941601945119356;
  r.a[1][0] = 1.0;
  r.a[2][0] = 1.0;
  r.c[1][0] = -0.10156171083877702091975600115545e+01;
  r.c[2][0] = 0.40759956452537699824805835358067e+01;
  r.c[2][1] = 0.92076794298330791242156818474003e+01;
  r.m = {0.1e+01, 0.61697947043828245592553615689730e+01, -0.42772256543218573326238373806514};
  r.e = {0.5, -0.29079558716805469821718236208017e+01, 0.22354069897811569627360909276199};
  r.alpha = {0.0, 0.43586652150845899941601945119356, 0.43586652150845899941601945119356};
  r.gamma_sum = {0.43586652150845899941601945119356, 0.24291996454816804366592249683314,
                 0.21851380027664058511513169485832e+01};
  return r;
}();

/// RODAS3 (Sandu et al. 1997, as ROS3): 4 stages, order 3, stiffly accurate, embedded order 2
/// (the fourth stage's point); stage 2 is at the start (3 evaluations of f per step, one of them
/// the linearisation's). Coefficients as in KPP's Rosenbrock integrator.
inline constexpr RosenbrockTableau<4> kRodas3 = [] {
  RosenbrockTableau<4> r;
  r.order = 3;
  r.estimate_order = 2;
  r.gamma = 0.5;
  r.a[2][0] = 2.0;
  r.a[3][0] = 2.0;
  r.a[3][2] = 1.0;
  r.c[1][0] = 4.0;
  r.c[2][0] = 1.0;
  r.c[2][1] = -1.0;
  r.c[3][0] = 1.0;
  r.c[3][1] = -1.0;
  r.c[3][2] = -8.0 / 3.0;
  r.m = {2.0, 0.0, 1.0, 1.0};
  r.e = {0.0, 0.0, 0.0, 1.0};
  r.alpha = {0.0, 0.0, 1.0, 1.0};
  r.gamma_sum = {0.5, 1.5, 0.0, 0.0};
  return r;
}();

/// ROS34PW2 (Rang & Angermann, "New Rosenbrock W-methods of order 3 for partial differential
/// algebraic equations of index 1", BIT 45, 2005, Table 4.3): 4 stages, order 3, stiffly
/// accurate, L-stable, a W-method (order 3 with any approximation of ∂f/∂x), embedded order 2.
inline constexpr RosenbrockTableau<4> kRos34pw2 = [] {
  constexpr double g = 4.3586652150845900e-1;
  return rosenbrock_from_classical<4>(
      3, 2,
      {{{0, 0, 0, 0},
        {8.7173304301691801e-1, 0, 0, 0},
        {8.4457060015369423e-1, -1.1299064236484185e-1, 0, 0},
        {0, 0, 1, 0}}},
      {{{g, 0, 0, 0},
        {-8.7173304301691801e-1, g, 0, 0},
        {-9.0338057013044082e-1, 5.4180672388095326e-2, g, 0},
        {2.4212380706095346e-1, -1.2232505839045147, 5.4526025533510214e-1, g}}},
      {2.4212380706095346e-1, -1.2232505839045147, 1.5452602553351020, 4.3586652150845900e-1},
      {3.7810903145819369e-1, -9.6042292212423178e-2, 0.5, 2.1793326075422950e-1});
}();

namespace detail {

template <std::size_t... I, class F>
constexpr void static_for_impl(std::index_sequence<I...>, F&& f) {
  (f(std::integral_constant<int, static_cast<int>(I)>{}), ...);
}

/// f(integral_constant<int, 0>) ... f(integral_constant<int, K − 1>).
template <int K, class F>
constexpr void static_for(F&& f) {
  static_for_impl(std::make_index_sequence<static_cast<std::size_t>(K)>{}, std::forward<F>(f));
}

/// Where stage i takes f from: −1 the linearisation (its point is the start), i − 1 the
/// previous stage (the same point), i a new evaluation.
template <int S>
constexpr int stage_source(const RosenbrockTableau<S>& r, int i) {
  bool at_start = r.alpha[i] == 0.0;
  for (int j = 0; j < i; ++j) at_start = at_start && r.a[i][j] == 0.0;
  if (at_start) return -1;
  if (i == 0) return 0;
  bool same = r.alpha[i] == r.alpha[i - 1];
  for (int j = 0; j < i; ++j) same = same && r.a[i][j] == r.a[i - 1][j];
  return same && stage_source(r, i - 1) != -1 ? i - 1 : i;
}

}  // namespace detail

/// One step of length h from (t, x) of the method `R` (a RosenbrockTableau constant) with the
/// linearisation `lin` at (t, x); `rhs(t, x, f)` evaluates f. Writes the solution and the error
/// estimate; `lu` is scratch as for rodas4_step (DenseLU<N>, BlockTriangularLU, ...).
template <const auto& R, int N, class Rhs, class LU>
void rosenbrock_step(const Rhs& rhs, double t, const Eigen::Matrix<double, N, 1>& x, double h,
                     const RosenbrockLinearisation<N>& lin, LU& lu,
                     Eigen::Matrix<double, N, 1>& xout, Eigen::Matrix<double, N, 1>& xerr) {
  using Vector = Eigen::Matrix<double, N, 1>;
  constexpr int S = std::remove_cvref_t<decltype(R)>::stages;
  lu.compute_shifted(1.0 / (R.gamma * h), lin.jac);  // W = I/(γh) − ∂f/∂x
  const double inv_h = 1.0 / h;
  std::array<Vector, S> g;
  Vector fx, xt, b;
  detail::static_for<S>([&](auto i_) {
    constexpr int i = decltype(i_)::value;
    constexpr int source = detail::stage_source(R, i);
    if constexpr (source == i) {
      xt = x;
      detail::static_for<i>([&](auto j_) {
        constexpr int j = decltype(j_)::value;
        if constexpr (R.a[i][j] != 0.0) xt += R.a[i][j] * g[j];
      });
      rhs(t + R.alpha[i] * h, xt, fx);
    }
    if constexpr (source < 0)
      b = lin.f;
    else
      b = fx;
    if constexpr (R.gamma_sum[i] != 0.0) b += (h * R.gamma_sum[i]) * lin.dfdt;
    detail::static_for<i>([&](auto j_) {
      constexpr int j = decltype(j_)::value;
      if constexpr (R.c[i][j] != 0.0) b += (R.c[i][j] * inv_h) * g[j];
    });
    g[i] = lu.solve(b);
  });
  xout = x;
  xerr.setZero();
  detail::static_for<S>([&](auto j_) {
    constexpr int j = decltype(j_)::value;
    if constexpr (R.m[j] != 0.0) xout += R.m[j] * g[j];
    if constexpr (R.e[j] != 0.0) xerr += R.e[j] * g[j];
  });
}

/// Odeint's rosenbrock4_controller for an error estimate of order Q − 1 (a local error
/// O(h^Q)): accepts or rejects a step by its error and proposes the next step size. The RMS error
/// norm with sk = atol + rtol·max(|x_old|, |x_new|) and Gustafsson's predictive step-size rule
/// (Hairer & Wanner II, §IV.8) with err^(1/Q), safety 0.9, step ratio in [1/5, 6]. Holds the
/// step-size history (the last accepted step and its error).
template <int Q>
class RosenbrockController {
 public:
  RosenbrockController(double rtol, double atol) : rtol_(rtol), atol_(atol) {}

  /// Forget the history, as for a new integration.
  void reset() {
    first_step_ = true;
    last_rejected_ = false;
    err_old_ = dt_old_ = 0.0;
  }

  /// The RMS of err_i / (atol + rtol·max(|x_old,i|, |x_new,i|)).
  template <int N>
  double error(const Eigen::Matrix<double, N, 1>& x_old, const Eigen::Matrix<double, N, 1>& x_new,
               const Eigen::Matrix<double, N, 1>& x_err) const {
    double sum = 0.0;
    for (int i = 0; i < N; ++i) {
      const double sk = atol_ + rtol_ * std::max(std::abs(x_old[i]), std::abs(x_new[i]));
      sum += x_err[i] * x_err[i] / sk / sk;
    }
    return std::sqrt(sum / N);
  }

  /// Judge a step of size h with error norm err: returns whether it is accepted and sets
  /// h_next to the proposed next step (or the retry after a rejection).
  bool judge(double err, double h, double& h_next) {
    constexpr double safe = 0.9, fac1 = 5.0, fac2 = 1.0 / 6.0;
    double fac = std::max(fac2, std::min(fac1, root(err) / safe));
    h_next = h / fac;
    if (!(err <= 1.0)) {
      last_rejected_ = true;
      return false;
    }
    if (first_step_) {
      first_step_ = false;
    } else {
      const double fac_pred =
          std::max(fac2, std::min(fac1, (dt_old_ / h) * root(err * err / err_old_) / safe));
      fac = std::max(fac, fac_pred);
      h_next = h / fac;
    }
    dt_old_ = h;
    err_old_ = std::max(0.01, err);
    if (last_rejected_) h_next = std::min(h_next, h);
    last_rejected_ = false;
    return true;
  }

 private:
  /// x^(1/Q); the fourth root by two square roots (a tenth of the cost of pow).
  static double root(double x) {
    if constexpr (Q == 4)
      return std::sqrt(std::sqrt(x));
    else if constexpr (Q == 3)
      return std::cbrt(x);
    else
      return std::pow(x, 1.0 / Q);
  }

  double rtol_, atol_;
  bool first_step_ = true, last_rejected_ = false;
  double err_old_ = 0.0, dt_old_ = 0.0;
};

}  // namespace citsim
