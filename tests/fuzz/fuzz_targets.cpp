#include "fuzz_targets.hpp"

#include <array>
#include <utility>

namespace citsim::fuzz {

Entry find_target(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Entry>, 7> kTargets = {{
      {"config", config},
      {"protocol", protocol},
      {"sweep_spec", sweep_spec},
      {"run_file_bytes", run_file_bytes},
      {"sweep_file_bytes", sweep_file_bytes},
      {"run_file_structure", run_file_structure},
      {"sweep_file_structure", sweep_file_structure},
  }};
  for (const auto& [n, e] : kTargets)
    if (n == name) return e;
  return nullptr;
}

}  // namespace citsim::fuzz
