// Reading a run file back with the HDF5 C API (layout: docs/file-format.md). Every call is
// checked; a failure names the file and the object.
#include "citsim/report/run_file.hpp"

#include <hdf5.h>
#include <fmt/format.h>

#include <utility>

#include "citsim/errors.hpp"
#include "../io/detail/hdf5_handle.hpp"

namespace citsim {

namespace {

using hdf5::Handle;
using hdf5::QuietErrors;

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw IoError(fmt::format("{}: {} (is it a citsim run file? see docs/file-format.md)", path_, what));
  }

  bool exists(hid_t loc, const std::string& name) const {
    return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
  }

  /// Names of the members of a group, in creation order when tracked, else by name.
  std::vector<std::string> members(hid_t group, const std::string& where) const {
    std::vector<std::string> names;
    auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
      static_cast<std::vector<std::string>*>(out)->emplace_back(name);
      return 0;
    };
    if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect, &names) < 0) {
      names.clear();
      if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0)
        fail(fmt::format("cannot list the group {}", where));
    }
    return names;
  }

  std::string string_attribute(hid_t obj, const std::string& name, const std::string& where) const {
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a) fail(fmt::format("no attribute '{}' on {}", name, where));
    Handle type(H5Aget_type(a.get()), H5Tclose);
    if (!type || H5Tget_class(type.get()) != H5T_STRING)
      fail(fmt::format("attribute '{}' on {} is not text", name, where));
    Handle space(H5Aget_space(a.get()), H5Sclose);
    if (!space || H5Sget_simple_extent_npoints(space.get()) != 1)
      fail(fmt::format("attribute '{}' on {} is not one text", name, where));
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      char* text = nullptr;
      // the file's character set: HDF5 converts no strings between ASCII and UTF-8 (h5py writes UTF-8)
      if (H5Tset_size(mem.get(), H5T_VARIABLE) < 0 || H5Tset_cset(mem.get(), H5Tget_cset(type.get())) < 0 ||
          H5Aread(a.get(), mem.get(), &text) < 0)
        fail(fmt::format("cannot read attribute '{}' on {}", name, where));
      std::string out = text ? text : "";
      H5free_memory(text);
      return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    std::string out(size, '\0');
    if (size > 0 && H5Aread(a.get(), type.get(), out.data()) < 0)
      fail(fmt::format("cannot read attribute '{}' on {}", name, where));
    out.resize(out.find('\0') == std::string::npos ? out.size() : out.find('\0'));
    return out;
  }

  /// A numeric attribute's values (one for a scalar).
  std::vector<double> number_attribute(hid_t obj, const std::string& name, const std::string& where) const {
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a) fail(fmt::format("no attribute '{}' on {}", name, where));
    Handle space(H5Aget_space(a.get()), H5Sclose);
    const hssize_t n = space ? H5Sget_simple_extent_npoints(space.get()) : -1;
    if (n < 0) fail(fmt::format("cannot read the size of attribute '{}' on {}", name, where));
    if (const std::string why = hdf5::implausible_size(a.get(), {static_cast<hsize_t>(n)}, sizeof(double)); !why.empty())
      fail(fmt::format("attribute '{}' on {}: {}", name, where, why));
    std::vector<double> out(static_cast<std::size_t>(n));
    if (n > 0 && H5Aread(a.get(), H5T_NATIVE_DOUBLE, out.data()) < 0)
      fail(fmt::format("attribute '{}' on {} is not a number", name, where));
    return out;
  }

  /// A numeric attribute that must hold one value.
  double number(hid_t obj, const std::string& name, const std::string& where) const {
    const std::vector<double> v = number_attribute(obj, name, where);
    if (v.size() != 1) fail(fmt::format("attribute '{}' on {} holds {} values, not one number", name, where, v.size()));
    return v[0];
  }

  /// True for a single-value attribute (HDF5 scalar dataspace), false for arrays of any length.
  bool is_scalar_attribute(hid_t obj, const std::string& name) const {
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a) return false;
    Handle space(H5Aget_space(a.get()), H5Sclose);
    return space && H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
  }

  bool is_text_attribute(hid_t obj, const std::string& name) const {
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a) return false;
    Handle type(H5Aget_type(a.get()), H5Tclose);
    return type && H5Tget_class(type.get()) == H5T_STRING;
  }

  std::vector<std::string> attribute_names(hid_t obj, const std::string& where) const {
    std::vector<std::string> names;
    auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
      static_cast<std::vector<std::string>*>(out)->emplace_back(name);
      return 0;
    };
    if (H5Aiterate2(obj, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect, &names) < 0) {
      names.clear();
      if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names) < 0)
        fail(fmt::format("cannot list the attributes of {}", where));
    }
    return names;
  }

  /// A numeric dataset, converted to double, with its dimensions.
  std::vector<double> numbers(hid_t loc, const std::string& path, std::vector<hsize_t>* shape = nullptr) const {
    Handle d(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d) fail(fmt::format("no dataset {}", path));
    Handle space(H5Dget_space(d.get()), H5Sclose);
    const int rank = space ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank < 0) fail(fmt::format("cannot read the shape of {}", path));
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr) < 0)
      fail(fmt::format("cannot read the shape of {}", path));
    if (const std::string why = hdf5::implausible_size(d.get(), dims, sizeof(double)); !why.empty())
      fail(fmt::format("{}: {}", path, why));
    std::size_t n = 1;
    for (hsize_t k : dims) n *= static_cast<std::size_t>(k);
    std::vector<double> out(n);
    if (n > 0 && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0)
      fail(fmt::format("cannot read {} as numbers", path));
    if (shape) *shape = dims;
    return out;
  }

  /// A variable-length string dataset.
  std::vector<std::string> strings(hid_t loc, const std::string& path) const {
    Handle d(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d) fail(fmt::format("no dataset {}", path));
    Handle space(H5Dget_space(d.get()), H5Sclose);
    const hssize_t n = space ? H5Sget_simple_extent_npoints(space.get()) : -1;
    if (n < 0) fail(fmt::format("cannot read the size of {}", path));
    if (const std::string why = hdf5::implausible_size(d.get(), {static_cast<hsize_t>(n)}, sizeof(char*)); !why.empty())
      fail(fmt::format("{}: {}", path, why));
    Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
    if (!mem || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 || H5Tset_cset(mem.get(), H5T_CSET_UTF8) < 0)
      fail("cannot make a string type");
    std::vector<char*> raw(static_cast<std::size_t>(n), nullptr);
    if (n > 0 && H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) < 0)
      fail(fmt::format("cannot read {} as text", path));
    std::vector<std::string> out;
    for (char* s : raw) out.emplace_back(s ? s : "");
    if (n > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, raw.data());
    return out;
  }

  bool is_text_dataset(hid_t loc, const std::string& path) const {
    Handle d(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d) fail(fmt::format("no dataset {}", path));
    Handle type(H5Dget_type(d.get()), H5Tclose);
    return type && H5Tget_class(type.get()) == H5T_STRING;
  }

  /// units and long_name of a dataset ("" where absent).
  std::pair<std::string, std::string> describe(hid_t loc, const std::string& path) const {
    Handle d(H5Dopen2(loc, path.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d) fail(fmt::format("no dataset {}", path));
    auto get = [&](const char* name) {
      return H5Aexists(d.get(), name) > 0 ? string_attribute(d.get(), name, path) : std::string();
    };
    return {get("units"), get("long_name")};
  }

  /// Every dataset of a group as a series; `expected` is the element count each must have.
  std::vector<NamedSeries> group_series(hid_t file, const std::string& group, std::size_t expected) const {
    if (!exists(file, group)) fail(fmt::format("no group {}", group));
    Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose);
    if (!g) fail(fmt::format("cannot open the group {}", group));
    std::vector<NamedSeries> out;
    for (const std::string& name : members(g.get(), group)) {
      const std::string path = group + "/" + name;
      H5O_info_t info;
      if (H5Oget_info_by_name(file, path.c_str(), &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET)
        continue;
      NamedSeries s;
      s.name = name;
      s.values = numbers(file, path);
      std::tie(s.units, s.long_name) = describe(file, path);
      if (s.values.size() != expected)
        fail(fmt::format("{} has {} values, expected {}", path, s.values.size(), expected));
      out.push_back(std::move(s));
    }
    return out;
  }

 private:
  std::string path_;
};

const NamedSeries* find_series(const std::vector<NamedSeries>& v, const std::string& name) {
  for (const NamedSeries& s : v)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

const NamedSeries* RunFile::readout(const std::string& name) const { return find_series(readouts, name); }
const NamedSeries* RunFile::profile(const std::string& name) const { return find_series(profiles, name); }
const SessionColumn* RunFile::session_column(const std::string& name) const {
  for (const SessionColumn& c : sessions)
    if (c.name == name) return &c;
  return nullptr;
}

RunFile read_run_file(const std::string& path) {
  QuietErrors quiet;
  Reader r(path);
  if (H5Fis_hdf5(path.c_str()) <= 0) throw IoError(fmt::format("{}: not an HDF5 file, or cannot be read", path));
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  if (!file) throw IoError(fmt::format("{}: cannot open", path));
  const hid_t f = file.get();

  // 0. Files of citsim's other commands: what they are and what to do with them.
  if (r.exists(f, "sweep"))
    throw IoError(fmt::format("{0}: a sweep file (citsim sweep or merge), not a run: a report shows runs. Plot the "
                              "sweep with scripts/figures/citsim_plot.py sweep {0} OUTCOME X Y, read it with xarray "
                              "(docs/cluster.md, \"The file\"), or run one of its points with citsim run and report "
                              "that",
                              path));
  if (H5Aexists(f, "title") > 0 && r.string_attribute(f, "title", "/") == "citsim local sensitivities")
    throw IoError(fmt::format("{}: a sensitivity table (citsim sensitivity -o), not a run: a report shows runs; "
                              "read the table with h5py or xarray (docs/file-format.md, \"Sensitivity files\")",
                              path));

  RunFile run;
  run.path = path;
  // 1. Root attributes.
  run.citsim_version = r.string_attribute(f, "citsim_version", "/");
  run.model_level = r.string_attribute(f, "model_level", "/");
  run.created = r.string_attribute(f, "created", "/");
  run.config = r.string_attribute(f, "config", "/");
  run.config_path = H5Aexists(f, "config_path") > 0 ? r.string_attribute(f, "config_path", "/") : "";
  run.warnings = H5Aexists(f, "warnings") > 0 ? r.string_attribute(f, "warnings", "/") : "";
  run.pre_treatment_R0 = r.number(f, "pre_treatment_R0", "/");

  // 2. Dimensions, then every group over them.
  run.time = r.numbers(f, "/time");
  run.z = r.numbers(f, "/z");
  run.profile_time = r.numbers(f, "/profile_time");
  run.readouts = r.group_series(f, "/readouts", run.time.size());
  run.dermis = r.group_series(f, "/layers/dermis", run.time.size());
  run.profiles = r.group_series(f, "/profiles", run.profile_time.size() * run.z.size());
  run.tissue = r.group_series(f, "/tissue", run.z.size());
  for (const char* needed : {"R0", "firmness_gain", "collagen_induction", "elastin_change"})
    if (!run.readout(needed)) r.fail(fmt::format("no dataset /readouts/{}", needed));

  // 3. Sessions: one row each; text columns as strings.
  if (!r.exists(f, "/sessions")) r.fail("no group /sessions");
  {
    Handle g(H5Gopen2(f, "/sessions", H5P_DEFAULT), H5Gclose);
    if (!g) r.fail("cannot open the group /sessions");
    std::size_t rows = 0;
    bool first = true;
    for (const std::string& name : r.members(g.get(), "/sessions")) {
      if (name == "session") continue;
      const std::string p = "/sessions/" + name;
      SessionColumn c;
      c.name = name;
      std::tie(c.units, c.long_name) = r.describe(f, p);
      if (r.is_text_dataset(f, p))
        c.strings = r.strings(f, p);
      else
        c.numbers = r.numbers(f, p);
      const std::size_t n = c.strings.empty() ? c.numbers.size() : c.strings.size();
      if (!first && n != rows) r.fail(fmt::format("{} has {} rows, the other session columns {}", p, n, rows));
      rows = n;
      first = false;
      run.sessions.push_back(std::move(c));
    }
    if (!run.session_column("time")) r.fail("no dataset /sessions/time");
  }

  // 4. Parameters: base values, <name>_effective beside them, units from /parameters/units.
  if (!r.exists(f, "/parameters")) r.fail("no group /parameters");
  Handle params(H5Gopen2(f, "/parameters", H5P_DEFAULT), H5Gclose);
  if (!params) r.fail("cannot open the group /parameters");
  const bool has_units = r.exists(f, "/parameters/units");
  Handle units(has_units ? H5Gopen2(f, "/parameters/units", H5P_DEFAULT) : H5I_INVALID_HID, H5Gclose);
  const std::vector<std::string> names = r.attribute_names(params.get(), "/parameters");
  auto has = [&](const std::string& n) { return H5Aexists(params.get(), n.c_str()) > 0; };
  const std::string suffix = "_effective";
  for (const std::string& name : names) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        has(name.substr(0, name.size() - suffix.size())))
      continue;  // shown beside its base value
    // Derived per-depth rates are arrays (one value per cell, also in 0D): /tissue shows them.
    if (r.is_text_attribute(params.get(), name) || !r.is_scalar_attribute(params.get(), name)) continue;
    ParameterEntry e;
    e.name = name;
    e.value = r.number(params.get(), name, "/parameters");
    if (has(name + suffix)) {
      e.has_effective = true;
      e.effective = r.number(params.get(), name + suffix, "/parameters");
    }
    if (units && H5Aexists(units.get(), name.c_str()) > 0)
      e.unit = r.string_attribute(units.get(), name, "/parameters/units");
    run.parameters.push_back(std::move(e));
  }
  return run;
}

}  // namespace citsim
