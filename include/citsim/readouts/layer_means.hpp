// Layer means of a column state and of the collagen synthesis rate (docs/model.md §5).
#pragma once

#include <string>
#include <vector>

#include "citsim/model/kinetics.hpp"
#include "citsim/numerics/grid.hpp"
#include "citsim/numerics/transport.hpp"

namespace citsim {

/// Averaging weights of one reported layer (cells weighted by overlap; sum 1).
struct LayerWeights {
  std::string name;  ///< papillary, reticular, hypodermis, dermis
  std::vector<double> w;
};

/// The four reported layers; `dermis` is papillary + reticular (thickness-weighted). In 0D
/// every layer reports the single point.
std::vector<LayerWeights> reported_layers(const Grid& grid, const Parameters& p, bool zero_d);

/// Σ w_i u_i.
SpeciesVector weighted_mean(const ColumnState& u, const std::vector<double>& w);
double weighted_mean(const std::vector<double>& x, const std::vector<double>& w);

/// Layer mean of the synthesis rate ⟨S⟩ and the synthesis-weighted type III share ⟨S·f3⟩/⟨S⟩.
struct LayerSynthesis {
  double rate;
  double type3_share;
};
LayerSynthesis layer_synthesis(const ColumnState& u, const std::vector<SiteRates>& rates,
                               const Parameters& p, const std::vector<double>& w);

}  // namespace citsim
