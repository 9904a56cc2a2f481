#include "citsim/io/parameter_file.hpp"

#include <fmt/format.h>
#include <sstream>
#include <string>

#include <toml++/toml.h>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "detail/toml_text.hpp"

namespace citsim {

std::vector<FittedValue> parse_parameter_file(const std::string& text, const std::string& path) {
  const toml::table doc = toml_text::parse(text, path);
  std::vector<FittedValue> out;
  for (const auto& [key, node] : doc) {
    const std::string name(key.str());
    const int line = static_cast<int>(node.source().begin.line);
    const ParameterSpec* spec = find_parameter(name);
    if (!spec)
      throw ConfigError(path, line, name, "",
                        fmt::format("unknown parameter; did you mean '{}'?", nearest_parameter_name(name)));
    const toml::table* t = node.as_table();
    const auto value = t ? (*t)["value"].value<double>() : std::nullopt;
    if (!value || !in_range(*spec, *value))
      throw ConfigError(path, line, name + ".value", value ? fmt::format("{}", *value) : "",
                        fmt::format("must be a number in [{}, {}] {}", spec->min, spec->max, spec->unit));
    FittedValue v{name, *value, std::string(spec->unit), (*t)["source"].value_or(std::string())};
    if (const auto unit = (*t)["unit"].value<std::string>(); unit && *unit != spec->unit)
      throw ConfigError(path, line, name + ".unit", *unit, fmt::format("must be \"{}\"", spec->unit));
    out.push_back(std::move(v));
  }
  return out;
}

void write_parameter_file(const std::string& path, const std::vector<FittedValue>& values,
                          const std::string& header) {
  std::ostringstream os;
  std::istringstream lines(header);
  for (std::string line; std::getline(lines, line);) os << "# " << line << "\n";
  for (const FittedValue& v : values) {
    os << "\n[" << v.name << "]\n";
    os << "value = " << toml_text::float_text(v.value) << "\n";
    os << fmt::format("unit = \"{}\"\n", v.unit);
    os << "source = " << toml::value<std::string>(v.source) << "\n";
  }
  write_file_atomically(path, os.str());
}

}  // namespace citsim
