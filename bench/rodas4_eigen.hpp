// A bench-only prototype, not used by citsim: the same per-point integration as
// KineticsStepper::advance (Boost.Odeint's rosenbrock4 = RODAS4 with the d4 sign fixed, and
// rosenbrock4_controller's error norm and step-size rule, restarted every interval), written on
// Eigen fixed-size 15 × 15 matrices instead of ublas. Same arithmetic, so the same steps; it
// measures what replacing the ublas linear algebra alone would buy (micro.cpp,
// BM_rodas4_eigen_advance). Stage formulas: boost/numeric/odeint/stepper/rosenbrock4.hpp.
#pragma once

#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "citsim/model/kinetics.hpp"

namespace citsim_bench {

using citsim::SpeciesMatrix;
using citsim::SpeciesVector;

struct Rodas4 {
  // default_rosenbrock_coefficients (Boost 1.74); d1..d4 only multiply dfdt, which is 0 here.
  static constexpr double gamma = 0.25, c21 = -0.5668800000000000e+01, a21 = 0.1544000000000000e+01,
                          c31 = -0.2430093356833875e+01, c32 = -0.2063599157091915e+00,
                          a31 = 0.9466785280815826e+00, a32 = 0.2557011698983284e+00,
                          c41 = -0.1073529058151375e+00, c42 = -0.9594562251023355e+01,
                          c43 = -0.2047028614809616e+02, a41 = 0.3314825187068521e+01,
                          a42 = 0.2896124015972201e+01, a43 = 0.9986419139977817e+00,
                          c51 = 0.7496443313967647e+01, c52 = -0.1024680431464352e+02,
                          c53 = -0.3399990352819905e+02, c54 = 0.1170890893206160e+02,
                          a51 = 0.1221224509226641e+01, a52 = 0.6019134481288629e+01,
                          a53 = 0.1253708332932087e+02, a54 = -0.6878860361058950e+00,
                          c61 = 0.8083246795921522e+01, c62 = -0.7981132988064893e+01,
                          c63 = -0.3152159432874371e+02, c64 = 0.1631930543123136e+02,
                          c65 = -0.6058818238834054e+01;
};

/// One RODAS4 step of du/dt = R(u) from x over dt: xout and the error estimate xerr.
inline void rodas4_step(const SpeciesVector& x, double dt, const citsim::SiteRates& s,
                        const citsim::Parameters& p, SpeciesVector& xout, SpeciesVector& xerr) {
  using R = Rodas4;
  SpeciesVector f;
  SpeciesMatrix J;
  citsim::kinetics_rhs_jacobian(x, s, p, f, J);
  SpeciesMatrix W = -J;
  W.diagonal().array() += 1.0 / (R::gamma * dt);
  const Eigen::PartialPivLU<SpeciesMatrix> lu(W);
  const SpeciesVector g1 = lu.solve(f);
  SpeciesVector xt = x + R::a21 * g1;
  const SpeciesVector g2 = lu.solve(citsim::kinetics_rhs(xt, s, p) + (R::c21 / dt) * g1);
  xt = x + R::a31 * g1 + R::a32 * g2;
  const SpeciesVector g3 = lu.solve(citsim::kinetics_rhs(xt, s, p) + (R::c31 * g1 + R::c32 * g2) / dt);
  xt = x + R::a41 * g1 + R::a42 * g2 + R::a43 * g3;
  const SpeciesVector g4 =
      lu.solve(citsim::kinetics_rhs(xt, s, p) + (R::c41 * g1 + R::c42 * g2 + R::c43 * g3) / dt);
  xt = x + R::a51 * g1 + R::a52 * g2 + R::a53 * g3 + R::a54 * g4;
  const SpeciesVector g5 =
      lu.solve(citsim::kinetics_rhs(xt, s, p) + (R::c51 * g1 + R::c52 * g2 + R::c53 * g3 + R::c54 * g4) / dt);
  xt += g5;
  xerr = lu.solve(citsim::kinetics_rhs(xt, s, p) +
                  (R::c61 * g1 + R::c62 * g2 + R::c63 * g3 + R::c64 * g4 + R::c65 * g5) / dt);
  xout = xt + xerr;
}

/// KineticsStepper::advance with rosenbrock4_controller's rules, on rodas4_step.
inline int rodas4_advance(SpeciesVector& u, const citsim::SiteRates& s, const citsim::Parameters& p,
                          double t0, double t1, double& dt, double rtol, double atol) {
  constexpr double safe = 0.9, fac1 = 5.0, fac2 = 1.0 / 6.0;
  bool first = true, last_rejected = false;
  double err_old = 0.0, dt_old = 0.0, t = t0;
  int accepted = 0;
  SpeciesVector xout, xerr;
  for (int trial = 0; t < t1; ++trial) {
    if (trial > 100000 || !(dt >= 1e-12)) throw std::runtime_error("step size collapsed");
    const bool last = t + dt >= t1;
    double step = last ? t1 - t : dt;
    rodas4_step(u, step, s, p, xout, xerr);
    const SpeciesVector sk = (atol + rtol * u.cwiseAbs().cwiseMax(xout.cwiseAbs()).array()).matrix();
    const double err = std::sqrt(xerr.cwiseQuotient(sk).squaredNorm() / static_cast<double>(citsim::kSpeciesCount));
    double fac = std::max(fac2, std::min(fac1, std::pow(err, 0.25) / safe));
    double dt_new = step / fac;
    if (err <= 1.0) {
      if (first) {
        first = false;
      } else {
        double fac_pred = (dt_old / step) * std::pow(err * err / err_old, 0.25) / safe;
        fac_pred = std::max(fac2, std::min(fac1, fac_pred));
        fac = std::max(fac, fac_pred);
        dt_new = step / fac;
      }
      dt_old = step;
      err_old = std::max(0.01, err);
      if (last_rejected) dt_new = std::min(dt_new, step);
      last_rejected = false;
      u = xout;
      ++accepted;
      dt = last ? std::max(dt, dt_new) : dt_new;
      t = last ? t1 : t + step;
    } else {
      dt = dt_new;
      last_rejected = true;
    }
  }
  return accepted;
}

}  // namespace citsim_bench
