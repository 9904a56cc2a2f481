// Global sensitivity analysis on the unit cube, as pure functions: a design (the points to
// evaluate), then the indices from the outputs at those points. The sweep engine maps the unit
// cube onto parameter ranges and runs the points; these functions never see the model.
//
//  * Morris elementary effects (Morris 1991; mu* of Campolongo, Cariboni & Saltelli 2007):
//    r trajectories of d+1 points on a p-level grid, one factor moved by Delta = p/(2(p-1)) per
//    step. mu, mu* = mean |EE| and sigma of the effects EE = dy/Delta, in output units per whole
//    range of the factor. Cheap screening: rank factors by mu*, sigma flags interactions.
//  * Sobol indices by Saltelli sampling: base matrices A and B from a 2d-dimensional Sobol
//    sequence, and A with column i from B (A_B^i). First order S_i by Saltelli et al. (2010)'s
//    estimator, total ST_i by Jansen (1999)'s; 95 % intervals by a seeded bootstrap over base rows.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace citsim::sweep {

/// Points of r Morris trajectories; point k of trajectory t is row t·(d+1)+k.
struct MorrisDesign {
  int factors = 0;
  int levels = 0;
  int trajectories = 0;
  double delta = 0.0;
  std::vector<std::vector<double>> points;  ///< r·(d+1) rows of d unit-cube coordinates
  std::vector<int> moved;                   ///< per row: the factor moved to reach it (-1 first)
  std::vector<int> direction;               ///< per row: +1 moved up, -1 down, 0 for the first
};

/// Throws std::invalid_argument unless factors >= 1, trajectories >= 2, levels even >= 2.
MorrisDesign morris_design(int factors, int trajectories, int levels, std::uint64_t seed);

struct MorrisIndices {
  std::vector<double> mu, mu_star, sigma;  ///< per factor
  int trajectories_used = 0;               ///< trajectories without a non-finite output
};

/// `y` holds one output per design row; trajectories with a non-finite output are left out.
MorrisIndices morris_indices(const MorrisDesign& design, std::span<const double> y);

/// Rows of a Saltelli design per base row j: A_j, then A_B^1_j .. A_B^d_j, then B_j (d+2 rows).
std::int64_t saltelli_runs(int factors, std::int64_t base_runs);

/// Unit-cube point of design row `run` (A from Sobol dimensions 1..d, B from d+1..2d).
std::vector<double> saltelli_point(int factors, std::int64_t run);

struct SobolIndices {
  std::vector<double> S1, ST, S1_conf, ST_conf;  ///< per factor; conf: 95 % half-widths
  std::int64_t base_runs_used = 0;  ///< base rows whose d+2 outputs are all finite
};

/// `y` in the row order of `saltelli_point`; base rows with a non-finite output are left out.
/// `bootstrap` resamples (0: no intervals, NaN) drawn with `seed`.
SobolIndices sobol_indices(int factors, std::span<const double> y, int bootstrap,
                           std::uint64_t seed);

}  // namespace citsim::sweep
