// Fuzz targets: structure-aware HDF5 files. Each starts from the layout citsim writes (a run file
// of docs/file-format.md, a sweep shard of docs/cluster.md) with sizes from the bytes, takes the
// changes the rest of the bytes decode to, is written with the HDF5 API and read by citsim.
#include <fmt/format.h>
#include <hdf5.h>

#include <string>
#include <vector>

#include "citsim/report/run_file.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "h5_builder.hpp"
#include "sweep_reading.hpp"

namespace citsim::fuzz {
namespace {

using namespace h5desc;

h5desc::Description run_template(ByteReader& r) {
  const hsize_t N = r.below(6), M = r.below(5), K = r.below(4), S = r.below(4);
  Description d;
  d.push_back(text_attribute("/", "citsim_version", "0.1.0"));
  d.push_back(text_attribute("/", "model_level", "1d"));
  d.push_back(text_attribute("/", "created", "2026-01-01T00:00:00Z"));
  d.push_back(text_attribute("/", "config", "[protocol]\n"));
  d.push_back(text_attribute("/", "config_path", "configs/default.toml"));
  d.push_back(text_attribute("/", "warnings", ""));
  d.push_back(attribute("/", "pre_treatment_R0", Elem::F64, {}, 0.3));
  d.push_back(dataset("/time", Elem::F64, {N}));
  d.push_back(dataset("/z", Elem::F64, {M}, Fill::Ramp, 0.1));
  d.push_back(dataset("/profile_time", Elem::F64, {K}, Fill::Ramp, 7.0));
  for (const char* name : {"R0", "firmness_gain", "collagen_induction", "elastin_change", "R7"}) {
    const std::string path = fmt::format("/readouts/{}", name);  // not operator+: GCC 12 -Wrestrict
    d.push_back(dataset(path, Elem::F64, {N}));
    d.push_back(text_attribute(path, "units", "%"));
    d.push_back(text_attribute(path, "long_name", name));
  }
  d.push_back(dataset("/layers/dermis/C1", Elem::F64, {N}));
  d.push_back(dataset("/profiles/C1", Elem::F64, {K, M}));
  d.push_back(dataset("/tissue/v", Elem::F64, {M}));
  d.push_back(dataset("/sessions/session", Elem::I64, {S}));
  d.push_back(dataset("/sessions/time", Elem::F64, {S}, Fill::Ramp, 28.0));
  d.push_back(strings("/sessions/device", std::vector<std::string>(S, "pen")));
  d.push_back(group("/parameters"));
  d.push_back(attribute("/parameters", "k_tx", Elem::F64, {}, 0.5));
  d.push_back(attribute("/parameters", "k_tx_effective", Elem::F64, {}, 0.4));
  d.push_back(attribute("/parameters", "p_C", Elem::F64, {M}, 1.0));
  d.push_back(group("/parameters/units"));
  d.push_back(text_attribute("/parameters/units", "k_tx", "1/day"));
  return d;
}

const std::vector<std::string>& run_vocabulary() {
  static const std::vector<std::string> v = {
      "time", "z", "profile_time", "readouts", "R0", "firmness_gain", "collagen_induction", "elastin_change",
      "sessions", "parameters", "units", "long_name", "k_tx", "k_tx_effective", "_effective", "session",
      "tissue", "profiles", "layers", "dermis", "pre_treatment_R0", "config", "", "x", "model_level"};
  return v;
}

h5desc::Description sweep_template(ByteReader& r) {
  const std::int64_t total = r.below(7);
  const std::int64_t count = 1 + r.below(2);
  const std::int64_t index = r.below(static_cast<std::uint32_t>(count));
  const hsize_t rows = total <= index ? 0 : static_cast<hsize_t>((total - index + count - 1) / count);
  const hsize_t P = r.below(4), O = 1 + r.below(3), T = r.below(5);
  const std::vector<std::string> kinds = {"grid", "latin_hypercube", "sobol", "morris", "saltelli"};
  const std::string kind = r.pick(kinds);
  Description d;
  for (const char* name : {"sweep_spec", "sweep_spec_path", "base_config", "base_config_path", "base_overrides"})
    d.push_back(text_attribute("/", name, fmt::format("# {}", name)));
  d.push_back(text_attribute("/", "design", kind));
  const auto int_attr = [&](const char* name, double v) { d.push_back(attribute("/", name, Elem::I64, {}, v)); };
  int_attr("design_runs", static_cast<double>(total));
  int_attr("design_seed", 1);
  int_attr("design_levels", 4);
  int_attr("design_trajectories", 2);
  int_attr("design_base_runs", 2);
  int_attr("design_skip", 0);
  int_attr("design_bootstrap", 10);
  int_attr("total_runs", static_cast<double>(total));
  int_attr("shard_index", static_cast<double>(index));
  int_attr("shard_count", static_cast<double>(count));
  d.push_back(dataset("/sweep/run", Elem::I64, {rows}));
  std::vector<std::string> params, outcomes;
  for (hsize_t k = 0; k < P; ++k) params.push_back(fmt::format("p{}", k));
  for (hsize_t k = 0; k < O; ++k) outcomes.push_back(fmt::format("o{}", k));
  d.push_back(strings("/sweep/parameter", params));
  d.push_back(strings("/sweep/outcome", outcomes));
  d.push_back(dataset("/sweep/time", Elem::F64, {T}));
  d.push_back(strings("/sweep/parameter_units", params));
  d.push_back(strings("/sweep/parameter_key", params));
  d.push_back(strings("/sweep/outcome_units", outcomes));
  d.push_back(strings("/sweep/outcome_long_name", outcomes));
  d.push_back(dataset("/sweep/params", Elem::F64, {rows, P}));
  d.push_back(dataset("/sweep/outcomes", Elem::F64, {rows, O}));
  const unsigned readouts = r.below(3);
  for (unsigned k = 0; k < readouts; ++k) {
    const std::string p = k == 0 ? "/sweep/series/firmness_gain" : "/sweep/series/elastin_change";
    d.push_back(dataset(p, Elem::F64, {rows, T}));
    d.push_back(text_attribute(p, "units", "%"));
  }
  d.push_back(dataset("/sweep/status", Elem::I8, {rows}, Fill::Constant, 1.0 + r.below(2)));
  d.push_back(strings("/sweep/message", std::vector<std::string>(rows, "")));
  d.push_back(dataset("/sweep/wall_seconds", Elem::F64, {rows}));
  return d;
}

const std::vector<std::string>& sweep_vocabulary() {
  static const std::vector<std::string> v = {
      "sweep", "status", "params", "outcomes", "series", "time", "parameter", "outcome", "message",
      "message_bytes", "wall_seconds", "run", "units", "total_runs", "shard_index", "shard_count", "design",
      "design_runs", "design_levels", "design_trajectories", "design_base_runs", "morris", "saltelli", "grid",
      "sensitivity", "sweep_spec", "", "x"};
  return v;
}

}  // namespace

int run_file_structure(const std::uint8_t* data, std::size_t size) {
  ByteReader r(data, size);
  Description d = run_template(r);
  mutate(d, r, run_vocabulary());
  const std::string path = scratch_path("structure-run.h5");
  write(d, path);
  typed_errors_only([&] { check_run_file(read_run_file(path)); });
  require_nothing_open();
  H5garbage_collect();  // libhdf5 keeps freed blocks on free lists: give them back after each input
  return 0;
}

int sweep_file_structure(const std::uint8_t* data, std::size_t size) {
  ByteReader r(data, size);
  Description d = sweep_template(r);
  mutate(d, r, sweep_vocabulary());
  const std::string path = scratch_path("structure-shard.h5");
  write(d, path);
  typed_errors_only([&] { merge_like_cli(path, scratch_path("structure-merged.h5")); });
  require_nothing_open();
  H5garbage_collect();  // libhdf5 keeps freed blocks on free lists: give them back after each input
  return 0;
}

}  // namespace citsim::fuzz
