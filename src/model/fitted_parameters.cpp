// What runs start from: the specification's defaults with the built-in fitted table applied.
// embedded_parameter_file() and embedded_parameter_text() are generated from
// configs/parameters.toml by cmake/embed_parameters.cpp.
#include "citsim/model/fitted_parameters.hpp"

namespace citsim {

Parameters fitted_defaults() {
  Parameters p = default_parameters();
  for (const FittedValue& v : embedded_parameter_file()) p.*find_parameter(v.name)->field = v.value;
  return p;
}

std::vector<ParameterDefault> parameter_defaults() {
  const std::vector<FittedValue> fitted = embedded_parameter_file();
  std::vector<ParameterDefault> out;
  for (const ParameterSpec& s : parameter_table()) {
    ParameterDefault d{&s, s.default_value, std::string(s.source), false};
    for (const FittedValue& f : fitted)
      if (f.name == s.name) d = {&s, f.value, f.source, true};
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace citsim
