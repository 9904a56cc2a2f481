#include "citsim/ensemble/parameter_ensemble.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace citsim {

void check_ensemble(const ParameterEnsemble& e) {
  if (e.members.empty()) throw std::invalid_argument("the ensemble has no member");
  if (e.weights.size() != e.members.size())
    throw std::invalid_argument(fmt::format("the ensemble has {} weights for {} members", e.weights.size(), e.members.size()));
  for (std::size_t j = 0; j < e.parameters.size(); ++j) {
    if (!find_parameter(e.parameters[j]))
      throw std::invalid_argument(fmt::format("unknown parameter '{}'; did you mean '{}'?", e.parameters[j],
                                              nearest_parameter_name(e.parameters[j])));
    if (std::find(e.parameters.begin(), e.parameters.begin() + static_cast<std::ptrdiff_t>(j), e.parameters[j]) !=
        e.parameters.begin() + static_cast<std::ptrdiff_t>(j))
      throw std::invalid_argument(fmt::format("parameter '{}' is listed twice", e.parameters[j]));
  }
  for (std::size_t k = 0; k < e.members.size(); ++k) {
    const std::vector<double>& row = e.members[k];
    if (row.size() != e.parameters.size())
      throw std::invalid_argument(
          fmt::format("member {} has {} values for {} parameters", k + 1, row.size(), e.parameters.size()));
    for (std::size_t j = 0; j < row.size(); ++j) {
      const ParameterSpec& s = *find_parameter(e.parameters[j]);
      if (!in_range(s, row[j]))
        throw std::invalid_argument(fmt::format("member {}: {} = {} is outside [{}, {}] {}", k + 1, s.name, row[j],
                                                s.min, s.max, s.unit));
    }
    if (!(std::isfinite(e.weights[k]) && e.weights[k] > 0.0))
      throw std::invalid_argument(fmt::format("member {}: weight {} must be a positive number", k + 1, e.weights[k]));
  }
}

Parameters member_parameters(const Parameters& base, const ParameterEnsemble& e, std::size_t k,
                             const std::vector<std::string>& keep) {
  Parameters p = base;
  for (std::size_t j = 0; j < e.parameters.size(); ++j) {
    if (std::find(keep.begin(), keep.end(), e.parameters[j]) != keep.end()) continue;
    p.*find_parameter(e.parameters[j])->field = e.members.at(k).at(j);
  }
  return p;
}

}  // namespace citsim
