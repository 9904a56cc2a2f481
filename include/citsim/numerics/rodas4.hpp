// RODAS4, an L-stable 4th-order Rosenbrock method with an embedded 3rd-order error estimate,
// and its step-size controller (RosenbrockController<4>, rosenbrock.hpp), on Eigen fixed-size
// vectors and matrices (no allocation).
//
// The method is Hairer & Wanner's RODAS4 (Solving Ordinary Differential Equations II, 2nd ed.,
// Springer 1996, §IV.7 and §VI.4; their Fortran code rodas.f, subroutine ROCOE, METH = 1), in
// the transformed form W·g_i = f(t + c_i·h, x + Σ a_ij·g_j) + Σ (c_ij/h)·g_j + h·d_i·∂f/∂t with
// W = I/(γh) − ∂f/∂x; x_new = x + Σ a_5j·g_j + g_5 + g_6, and g_6 is the error estimate.
// Coefficients and stage formulas are those of Boost.Odeint's `rosenbrock4`
// (boost/numeric/odeint/stepper/rosenbrock4.hpp) except d4: Boost 1.74 has +0.0362, rodas.f has
// −0.0362 (it multiplies ∂f/∂t, so only explicitly time-dependent systems see it). The
// controller is Odeint's `rosenbrock4_controller`: the RMS error norm with
// sk = atol + rtol·max(|x_old|, |x_new|) and Gustafsson's predictive step-size rule (Hairer &
// Wanner II, §IV.8), safety 0.9, step ratio in [1/5, 6].
#pragma once

#include <Eigen/Core>

#include "citsim/numerics/dense_lu.hpp"
#include "citsim/numerics/rosenbrock.hpp"

namespace citsim {

/// RODAS4 coefficients (see the file comment for the source).
struct Rodas4Tableau {
  static constexpr double gamma = 0.25;
  static constexpr double d1 = 0.25, d2 = -0.1043, d3 = 0.1035, d4 = -0.3620000000000023e-01;
  static constexpr double c2 = 0.386, c3 = 0.21, c4 = 0.63;
  static constexpr double c21 = -0.5668800000000000e+01;
  static constexpr double a21 = 0.1544000000000000e+01;
  static constexpr double c31 = -0.2430093356833875e+01, c32 = -0.2063599157091915e+00;
  static constexpr double a31 = 0.9466785280815826e+00, a32 = 0.2557011698983284e+00;
  static constexpr double c41 = -0.1073529058151375e+00, c42 = -0.9594562251023355e+01,
                          c43 = -0.2047028614809616e+02;
  static constexpr double a41 = 0.3314825187068521e+01, a42 = 0.2896124015972201e+01,
                          a43 = 0.9986419139977817e+00;
  static constexpr double c51 = 0.7496443313967647e+01, c52 = -0.1024680431464352e+02,
                          c53 = -0.3399990352819905e+02, c54 = 0.1170890893206160e+02;
  static constexpr double a51 = 0.1221224509226641e+01, a52 = 0.6019134481288629e+01,
                          a53 = 0.1253708332932087e+02, a54 = -0.6878860361058950e+00;
  static constexpr double c61 = 0.8083246795921522e+01, c62 = -0.7981132988064893e+01,
                          c63 = -0.3152159432874371e+02, c64 = 0.1631930543123136e+02,
                          c65 = -0.6058818238834054e+01;
};

/// The linearisation a step starts from (rosenbrock.hpp).
template <int N>
using Rodas4Linearisation = RosenbrockLinearisation<N>;

/// One RODAS4 step of length h from (t, x) with the linearisation `lin` at (t, x).
/// `rhs(t, x, f)` evaluates f. Writes the 4th-order solution and the error estimate; `lu` is
/// scratch (its factorisation of W is left there): DenseLU<N>, or any factorisation with
/// `compute_shifted(σ, A)` for σ·I − A and `solve(b)` (BlockTriangularLU for a sparse ∂f/∂x).
template <int N, class Rhs, class LU>
void rodas4_step(const Rhs& rhs, double t, const Eigen::Matrix<double, N, 1>& x, double h,
                 const Rodas4Linearisation<N>& lin, LU& lu,
                 Eigen::Matrix<double, N, 1>& xout, Eigen::Matrix<double, N, 1>& xerr) {
  using R = Rodas4Tableau;
  using Vector = Eigen::Matrix<double, N, 1>;
  lu.compute_shifted(1.0 / (R::gamma * h), lin.jac);  // W = I/(γh) − ∂f/∂x
  const double inv_h = 1.0 / h;
  Vector fx, xt;

  const Vector g1 = lu.solve(lin.f + (h * R::d1) * lin.dfdt);
  xt = x + R::a21 * g1;
  rhs(t + R::c2 * h, xt, fx);
  const Vector g2 = lu.solve(fx + (h * R::d2) * lin.dfdt + (R::c21 * inv_h) * g1);
  xt = x + R::a31 * g1 + R::a32 * g2;
  rhs(t + R::c3 * h, xt, fx);
  const Vector g3 =
      lu.solve(fx + (h * R::d3) * lin.dfdt + inv_h * (R::c31 * g1 + R::c32 * g2));
  xt = x + R::a41 * g1 + R::a42 * g2 + R::a43 * g3;
  rhs(t + R::c4 * h, xt, fx);
  const Vector g4 = lu.solve(fx + (h * R::d4) * lin.dfdt +
                             inv_h * (R::c41 * g1 + R::c42 * g2 + R::c43 * g3));
  xt = x + R::a51 * g1 + R::a52 * g2 + R::a53 * g3 + R::a54 * g4;
  rhs(t + h, xt, fx);
  const Vector g5 = lu.solve(fx + inv_h * (R::c51 * g1 + R::c52 * g2 + R::c53 * g3 + R::c54 * g4));
  xt += g5;
  rhs(t + h, xt, fx);
  xerr = lu.solve(fx + inv_h * (R::c61 * g1 + R::c62 * g2 + R::c63 * g3 + R::c64 * g4 +
                                R::c65 * g5));
  xout = xt + xerr;
}

/// Odeint's rosenbrock4_controller: err^¼ for RODAS4's 3rd-order estimate (rosenbrock.hpp).
using Rodas4Controller = RosenbrockController<4>;

}  // namespace citsim
