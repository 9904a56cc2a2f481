#include "citsim/validation/targets.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include "citsim/errors.hpp"
#include "../io/detail/toml_text.hpp"

namespace citsim {
namespace {

int line_of(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::string required_string(const toml::table& t, std::string_view key, const std::string& path,
                            std::size_t index) {
  const auto* v = t.get_as<std::string>(key);
  if (!v)
    throw ConfigError(path, line_of(t), fmt::format("target[{}].{}", index, key), "",
                      "required: a string");
  return v->get();
}

}  // namespace

std::vector<Target> load_targets(const std::string& path) {
  toml::table doc;
  // Read as every TOML input is (a regular file, at most 16 MiB), then parsed.
  const std::string text = toml_text::read_file(path, path, 0, "");
  try {
    doc = toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw ConfigError(path, static_cast<int>(e.source().begin.line), "", "",
                      fmt::format("cannot read the targets: {}", e.description()));
  }
  const toml::array* list = doc["target"].as_array();
  if (!list || list->empty())
    throw ConfigError(path, 0, "target", "", "needs at least one [[target]] table");
  std::vector<Target> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const toml::table* t = (*list)[i].as_table();
    if (!t) throw ConfigError(path, line_of((*list)[i]), fmt::format("target[{}]", i), "", "must be a table");
    Target target;
    target.id = required_string(*t, "id", path, i);
    target.scenario = required_string(*t, "scenario", path, i);
    target.metric = t->get_as<std::string>("metric") ? t->get_as<std::string>("metric")->get() : "";
    target.source = t->get_as<std::string>("source") ? t->get_as<std::string>("source")->get() : "";
    target.kind = t->get_as<std::string>("kind") ? t->get_as<std::string>("kind")->get() : target.id;
    const toml::array* range = t->get_as<toml::array>("range");
    const auto number = [](const toml::node* n) -> std::optional<double> {
      if (!n) return std::nullopt;
      if (auto d = n->value<double>()) return d;
      return std::nullopt;
    };
    const auto lo = range && range->size() == 2 ? number(range->get(0)) : std::nullopt;
    const auto hi = range && range->size() == 2 ? number(range->get(1)) : std::nullopt;
    if (!lo || !hi || *lo > *hi)
      throw ConfigError(path, line_of(*t), fmt::format("target[{}].range", i), "",
                        "must be [lo, hi] with two numbers, lo <= hi");
    target.lo = *lo;
    target.hi = *hi;
    out.push_back(std::move(target));
  }
  return out;
}

}  // namespace citsim
