// --unset and --set, as every command that reads configs takes them: the keys --unset names are
// removed first, then the --set values apply in the order given (config.hpp, unset_override).
#pragma once

#include <CLI/App.hpp>

#include <string>
#include <vector>

#include "citsim/io/config.hpp"

namespace citsim::cli {

/// The overrides the library takes: unset_override(key) for each of `unsets`, then `sets`.
inline std::vector<std::string> config_edits(const std::vector<std::string>& unsets,
                                             const std::vector<std::string>& sets) {
  std::vector<std::string> edits;
  for (const std::string& key : unsets) edits.push_back(unset_override(key));
  edits.insert(edits.end(), sets.begin(), sets.end());
  return edits;
}

/// Adds `--unset KEY` (repeatable) to a command; `where` says which configs it applies to.
inline void add_unset_option(CLI::App* app, std::vector<std::string>& unsets, const std::string& where) {
  app->add_option("--unset", unsets, "Remove a key " + where + " gives, before --set applies (repeatable)");
}

}  // namespace citsim::cli
