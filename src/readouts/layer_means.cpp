#include "citsim/readouts/layer_means.hpp"

#include "citsim/model/tissue.hpp"

namespace citsim {

std::vector<LayerWeights> reported_layers(const Grid& grid, const Parameters& p, bool zero_d) {
  std::vector<LayerWeights> out;
  for (Layer l : {Layer::Papillary, Layer::Reticular, Layer::Hypodermis}) {
    const LayerBounds b = layer_bounds(l, p);
    out.push_back({std::string(to_string(l)),
                   zero_d ? std::vector<double>{1.0} : interval_weights(grid, b.top, b.bottom)});
  }
  out.push_back({"dermis", zero_d ? std::vector<double>{1.0}
                                  : interval_weights(grid, 0.0, p.z_reticular)});
  return out;
}

SpeciesVector weighted_mean(const ColumnState& u, const std::vector<double>& w) {
  SpeciesVector m = SpeciesVector::Zero();
  for (std::size_t i = 0; i < u.size(); ++i)
    if (w[i] != 0.0) m += w[i] * u[i];
  return m;
}

double weighted_mean(const std::vector<double>& x, const std::vector<double>& w) {
  double m = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) m += w[i] * x[i];
  return m;
}

LayerSynthesis layer_synthesis(const ColumnState& u, const std::vector<SiteRates>& rates,
                               const Parameters& p, const std::vector<double>& w) {
  double S = 0.0, S3 = 0.0, q3 = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (w[i] == 0.0) continue;
    const Synthesis s = collagen_synthesis(u[i], rates[i], p);
    S += w[i] * s.total;
    S3 += w[i] * s.type3;
    q3 += w[i] * rates[i].q3;
  }
  // With no synthesis at all (no fibroblasts) the share is undefined; report the resting one.
  return {S, S > 0.0 ? S3 / S : q3};
}

}  // namespace citsim
