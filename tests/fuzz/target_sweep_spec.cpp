// Fuzz target: a sweep spec as `citsim sweep` reads it. The spec sits in a copy of configs/sweeps/
// so that the shipped specs' `base = "../default.toml"` (and the presets) resolve.
#include <filesystem>
#include <string>

#include "citsim/sweep/design.hpp"
#include "citsim/sweep/spec.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"

namespace citsim::fuzz {
namespace {

namespace fs = std::filesystem;

/// scratch/configs/{default.toml, presets/*.toml, sweeps/}, copied once per process.
std::string spec_path() {
  static const std::string path = [] {
    const fs::path configs = fs::path(scratch_dir()) / "configs";
    fs::create_directories(configs / "sweeps");
    fs::create_directories(configs / "presets");
    const fs::path source = fs::path(CITSIM_SOURCE_DIR) / "configs";
    fs::copy_file(source / "default.toml", configs / "default.toml", fs::copy_options::overwrite_existing);
    for (const auto& e : fs::directory_iterator(source / "presets"))
      if (e.path().extension() == ".toml")
        fs::copy_file(e.path(), configs / "presets" / e.path().filename(), fs::copy_options::overwrite_existing);
    return (configs / "sweeps" / "spec.toml").string();
  }();
  return path;
}

}  // namespace

int sweep_spec(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string path = spec_path();
  return typed_errors_only([&] {
    const sweep::SweepSpec s = sweep::parse_sweep_spec(text, path);
    require(!s.outcomes.empty(), "accepted a spec without outcomes");
    require(s.series.dt > 0.0 && s.series.end >= 0.0, "accepted a series grid that is not positive");
    const sweep::Design d(s.design, s.axes);  // what `citsim sweep` builds next
    require(d.runs() >= 1, "accepted a design with no runs");
  });
}

}  // namespace citsim::fuzz
