// --ignore-limits, shared by the commands that check limits before work (run, check, sweep,
// sensitivity, merge): the checks still run, and what they find is a warning instead of a refusal.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string>

#include "citsim/io/limits.hpp"

namespace citsim::cli {

/// The flag's help text, the same for every command.
inline constexpr const char* kIgnoreLimitsHelp =
    "Check memory and disk as usual, but warn instead of refusing when an estimate exceeds the limit "
    "(the file estimate is an uncompressed bound)";

inline OnLimit on_limit(bool ignore_limits) { return ignore_limits ? OnLimit::Warn : OnLimit::Refuse; }

/// Shows a check's finding (returned under --ignore-limits) as a "warning:" line on stderr.
inline void warn_limit(const std::optional<std::string>& finding) {
  if (finding) fmt::print(stderr, "warning: {}\n", *finding);
}

}  // namespace citsim::cli
