// The sweep store: layout, SWMR work file, final copy and merge (see store.hpp).
#include "citsim/sweep/store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <system_error>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/sweep/analysis.hpp"
#include "citsim/sweep/outcomes.hpp"
#include "citsim/sweep/spec.hpp"
#include "citsim/version.hpp"
#include "detail/h5.hpp"

namespace citsim::sweep {
namespace {

namespace fs = std::filesystem;
using h5::Type;

constexpr std::size_t kMessageBytes = 1024;  ///< a failure message in the work file, truncated
constexpr hsize_t kRowChunk = 64;

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto nl = s.find('\n', start);
    out.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

std::string series_path(const std::string& readout) { return "/sweep/series/" + readout; }

/// Writes every dataset and attribute of `layout`, rows preallocated. `work`: SWMR-ready chunked
/// layout with messages as fixed byte rows (SWMR cannot write variable-length data).
/// A shard file that a virtual dataset reads, by its name relative to the virtual file.
struct VirtualSource {
  std::string file;
  Shard shard;
};

void write_layout(h5::File& f, const StoreLayout& l, bool work, const std::vector<VirtualSource>& virt = {}) {
  const auto rows = static_cast<hsize_t>(l.rows());
  const auto P = static_cast<hsize_t>(l.param_names.size());
  const auto O = static_cast<hsize_t>(l.outcome_names.size());
  const auto T = static_cast<hsize_t>(l.time.size());

  f.set_attribute("/", "title", std::string(work ? "citsim sweep (work file, in progress)" : "citsim sweep"));
  f.set_attribute("/", "citsim_version", std::string(kVersion));
  f.set_attribute("/", "sweep_spec", l.spec_text);
  f.set_attribute("/", "sweep_spec_path", l.spec_path);
  f.set_attribute("/", "base_config", l.base_text);
  f.set_attribute("/", "base_config_path", l.base_path);
  f.set_attribute("/", "base_overrides", join(l.base_sets, "\n"));
  f.set_attribute("/", "parameter_table", l.parameter_table);
  f.set_attribute("/", "design", std::string(to_string(l.design.kind)));
  f.set_attribute("/", "design_runs", l.design.runs);
  f.set_attribute("/", "design_seed", static_cast<std::int64_t>(l.design.seed));
  f.set_attribute("/", "design_levels", static_cast<std::int64_t>(l.design.levels));
  f.set_attribute("/", "design_trajectories", static_cast<std::int64_t>(l.design.trajectories));
  f.set_attribute("/", "design_base_runs", l.design.base_runs);
  f.set_attribute("/", "design_skip", l.design.skip);
  f.set_attribute("/", "design_bootstrap", static_cast<std::int64_t>(l.design.bootstrap));
  f.set_attribute("/", "total_runs", l.total_runs);
  f.set_attribute("/", "shard_index", l.shard.index);
  f.set_attribute("/", "shard_count", l.shard.count);

  // Coordinates: named dimensions for netCDF and xarray.
  f.create("/sweep/run", Type::I64, {rows});
  std::vector<std::int64_t> run(rows);
  for (hsize_t r = 0; r < rows; ++r) run[r] = l.run_of_row(static_cast<std::int64_t>(r));
  f.write_rows("/sweep/run", 0, rows, run.data());
  f.make_scale("/sweep/run");
  f.set_attribute("/sweep/run", "long_name", std::string("run index in the whole sweep (design order)"));
  f.create("/sweep/parameter", Type::String, {P});
  f.write_strings("/sweep/parameter", 0, l.param_names);
  f.make_scale("/sweep/parameter");
  f.set_attribute("/sweep/parameter", "long_name", std::string("swept parameter (axis name)"));
  f.create("/sweep/outcome", Type::String, {O});
  f.write_strings("/sweep/outcome", 0, l.outcome_names);
  f.make_scale("/sweep/outcome");
  f.set_attribute("/sweep/outcome", "long_name", std::string("outcome of a run"));
  f.create("/sweep/time", Type::F64, {T});
  f.write_rows("/sweep/time", 0, T, l.time.data());
  f.make_scale("/sweep/time");
  f.set_attribute("/sweep/time", "units", std::string("day"));
  f.set_attribute("/sweep/time", "long_name", std::string("common time grid of the series"));

  const auto strings_over = [&](const std::string& path, const std::string& dim, const std::vector<std::string>& v,
                                const std::string& long_name) {
    f.create(path, Type::String, {static_cast<hsize_t>(v.size())});
    f.write_strings(path, 0, v);
    f.attach_scale(path, dim, 0);
    f.set_attribute(path, "long_name", long_name);
  };
  strings_over("/sweep/parameter_units", "/sweep/parameter", l.param_units, "units of each parameter");
  strings_over("/sweep/parameter_key", "/sweep/parameter", l.param_keys, "config key each parameter sets");
  strings_over("/sweep/outcome_units", "/sweep/outcome", l.outcome_units, "units of each outcome");
  strings_over("/sweep/outcome_long_name", "/sweep/outcome", l.outcome_long_names, "meaning of each outcome");

  // The big datasets: real, or views of the shard files (a virtual merge).
  const auto create_big = [&](const std::string& path, const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk,
                              bool compress) {
    if (virt.empty()) return f.create(path, Type::F64, dims, chunk, compress);
    std::vector<h5::File::VirtualMap> maps;
    for (const VirtualSource& v : virt)
      maps.push_back({v.file, path, static_cast<hsize_t>(v.shard.index), static_cast<hsize_t>(v.shard.count),
                      static_cast<hsize_t>(shard_rows(l.total_runs, v.shard))});
    f.create_virtual(path, Type::F64, dims, maps);
  };
  const auto chunked = [&](hsize_t row_chunk, hsize_t cols) {
    return cols == 0 ? std::vector<hsize_t>{row_chunk} : std::vector<hsize_t>{row_chunk, cols};
  };
  create_big("/sweep/params", {rows, P}, work ? chunked(kRowChunk, P) : std::vector<hsize_t>{}, false);
  f.attach_scale("/sweep/params", "/sweep/run", 0);
  f.attach_scale("/sweep/params", "/sweep/parameter", 1);
  f.set_attribute("/sweep/params", "long_name", std::string("parameter values of each run"));
  f.set_attribute("/sweep/params", "names", join(l.param_names, ", "));
  f.set_attribute("/sweep/params", "units", join(l.param_units, ", "));
  f.set_attribute("/sweep/params", "keys", join(l.param_keys, ", "));
  create_big("/sweep/outcomes", {rows, O}, work ? chunked(kRowChunk, O) : std::vector<hsize_t>{}, false);
  f.attach_scale("/sweep/outcomes", "/sweep/run", 0);
  f.attach_scale("/sweep/outcomes", "/sweep/outcome", 1);
  f.set_attribute("/sweep/outcomes", "long_name", std::string("outcomes of each run (NaN if the run failed)"));
  f.set_attribute("/sweep/outcomes", "names", join(l.outcome_names, ", "));
  f.set_attribute("/sweep/outcomes", "units", join(l.outcome_units, ", "));
  for (std::size_t k = 0; k < l.readouts.size(); ++k) {
    const std::string p = series_path(l.readouts[k]);
    // Work file: one row a chunk, so a finished run rewrites only its own row.
    create_big(p, {rows, T}, work ? chunked(1, T) : chunked(kRowChunk, T), !work);
    f.attach_scale(p, "/sweep/run", 0);
    f.attach_scale(p, "/sweep/time", 1);
    f.set_attribute(p, "units", l.readout_units[k]);
    f.set_attribute(p, "long_name", fmt::format("{} on the common time grid (NaN outside the run)", l.readouts[k]));
  }
  f.create("/sweep/status", Type::I8, {rows}, work ? chunked(4096, 0) : std::vector<hsize_t>{});
  f.attach_scale("/sweep/status", "/sweep/run", 0);
  f.set_attribute("/sweep/status", "long_name", std::string("0 pending, 1 ok, 2 failed"));
  f.set_attribute("/sweep/status", "flag_meanings", std::string("pending ok failed"));
  if (work) {
    f.create("/sweep/message_bytes", Type::U8, {rows, kMessageBytes}, chunked(16, kMessageBytes));
  } else {
    f.create("/sweep/message", Type::String, {rows});
    f.attach_scale("/sweep/message", "/sweep/run", 0);
    f.set_attribute("/sweep/message", "long_name", std::string("why the run failed (empty if ok)"));
  }
  f.create("/sweep/wall_seconds", Type::F64, {rows}, work ? chunked(4096, 0) : std::vector<hsize_t>{});
  f.attach_scale("/sweep/wall_seconds", "/sweep/run", 0);
  f.set_attribute("/sweep/wall_seconds", "units", std::string("s"));
  f.set_attribute("/sweep/wall_seconds", "long_name", std::string("wall time of the run on one thread"));
}

/// The design and shard attributes of a file must describe a sweep citsim could have run: later
/// steps divide by the shard count, size buffers by the run count and rebuild Morris and
/// Saltelli designs from them.
void check_design(const h5::File& f, const StoreLayout& l) {
  const auto bad = [&](const std::string& what) {
    throw IoError(fmt::format("'{}': {}: the file is damaged or not a citsim sweep file", f.path(), what));
  };
  if (l.total_runs < 1 || l.total_runs > kMaxRuns) bad(fmt::format("total_runs = {} is not in 1..2^31", l.total_runs));
  if (l.shard.count < 1 || l.shard.count > kMaxRuns || l.shard.index < 0 || l.shard.index >= l.shard.count)
    bad(fmt::format("shard {}/{} is not i/N with 0 <= i < N", l.shard.index, l.shard.count));
  const DesignSpec& d = l.design;
  if (d.kind == DesignKind::Morris &&
      (d.levels < 2 || d.levels > 100 || d.levels % 2 != 0 || d.trajectories < 2 || d.trajectories > 1000000 ||
       l.total_runs % d.trajectories != 0 || l.total_runs / d.trajectories < 2))
    bad(fmt::format("a Morris design of {} runs with {} trajectories and {} levels", l.total_runs, d.trajectories,
                    d.levels));
  if (d.kind == DesignKind::Saltelli &&
      (d.base_runs < 2 || d.bootstrap < 0 || d.bootstrap > 100000 || l.total_runs % d.base_runs != 0 ||
       l.total_runs / d.base_runs < 3))
    bad(fmt::format("a Saltelli design of {} runs with {} base runs and {} bootstrap resamples", l.total_runs,
                    d.base_runs, d.bootstrap));
}

StoreLayout read_layout(const h5::File& f) {
  if (!f.has_attribute("/", "sweep_spec") || !f.exists("/sweep/status"))
    throw IoError(fmt::format("'{}' is not a citsim sweep file (no sweep_spec attribute or /sweep/status)", f.path()));
  StoreLayout l;
  l.spec_text = f.string_attribute("/", "sweep_spec");
  l.spec_path = f.string_attribute("/", "sweep_spec_path");
  l.base_text = f.string_attribute("/", "base_config");
  l.base_path = f.string_attribute("/", "base_config_path");
  l.base_sets = split_lines(f.string_attribute("/", "base_overrides"));
  // Files written before the table was recorded read as "" (unknown): they merge with each other
  // but not with a sweep that knows its table.
  if (f.has_attribute("/", "parameter_table")) l.parameter_table = f.string_attribute("/", "parameter_table");
  const auto kind = design_kind_from(f.string_attribute("/", "design"));
  if (!kind) throw IoError(fmt::format("'{}': unknown design '{}'", f.path(), f.string_attribute("/", "design")));
  l.design.kind = *kind;
  // Counts held as int are checked before the narrowing: 2^32 + 4 must not wrap to a valid 4.
  const auto int_count = [&](const char* name) {
    const std::int64_t v = f.int_attribute("/", name);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      throw IoError(fmt::format("'{}': {} = {} is beyond any design citsim writes: the file is damaged or not a "
                                "citsim sweep file",
                                f.path(), name, v));
    return static_cast<int>(v);
  };
  l.design.runs = f.int_attribute("/", "design_runs");
  l.design.seed = static_cast<std::uint64_t>(f.int_attribute("/", "design_seed"));
  l.design.levels = int_count("design_levels");
  l.design.trajectories = int_count("design_trajectories");
  l.design.base_runs = f.int_attribute("/", "design_base_runs");
  l.design.skip = f.int_attribute("/", "design_skip");
  l.design.bootstrap = int_count("design_bootstrap");
  l.total_runs = f.int_attribute("/", "total_runs");
  l.shard.index = f.int_attribute("/", "shard_index");
  l.shard.count = f.int_attribute("/", "shard_count");
  check_design(f, l);
  const auto strings = [&](const std::string& p) { return f.read_strings(p, 0, f.checked_shape(p, 1, sizeof(char*))[0]); };
  l.param_names = strings("/sweep/parameter");
  l.param_units = strings("/sweep/parameter_units");
  l.param_keys = strings("/sweep/parameter_key");
  l.outcome_names = strings("/sweep/outcome");
  l.outcome_units = strings("/sweep/outcome_units");
  l.outcome_long_names = strings("/sweep/outcome_long_name");
  const auto P = static_cast<hsize_t>(l.param_names.size()), O = static_cast<hsize_t>(l.outcome_names.size());
  for (const char* p : {"/sweep/parameter_units", "/sweep/parameter_key"}) f.require_shape(p, {P});
  for (const char* p : {"/sweep/outcome_units", "/sweep/outcome_long_name"}) f.require_shape(p, {O});
  const hsize_t T = f.checked_shape("/sweep/time", 1, sizeof(double))[0];
  l.time.resize(T);
  f.read_rows("/sweep/time", 0, T, l.time.data());
  // readouts: every dataset under /sweep/series, in creation order
  if (const hid_t gid = H5Gopen2(f.id(), "/sweep/series", H5P_DEFAULT); gid >= 0) {
    const h5::Id g(gid, H5Gclose);  // closed on every path: an open handle keeps the file open
    H5G_info_t info{};
    if (H5Gget_info(g.get(), &info) < 0)
      throw IoError(fmt::format("'{}': cannot list /sweep/series: the file is damaged", f.path()));
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      const ssize_t length =
          H5Lget_name_by_idx(g.get(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
      if (length < 0) break;
      std::string name(static_cast<std::size_t>(length) + 1, '\0');
      if (H5Lget_name_by_idx(g.get(), ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(), name.size(),
                             H5P_DEFAULT) < 0)
        break;
      name.resize(static_cast<std::size_t>(length));
      l.readouts.push_back(name);
      l.readout_units.push_back(f.string_attribute(series_path(name), "units"));
    }
  }
  // Every later read takes rows of these by the layout's sizes: they must agree with it.
  const auto rows = static_cast<hsize_t>(l.rows());
  for (const char* p : {"/sweep/run", "/sweep/status", "/sweep/wall_seconds"}) f.require_shape(p, {rows});
  f.require_shape("/sweep/params", {rows, P});
  f.require_shape("/sweep/outcomes", {rows, O});
  for (const std::string& r : l.readouts) f.require_shape(series_path(r), {rows, T});
  if (f.exists("/sweep/message_bytes"))
    f.require_shape("/sweep/message_bytes", {rows, kMessageBytes});
  else
    f.require_shape("/sweep/message", {rows});
  (void)f.checked_shape("/sweep/status", 1, 1);  // read whole by read_status
  const auto factors = static_cast<std::int64_t>(P);
  if ((l.design.kind == DesignKind::Morris && l.total_runs != std::int64_t{l.design.trajectories} * (factors + 1)) ||
      (l.design.kind == DesignKind::Saltelli && l.total_runs != l.design.base_runs * (factors + 2)))
    throw IoError(fmt::format("'{}': {} runs do not make a {} design over {} parameter(s): the file is damaged",
                              f.path(), l.total_runs, to_string(l.design.kind), P));
  return l;
}

}  // namespace

std::int64_t shard_rows(std::int64_t total, const Shard& s) {
  return total <= s.index ? 0 : (total - s.index + s.count - 1) / s.count;
}

StoreLayout make_layout(const SweepSpec& spec, const Design& design, const Shard& shard) {
  StoreLayout l;
  l.total_runs = design.runs();
  l.shard = shard;
  l.design = design.spec();
  for (const Axis& a : design.axes()) {
    l.param_names.push_back(a.name);
    l.param_units.push_back(a.units);
    l.param_keys.push_back(a.key);
  }
  for (const OutcomeSpec& o : spec.outcomes) {
    l.outcome_names.push_back(o.name);
    l.outcome_units.push_back(o.units);
    l.outcome_long_names.push_back(o.long_name);
  }
  for (const std::string& r : spec.series.readouts) {
    l.readouts.push_back(r);
    for (const ReadoutInfo& info : readout_names())
      if (info.name == r) l.readout_units.emplace_back(info.units);
  }
  l.time = common_grid(spec.series.dt, spec.series.end);
  l.spec_path = spec.path;
  l.spec_text = spec.text;
  l.base_path = spec.base_path;
  l.base_text = spec.base_text;
  l.base_sets = spec.base_sets;
  l.parameter_table = spec.parameter_table;
  return l;
}

std::uint64_t store_bytes(const StoreLayout& l, bool work, bool virtual_datasets) {
  // Per row: params, outcomes and series as doubles; status (1 byte) and wall time (8); the
  // message as fixed bytes (work) or a variable-length string (16-byte heap reference + text).
  constexpr std::uint64_t kOverhead = 1 << 20;  // attributes (spec, base config), names, chunk indexes
  const std::uint64_t rows = static_cast<std::uint64_t>(std::max<std::int64_t>(0, l.rows()));
  const std::uint64_t doubles = virtual_datasets ? 0 : l.param_names.size() + l.outcome_names.size() + l.time.size() * l.readouts.size();
  const std::uint64_t per_row = doubles * sizeof(double) + 1 + sizeof(double) + (work ? kMessageBytes : 16 + kMessageBytes);
  return kOverhead + rows * per_row + l.time.size() * sizeof(double) + l.spec_text.size() + l.base_text.size() +
         l.parameter_table.size();
}

StoreLayout read_layout(const std::string& path) {
  const h5::Quiet quiet;
  // What the user gave, said plainly, before HDF5's own words ("file signature not found").
  std::error_code ec;
  if (!fs::exists(path, ec)) throw IoError(fmt::format("'{}' is not a citsim sweep file: there is no such file", path));
  if (!fs::is_regular_file(path, ec)) throw IoError(fmt::format("'{}' is not a citsim sweep file: it is not a regular file", path));
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw IoError(fmt::format("'{}' is not a citsim sweep file: not HDF5, or truncated before its signature", path));
  // a work file whose writer was killed is marked open: reading it needs the flag cleared
  h5::File f = h5::File::open(path, false, path.ends_with(".partial"));
  return read_layout(f);
}

bool same_sweep(const StoreLayout& a, const StoreLayout& b, std::string* why) {
  const auto differ = [&](const char* what) {
    if (why) *why = what;
    return false;
  };
  if (a.spec_text != b.spec_text) return differ("the sweep spec differs");
  if (a.base_text != b.base_text) return differ("the base config differs");
  if (a.base_sets != b.base_sets) return differ("the --set overrides differ");
  if (a.parameter_table != b.parameter_table)
    return differ("the parameter table differs: model.parameter_file, or citsim built with another configs/parameters.toml");
  if (a.design.kind != b.design.kind || a.design.runs != b.design.runs || a.design.seed != b.design.seed ||
      a.design.levels != b.design.levels || a.design.trajectories != b.design.trajectories ||
      a.design.base_runs != b.design.base_runs || a.design.skip != b.design.skip)
    return differ("the design differs");
  if (a.total_runs != b.total_runs) return differ("the number of runs differs");
  if (a.param_names != b.param_names || a.param_keys != b.param_keys) return differ("the parameters differ");
  if (a.outcome_names != b.outcome_names) return differ("the outcomes differ");
  if (a.readouts != b.readouts || a.time != b.time) return differ("the series differ");
  return true;
}

// ---------------------------------------------------------------------------------------------
// Work file

struct WorkFile::Impl {
  h5::Quiet quiet;
  StoreLayout layout;
  std::optional<h5::File> file;
  std::vector<std::int8_t> status;
};

WorkFile::WorkFile(const std::string& path, const StoreLayout& layout) : impl_(new Impl) {
  std::unique_ptr<Impl> guard(impl_);
  Impl& m = *impl_;
  m.layout = layout;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    // Created complete under a temporary name: a kill here leaves no half file at `path`.
    AtomicFile tmp(path);
    {
      h5::File f = h5::File::create(tmp.path(), true);
      write_layout(f, layout, true);
      f.close();
    }
    tmp.commit();
  }
  try {
    m.file.emplace(h5::File::open(path, true, true));
  } catch (const IoError& e) {
    throw IoError(fmt::format("cannot resume the sweep work file '{}' ({}); remove it (or run with --restart) "
                              "to start again", path, e.what()));
  }
  std::string why;
  const StoreLayout held = read_layout(*m.file);
  if (!same_sweep(held, layout, &why))
    throw IoError(fmt::format("'{}' belongs to another sweep ({}); remove it or run with --restart", path, why));
  if (held.shard.index != layout.shard.index || held.shard.count != layout.shard.count)
    throw IoError(fmt::format("'{}' holds shard {}/{}, not {}/{}; remove it or run with --restart", path,
                              held.shard.index, held.shard.count, layout.shard.index, layout.shard.count));
  const auto rows = static_cast<hsize_t>(layout.rows());
  m.status.assign(rows, 0);
  m.file->read_rows("/sweep/status", 0, rows, m.status.data());
  for (std::int8_t s : m.status) finished_ += s != 0 ? 1 : 0;
  m.file->start_swmr_write();
  guard.release();
}

WorkFile::~WorkFile() { delete impl_; }

std::vector<std::int64_t> WorkFile::pending() const {
  std::vector<std::int64_t> out;
  for (std::size_t r = 0; r < impl_->status.size(); ++r)
    if (impl_->status[r] == 0) out.push_back(impl_->layout.run_of_row(static_cast<std::int64_t>(r)));
  return out;
}

void WorkFile::write(const RunRecord& rec) {
  Impl& m = *impl_;
  const StoreLayout& l = m.layout;
  if ((rec.run - l.shard.index) % l.shard.count != 0 || rec.run < 0 || rec.run >= l.total_runs)
    throw std::logic_error(fmt::format("run {} is not in shard {}/{}", rec.run, l.shard.index, l.shard.count));
  const auto row = static_cast<hsize_t>((rec.run - l.shard.index) / l.shard.count);
  h5::File& f = *m.file;
  if (rec.params.size() != l.param_names.size() || rec.outcomes.size() != l.outcome_names.size() ||
      rec.series.size() != l.readouts.size())
    throw std::logic_error(fmt::format("run {}: record does not match the layout", rec.run));
  // 1. The run's rows, flushed before its status: "ok" on disk means its data is on disk.
  f.write_rows("/sweep/params", row, 1, rec.params.data());
  f.write_rows("/sweep/outcomes", row, 1, rec.outcomes.data());
  for (std::size_t k = 0; k < l.readouts.size(); ++k) {
    if (rec.series[k].size() != l.time.size())
      throw std::logic_error(fmt::format("run {}: series {} has the wrong length", rec.run, l.readouts[k]));
    f.write_rows(series_path(l.readouts[k]), row, 1, rec.series[k].data());
  }
  f.write_rows("/sweep/wall_seconds", row, 1, &rec.wall_seconds);
  if (!rec.message.empty()) {
    std::vector<std::uint8_t> bytes(kMessageBytes, 0);
    std::memcpy(bytes.data(), rec.message.data(), std::min(rec.message.size(), kMessageBytes - 1));
    f.write_rows("/sweep/message_bytes", row, 1, bytes.data());
  }
  f.flush();
  // 2. The status.
  const auto status = static_cast<std::int8_t>(rec.status);
  f.write_rows("/sweep/status", row, 1, &status);
  f.flush();
  if (m.status[row] == 0 && status != 0) ++finished_;
  m.status[row] = status;
}

void WorkFile::close() {
  if (impl_->file) {
    impl_->file->close();
    impl_->file.reset();
  }
}

// ---------------------------------------------------------------------------------------------
// Final file

namespace {

/// A source file and the rows of the destination it fills.
struct Source {
  std::string path;
  StoreLayout layout;
  std::optional<h5::File> file;
  bool work = false;  ///< messages as bytes
};

/// Local rows [begin, end) of `src` whose runs fall in destination rows [r0, r1).
std::pair<std::int64_t, std::int64_t> source_rows(const Source& s, const StoreLayout& dest, std::int64_t r0,
                                                  std::int64_t r1) {
  const std::int64_t run0 = dest.run_of_row(r0), run1 = r1 == r0 ? run0 : dest.run_of_row(r1 - 1) + 1;
  const auto& sh = s.layout.shard;
  const auto first_local = [&](std::int64_t run) {  // first local row with run >= `run`
    return run <= sh.index ? 0 : (run - sh.index + sh.count - 1) / sh.count;
  };
  return {std::min(first_local(run0), s.layout.rows()), std::min(first_local(run1), s.layout.rows())};
}

std::string relative_to(const std::string& target, const std::string& from_file) {
  std::error_code ec;
  const fs::path base = fs::absolute(fs::path(from_file), ec).parent_path();
  const fs::path t = fs::absolute(fs::path(target), ec);
  const fs::path rel = t.lexically_relative(base);
  return rel.empty() ? t.string() : rel.string();
}

}  // namespace

FinalSummary write_final(const std::string& path, const StoreLayout& layout, const std::vector<std::string>& sources,
                         bool virtual_datasets) {
  AtomicFile tmp(path);
  const FinalSummary sum = write_final(tmp, layout, sources, virtual_datasets);
  tmp.commit();
  return sum;
}

FinalSummary write_final(const AtomicFile& into, const StoreLayout& layout, const std::vector<std::string>& sources,
                         bool virtual_datasets) {
  const std::string& path = into.target();
  const h5::Quiet quiet;
  // 1. The sources: the same sweep, and together exactly the runs of `layout`.
  std::vector<Source> src;
  for (const std::string& p : sources) {
    Source s;
    s.path = p;
    s.work = p.ends_with(".partial");
    s.file.emplace(h5::File::open(p, false, s.work));
    s.layout = read_layout(*s.file);
    std::string why;
    if (!same_sweep(s.layout, layout, &why))
      throw IoError(fmt::format("'{}' is not part of this sweep ({})", p, why));
    src.push_back(std::move(s));
  }
  if (src.empty()) throw IoError("no files to write the sweep from");
  const bool same_shard = src.size() == 1 && src[0].layout.shard.index == layout.shard.index &&
                          src[0].layout.shard.count == layout.shard.count;
  if (!same_shard) {
    if (layout.shard.count != 1) throw std::logic_error("shards merge into a whole sweep only");
    const std::int64_t n = src[0].layout.shard.count;
    std::set<std::int64_t> seen;
    for (const Source& s : src) {
      if (s.layout.shard.count != n)
        throw IoError(fmt::format("'{}' is shard {}/{} but '{}' is one of {} shards", s.path, s.layout.shard.index,
                                  s.layout.shard.count, src[0].path, n));
      if (!seen.insert(s.layout.shard.index).second)
        throw IoError(fmt::format("shard {}/{} is given twice ('{}')", s.layout.shard.index, n, s.path));
    }
    if (static_cast<std::int64_t>(seen.size()) != n) {
      std::string missing;
      int listed = 0;
      for (std::int64_t i = 0; i < n && listed <= 10; ++i)
        if (!seen.count(i)) missing += (listed++ == 10 ? ", ..." : (missing.empty() ? "" : ", ") + std::to_string(i));
      throw IoError(fmt::format("the sweep has {} shards; missing shard(s) {}", n, missing));
    }
  }
  if (virtual_datasets && same_shard) throw std::logic_error("virtual datasets are for merges");

  // 2. The new file under its temporary name.
  h5::File f = h5::File::create(into.path(), false);
  const std::int64_t rows = layout.rows();
  const auto P = layout.param_names.size(), O = layout.outcome_names.size(), T = layout.time.size();
  std::vector<VirtualSource> virt;
  if (virtual_datasets)
    for (const Source& s : src) virt.push_back({relative_to(s.path, path), s.layout.shard});
  write_layout(f, layout, false, virt);

  // 3. Copy blocks of destination rows; each source gives a contiguous range of its rows.
  FinalSummary sum;
  const std::int64_t block = std::max<std::int64_t>(
      kRowChunk, static_cast<std::int64_t>((std::size_t{8} << 20) / (8 * (P + O + T * std::max<std::size_t>(1, layout.readouts.size()) + 2))) /
                     static_cast<std::int64_t>(kRowChunk) * static_cast<std::int64_t>(kRowChunk));
  std::vector<double> params, outcomes, series, wall, sp, so, ss, sw;
  std::vector<std::int8_t> status, st;
  std::vector<std::string> messages;
  for (std::int64_t r0 = 0; r0 < rows; r0 += block) {
    const std::int64_t r1 = std::min(rows, r0 + block), n = r1 - r0;
    params.assign(static_cast<std::size_t>(n) * P, 0.0);
    outcomes.assign(static_cast<std::size_t>(n) * O, 0.0);
    wall.assign(static_cast<std::size_t>(n), 0.0);
    status.assign(static_cast<std::size_t>(n), 0);
    messages.assign(static_cast<std::size_t>(n), std::string());
    std::vector<std::vector<double>> ser(layout.readouts.size(), std::vector<double>(static_cast<std::size_t>(n) * T));
    for (Source& s : src) {
      const auto [l0, l1] = source_rows(s, layout, r0, r1);
      const auto m = static_cast<hsize_t>(l1 - l0);
      if (m == 0) continue;
      sp.resize(m * P);
      so.resize(m * O);
      sw.resize(m);
      st.resize(m);
      s.file->read_rows("/sweep/params", static_cast<hsize_t>(l0), m, sp.data());
      s.file->read_rows("/sweep/outcomes", static_cast<hsize_t>(l0), m, so.data());
      s.file->read_rows("/sweep/wall_seconds", static_cast<hsize_t>(l0), m, sw.data());
      s.file->read_rows("/sweep/status", static_cast<hsize_t>(l0), m, st.data());
      std::vector<std::string> msg;
      if (s.work) {
        std::vector<std::uint8_t> bytes(m * kMessageBytes);
        s.file->read_rows("/sweep/message_bytes", static_cast<hsize_t>(l0), m, bytes.data());
        for (hsize_t k = 0; k < m; ++k) {
          const char* b = reinterpret_cast<const char*>(&bytes[k * kMessageBytes]);
          msg.emplace_back(b, strnlen(b, kMessageBytes));
        }
      } else {
        msg = s.file->read_strings("/sweep/message", static_cast<hsize_t>(l0), m);
      }
      std::vector<std::vector<double>> sser(layout.readouts.size());
      for (std::size_t k = 0; k < layout.readouts.size(); ++k) {
        sser[k].resize(m * T);
        s.file->read_rows(series_path(layout.readouts[k]), static_cast<hsize_t>(l0), m, sser[k].data());
      }
      for (hsize_t k = 0; k < m; ++k) {
        const std::int64_t run = s.layout.run_of_row(l0 + static_cast<std::int64_t>(k));
        const auto d = static_cast<std::size_t>((run - layout.shard.index) / layout.shard.count - r0);
        // data() + offset, not &v[i]: with no parameters or no time grid the vectors are empty
        std::copy_n(sp.data() + k * P, P, params.data() + d * P);
        std::copy_n(so.data() + k * O, O, outcomes.data() + d * O);
        for (std::size_t q = 0; q < ser.size(); ++q) std::copy_n(sser[q].data() + k * T, T, ser[q].data() + d * T);
        wall[d] = sw[k];
        status[d] = st[k];
        messages[d] = msg[k];
      }
    }
    const auto h0 = static_cast<hsize_t>(r0), hn = static_cast<hsize_t>(n);
    if (!virtual_datasets) {
      f.write_rows("/sweep/params", h0, hn, params.data());
      f.write_rows("/sweep/outcomes", h0, hn, outcomes.data());
      for (std::size_t q = 0; q < ser.size(); ++q) f.write_rows(series_path(layout.readouts[q]), h0, hn, ser[q].data());
    }
    f.write_rows("/sweep/wall_seconds", h0, hn, wall.data());
    f.write_rows("/sweep/status", h0, hn, status.data());
    f.write_strings("/sweep/message", h0, messages);
    for (std::int8_t x : status) (x == 1 ? sum.ok : x == 2 ? sum.failed : sum.pending) += 1;
  }
  // 4. Global-sensitivity indices of a whole Morris or Saltelli sweep.
  if (layout.shard.count == 1 && (layout.design.kind == DesignKind::Morris || layout.design.kind == DesignKind::Saltelli)) {
    std::vector<double> all(static_cast<std::size_t>(rows) * O);
    f.read_rows("/sweep/outcomes", 0, static_cast<hsize_t>(rows), all.data());
    SensitivityTable t;
    try {
      t = analyse_sensitivity(layout.design, static_cast<int>(P), all, static_cast<int>(O));
    } catch (const std::invalid_argument& e) {
      throw IoError(fmt::format("cannot compute the sensitivity indices of '{}': {}", path, e.what()));
    }
    f.create("/sweep/sensitivity/used", Type::I64, {O});
    f.write_rows("/sweep/sensitivity/used", 0, O, t.used.data());
    f.attach_scale("/sweep/sensitivity/used", "/sweep/outcome", 0);
    f.set_attribute("/sweep/sensitivity", "method", t.method);
    f.set_attribute("/sweep/sensitivity/used", "long_name",
                    std::string(t.method == "morris" ? "trajectories without a failed run" : "base rows without a failed run"));
    for (std::size_t k = 0; k < t.index_names.size(); ++k) {
      const std::string p = "/sweep/sensitivity/" + t.index_names[k];
      std::vector<double> v;
      for (const auto& row : t.values[k]) v.insert(v.end(), row.begin(), row.end());
      f.create(p, Type::F64, {O, P});
      f.write_rows(p, 0, O, v.data());
      f.attach_scale(p, "/sweep/outcome", 0);
      f.attach_scale(p, "/sweep/parameter", 1);
    }
  }
  f.set_attribute("/", "runs_ok", sum.ok);
  f.set_attribute("/", "runs_failed", sum.failed);
  f.set_attribute("/", "runs_pending", sum.pending);
  f.close();
  for (Source& s : src) s.file->close();
  return sum;
}

SensitivityTable read_sensitivity(const std::string& path) {
  const h5::Quiet quiet;
  h5::File f = h5::File::open(path, false, false);
  SensitivityTable t;
  if (!f.exists("/sweep/sensitivity")) return t;
  t.method = f.string_attribute("/sweep/sensitivity", "method");
  t.index_names = t.method == "morris" ? std::vector<std::string>{"mu_star", "mu", "sigma"}
                                       : std::vector<std::string>{"ST", "S1", "ST_conf", "S1_conf"};
  const hsize_t O = f.checked_shape("/sweep/outcome", 1, sizeof(double))[0];
  const hsize_t P = f.checked_shape("/sweep/parameter", 1, sizeof(double))[0];
  f.require_shape("/sweep/sensitivity/used", {O});
  for (const std::string& name : t.index_names) f.require_shape("/sweep/sensitivity/" + name, {O, P});
  t.used.resize(O);
  f.read_rows("/sweep/sensitivity/used", 0, O, t.used.data());
  for (const std::string& name : t.index_names) {
    std::vector<double> v(O * P);
    f.read_rows("/sweep/sensitivity/" + name, 0, O, v.data());
    std::vector<std::vector<double>> rows;
    for (hsize_t o = 0; o < O; ++o) rows.emplace_back(v.begin() + static_cast<std::ptrdiff_t>(o * P), v.begin() + static_cast<std::ptrdiff_t>((o + 1) * P));
    t.values.push_back(std::move(rows));
  }
  return t;
}

std::vector<std::int8_t> read_status(const std::string& path) {
  const h5::Quiet quiet;
  h5::File f = h5::File::open(path, false, path.ends_with(".partial"));
  const hsize_t n = f.checked_shape("/sweep/status", 1, 1)[0];
  std::vector<std::int8_t> s(n);
  f.read_rows("/sweep/status", 0, n, s.data());
  return s;
}

}  // namespace citsim::sweep
