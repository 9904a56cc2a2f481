// Every seed and regression input of every fuzz target, replayed through the targets' entry
// functions in the ordinary build: a typed citsim error is a valid answer, anything else fails.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"

namespace {

namespace fs = std::filesystem;
using citsim::fuzz::Entry;

/// The seed directories of a target: its corpus, its regressions and the shipped configs it reads
/// (the same list as tests/fuzz/run.sh).
std::vector<fs::path> seed_dirs(const std::string& target) {
  const fs::path src(CITSIM_SOURCE_DIR);
  std::vector<fs::path> dirs = {src / "tests/fuzz/corpus" / target, src / "tests/fuzz/regressions" / target};
  if (target == "config")
    for (const char* d : {"configs", "configs/presets", "configs/validation"}) dirs.push_back(src / d);
  if (target == "sweep_spec") dirs.push_back(src / "configs/sweeps");
  return dirs;
}

std::vector<fs::path> inputs_of(const std::string& target) {
  std::vector<fs::path> files;
  for (const fs::path& dir : seed_dirs(target)) {
    if (!fs::is_directory(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::uint8_t> bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& target, std::size_t at_least) {
  const Entry entry = citsim::fuzz::find_target(target);
  REQUIRE(entry != nullptr);
  const std::vector<fs::path> files = inputs_of(target);
  REQUIRE(files.size() >= at_least);  // an empty corpus would make this test pass vacuously
  for (const fs::path& f : files) {
    INFO("input " << f.string());
    const std::vector<std::uint8_t> bytes = bytes_of(f);
    CHECK_NOTHROW(entry(bytes.data(), bytes.size()));
  }
}

}  // namespace

TEST_CASE("corpus: run configs and --set overrides", "[fuzz]") { replay("config", 20); }
TEST_CASE("corpus: protocol expansion", "[fuzz]") { replay("protocol", 5); }
TEST_CASE("corpus: sweep specs", "[fuzz]") { replay("sweep_spec", 3); }
TEST_CASE("corpus: run files as bytes", "[fuzz]") { replay("run_file_bytes", 2); }
TEST_CASE("corpus: sweep shards as bytes", "[fuzz]") { replay("sweep_file_bytes", 2); }
TEST_CASE("corpus: structured run files", "[fuzz]") { replay("run_file_structure", 3); }
TEST_CASE("corpus: structured sweep shards", "[fuzz]") { replay("sweep_file_structure", 3); }

TEST_CASE("targets: a finding is not a typed citsim error", "[fuzz]") {
  // The replay relies on this: a broken invariant must escape typed_errors_only.
  CHECK_THROWS_AS(citsim::fuzz::typed_errors_only([] { citsim::fuzz::require(false, "broken"); }),
                  citsim::fuzz::Finding);
  CHECK_NOTHROW(citsim::fuzz::typed_errors_only([] { throw citsim::IoError("bad file"); }));
  CHECK(citsim::fuzz::find_target("nonexistent") == nullptr);
}
