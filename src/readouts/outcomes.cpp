#include "citsim/readouts/outcomes.hpp"

#include <algorithm>

#include "citsim/model/species.hpp"

namespace citsim {

double erythema(const ColumnState& u, std::span<const double> v, const std::vector<double>& w,
                const Parameters& p) {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (w[i] == 0.0) continue;
    const double cp = u[i][Cp];
    num += w[i] * v[i] * cp / (p.K_erythema + cp);
    den += w[i] * v[i];
  }
  return den > 0.0 ? num / den : 0.0;
}

double tensile_strength(const ColumnState& u, const ColumnState& rest,
                        std::span<const double> phi_max, const std::vector<double>& w,
                        const Parameters& p) {
  const auto strength = [&p](const SpeciesVector& x) {
    return x[C1] + p.kappa_x * x[Cx] + p.kappa_3 * x[C3];
  };
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    const double weight = w[i] * phi_max[i];
    if (weight == 0.0) continue;
    num += weight * strength(u[i]);
    den += weight * strength(rest[i]);
  }
  return den > 0.0 ? num / den : 1.0;
}

std::vector<double> scar_index(std::span<const double> time, std::span<const double> Mf_dermis,
                               double t_first, const Parameters& p) {
  std::vector<double> out(time.size(), 0.0);
  double acc = 0.0;
  for (std::size_t k = 1; k < time.size(); ++k) {
    if (time[k] > t_first) {
      const double t0 = std::max(time[k - 1], t_first);
      const double a = std::max(0.0, Mf_dermis[k - 1] - p.Mf_scar);
      const double b = std::max(0.0, Mf_dermis[k] - p.Mf_scar);
      acc += 0.5 * (a + b) * (time[k] - t0);
    }
    out[k] = acc;
  }
  return out;
}

std::vector<double> percent_change(std::span<const double> x, double before) {
  std::vector<double> out(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) out[k] = 100.0 * (x[k] - before) / before;
  return out;
}

std::vector<double> percent_fall(std::span<const double> x, double before) {
  std::vector<double> out(x.size());
  for (std::size_t k = 0; k < x.size(); ++k) out[k] = 100.0 * (before - x[k]) / before;
  return out;
}

}  // namespace citsim
