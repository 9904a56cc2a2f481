#include "citsim/readouts/cutometer.hpp"

#include <cmath>

#include "citsim/model/species.hpp"

namespace citsim {

std::vector<double> cutometer_weights(const Grid& grid, const Parameters& p, bool zero_d) {
  if (zero_d) return {1.0};
  std::vector<double> w = interval_weights(grid, 0.0, p.z_reticular);
  double total = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    // exact mean of exp(−z/λ) over the cell's dermal part, times its overlap
    const double a = grid.top(i), b = std::min(grid.bottom(i), p.z_reticular);
    if (w[i] <= 0.0 || b <= a) {
      w[i] = 0.0;
      continue;
    }
    w[i] = p.lambda_c * (std::exp(-a / p.lambda_c) - std::exp(-b / p.lambda_c));
    total += w[i];
  }
  for (double& x : w) x /= total;
  return w;
}

MatrixStiffness matrix_stiffness(const ColumnState& u, const std::vector<double>& w,
                                 const Parameters& p) {
  MatrixStiffness m{0.0, 0.0};
  for (std::size_t i = 0; i < u.size(); ++i) {
    m.collagen += w[i] * (u[i][C1] + p.kappa_x * u[i][Cx] + p.kappa_3 * u[i][C3]);
    m.elastin += w[i] * u[i][E];
  }
  return m;
}

CutometerReading cutometer(double c_hat, double e_hat, const Parameters& p) {
  const double c2 = c_hat * c_hat;
  const double E1 = p.E_e * e_hat + p.E_c * c2;
  const double E2 = p.E_v * c2;
  const double eta = p.eta_visc * c2;
  const double tau = eta * (E1 + E2) / (E1 * E2);
  const double load = p.g_cutometer * p.suction;
  const auto U = [&](double t) { return load * (1.0 / E1 - E2 / (E1 * (E1 + E2)) * std::exp(-t / tau)); };
  const double Ue = U(0.0);
  const double Uf = U(p.t_on);
  const double Uv = Uf - Ue;
  const double rho_e = p.E_e * e_hat / (p.E_e * e_hat + p.E_p);
  const double Ur = rho_e * Ue;
  const double residual = (Uf - Ur) * std::exp(-p.t_off * E2 / eta);
  const double Ua = Uf - residual;
  return {Uf, Ua / Uf, Ur / Ue, Uv / Ue, Ur / Uf};
}

CutometerReading cutometer(const ColumnState& u, const std::vector<double>& w,
                           const MatrixStiffness& ref, const Parameters& p) {
  const MatrixStiffness m = matrix_stiffness(u, w, p);
  return cutometer(m.collagen / ref.collagen, m.elastin / ref.elastin, p);
}

}  // namespace citsim
