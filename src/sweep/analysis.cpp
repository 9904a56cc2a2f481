#include "citsim/sweep/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "citsim/sweep/sensitivity.hpp"

namespace citsim::sweep {

SensitivityTable analyse_sensitivity(const DesignSpec& design, int factors,
                                     const std::vector<double>& outcomes, int outcome_count) {
  SensitivityTable t;
  if (design.kind != DesignKind::Morris && design.kind != DesignKind::Saltelli) return t;
  const auto O = static_cast<std::size_t>(outcome_count);
  const std::size_t rows = O == 0 ? 0 : outcomes.size() / O;
  std::vector<double> y(rows);
  const auto column = [&](std::size_t o) {
    for (std::size_t r = 0; r < rows; ++r) y[r] = outcomes[r * O + o];
    return std::span<const double>(y);
  };
  if (design.kind == DesignKind::Morris) {
    t.method = "morris";
    t.index_names = {"mu_star", "mu", "sigma"};
    t.values.assign(3, {});
    const MorrisDesign md = morris_design(factors, design.trajectories, design.levels, design.seed);
    for (std::size_t o = 0; o < O; ++o) {
      const MorrisIndices m = morris_indices(md, column(o));
      t.values[0].push_back(m.mu_star);
      t.values[1].push_back(m.mu);
      t.values[2].push_back(m.sigma);
      t.used.push_back(m.trajectories_used);
    }
  } else {
    t.method = "sobol";
    t.index_names = {"ST", "S1", "ST_conf", "S1_conf"};
    t.values.assign(4, {});
    for (std::size_t o = 0; o < O; ++o) {
      const SobolIndices s = sobol_indices(factors, column(o), design.bootstrap, design.seed);
      t.values[0].push_back(s.ST);
      t.values[1].push_back(s.S1);
      t.values[2].push_back(s.ST_conf);
      t.values[3].push_back(s.S1_conf);
      t.used.push_back(s.base_runs_used);
    }
  }
  return t;
}

std::string format_sensitivity(const SensitivityTable& t, const std::vector<std::string>& parameter_names,
                               const std::vector<std::string>& outcome_names) {
  if (t.method.empty()) return {};
  std::string out;
  const bool morris = t.method == "morris";
  for (std::size_t o = 0; o < outcome_names.size(); ++o) {
    out += fmt::format("{} ({} {} used)\n", outcome_names[o], t.used[o], morris ? "trajectories" : "base rows");
    std::vector<std::size_t> order(parameter_names.size());
    std::iota(order.begin(), order.end(), 0);
    const auto& key = t.values[0][o];
    // NaN last, then descending by the ranking index (mu* or ST)
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (std::isnan(key[a]) != std::isnan(key[b])) return std::isnan(key[b]);
      return key[a] > key[b];
    });
    if (morris)
      out += fmt::format("  {:>4} {:<22} {:>12} {:>12} {:>12}\n", "rank", "parameter", "mu*", "mu", "sigma");
    else
      out += fmt::format("  {:>4} {:<22} {:>8} {:>8} {:>8} {:>8}\n", "rank", "parameter", "ST", "+-", "S1", "+-");
    int rank = 0;
    for (std::size_t p : order) {
      if (morris)
        out += fmt::format("  {:>4} {:<22} {:>12.4g} {:>12.4g} {:>12.4g}\n", ++rank, parameter_names[p],
                           t.values[0][o][p], t.values[1][o][p], t.values[2][o][p]);
      else
        out += fmt::format("  {:>4} {:<22} {:>8.3f} {:>8.3f} {:>8.3f} {:>8.3f}\n", ++rank, parameter_names[p],
                           t.values[0][o][p], t.values[2][o][p], t.values[1][o][p], t.values[3][o][p]);
    }
  }
  return out;
}

}  // namespace citsim::sweep
