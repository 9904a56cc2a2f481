// Reading a run's TOML config into plain data (the key names are a contract: README, docs).
// The data itself, `RunConfig`, is citsim/problem.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citsim/io/parameter_file.hpp"
#include "citsim/problem.hpp"

namespace citsim {

/// An override that removes a key instead of setting it: `unset_override("protocol.series.needle.density")`
/// is "unset protocol.series.needle.density" (`--unset`; it reads so in a run's recorded config).
inline constexpr std::string_view kUnsetPrefix = "unset ";
inline std::string unset_override(std::string_view key) { return std::string(kUnsetPrefix).append(key); }

/// Parse `path` with `overrides` ("dotted.key=value", as from `--set`, or unset_override(key), as
/// from `--unset`) applied on top, in order.
/// Throws `ConfigError` naming file, line, key, value and what is allowed.
RunConfig load_config(const std::string& path, const std::vector<std::string>& overrides = {});

/// Same, from TOML text already in memory (`path` is used in messages only).
RunConfig parse_config(const std::string& text, const std::string& path,
                       const std::vector<std::string>& overrides = {});

}  // namespace citsim
