#include "citsim/io/ensemble_file.hpp"

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "detail/toml_text.hpp"

namespace citsim {
namespace {

[[noreturn]] void refuse(const std::string& path, const toml::node* n, const std::string& key, const std::string& why) {
  throw ConfigError(path, toml_text::line_of(n), key, n ? toml_text::render(*n) : "", why);
}

}  // namespace

ParameterEnsemble parse_ensemble(const std::string& text, const std::string& path) {
  const toml::table doc = toml_text::parse(text, path);
  for (const auto& [k, node] : doc)
    if (k != "method" && k != "source" && k != "parameters" && k != "member")
      refuse(path, &node, std::string(k.str()), "unknown key; an ensemble file has method, source, parameters and [[member]]");
  ParameterEnsemble e;
  e.method = doc["method"].value_or(std::string());
  e.source = doc["source"].value_or(std::string());
  const toml::array* names = doc["parameters"].as_array();
  if (!names) refuse(path, doc.get("parameters"), "parameters", "must be a list of parameter names, e.g. [\"mu_M\", \"k_12\"]");
  for (std::size_t j = 0; j < names->size(); ++j) {
    const auto name = (*names)[j].value<std::string>();
    const std::string key = fmt::format("parameters[{}]", j);
    if (!name) refuse(path, names->get(j), key, "must be a parameter name (text)");
    if (!find_parameter(*name))
      refuse(path, names->get(j), key, fmt::format("unknown parameter; did you mean '{}'?", nearest_parameter_name(*name)));
    e.parameters.push_back(*name);
  }
  const toml::array* members = doc["member"].as_array();
  if (!members || members->empty()) refuse(path, doc.get("member"), "member", "needs at least one [[member]] table");
  for (std::size_t k = 0; k < members->size(); ++k) {
    const toml::table* m = (*members)[k].as_table();
    const std::string prefix = fmt::format("member[{}]", k + 1);
    if (!m) refuse(path, members->get(k), prefix, "must be a table with weight and values");
    for (const auto& [key, node] : *m)
      if (key != "weight" && key != "values") refuse(path, &node, prefix + "." + std::string(key.str()), "unknown key; a member has weight and values");
    const auto weight = (*m)["weight"].value<double>();
    if (!weight || !(*weight > 0.0) || !std::isfinite(*weight))
      refuse(path, m->get("weight"), prefix + ".weight", "must be a positive number");
    const toml::array* values = (*m)["values"].as_array();
    if (!values || values->size() != e.parameters.size())
      refuse(path, m->get("values"), prefix + ".values",
           fmt::format("must be a list of {} numbers, one per name in parameters", e.parameters.size()));
    std::vector<double> row;
    for (std::size_t j = 0; j < values->size(); ++j) {
      const auto v = (*values)[j].value<double>();
      const ParameterSpec& s = *find_parameter(e.parameters[j]);
      if (!v || !in_range(s, *v))
        refuse(path, values->get(j), fmt::format("{}.values[{}] ({})", prefix, j, s.name),
             fmt::format("must be a number in [{}, {}] {}", s.min, s.max, s.unit));
      row.push_back(*v);
    }
    e.members.push_back(std::move(row));
    e.weights.push_back(*weight);
  }
  try {
    check_ensemble(e);  // what is left: a name listed twice
  } catch (const std::invalid_argument& err) {
    throw ConfigError(path, toml_text::line_of(doc.get("parameters")), "parameters", "", err.what());
  }
  return e;
}

ParameterEnsemble read_ensemble_file(const std::string& path) {
  return parse_ensemble(toml_text::read_file(path, path, 0, ""), path);
}

void write_ensemble_file(const std::string& path, const ParameterEnsemble& e, const std::string& header) {
  check_ensemble(e);
  std::ostringstream os;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) os << "# " << line << "\n";
  os << "method = " << toml::value<std::string>(e.method) << "\n";
  os << "source = " << toml::value<std::string>(e.source) << "\n";
  os << "parameters = [";
  for (std::size_t j = 0; j < e.parameters.size(); ++j) os << (j ? ", " : "") << '"' << e.parameters[j] << '"';
  os << "]\n";
  for (std::size_t k = 0; k < e.members.size(); ++k) {
    os << "\n[[member]]\nweight = " << toml_text::float_text(e.weights[k]) << "\nvalues = [";
    for (std::size_t j = 0; j < e.members[k].size(); ++j) os << (j ? ", " : "") << toml_text::float_text(e.members[k][j]);
    os << "]\n";
  }
  write_file_atomically(path, os.str());
}

}  // namespace citsim
