// HDF5 writer over the C API + hdf5_hl dimension scales. The layout choices (creation order,
// dimension scales, variable-length string datasets) are what netCDF-4 and xarray need to read
// the file with named dimensions (TOOLCHAIN.md, "HDF5 that xarray and netCDF read").
#include "citsim/io/hdf5_file.hpp"

#include <hdf5.h>
#include <hdf5_hl.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "detail/hdf5_handle.hpp"

namespace citsim {

namespace {

using hdf5::Handle;
using QuietHdf5Errors = hdf5::QuietErrors;

/// "/a//b/" -> "/a/b"; the root is "/". HDF5 paths are absolute from the file root here.
std::string normalize_path(const std::string& path) {
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) {
      out += '/';
      out.append(path, start, end - start);
    }
    start = end + 1;
  }
  return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& normalized) {
  const std::size_t slash = normalized.rfind('/');
  return slash == 0 ? "/" : normalized.substr(0, slash);
}

std::string leaf_of(const std::string& normalized) {
  return normalized.substr(normalized.rfind('/') + 1);
}

using Kind = DataKind;

/// A dataset after validation: normalized paths (its own, its dimensions'), shape and type.
struct PlannedDataset {
  const Dataset* source = nullptr;
  std::string path;
  std::vector<std::string> dims;  // normalized dimension paths
  std::vector<hsize_t> shape;
  Kind kind = Kind::Numbers;
};

struct Plan {
  std::vector<std::string> dimension_paths;  // parallel to contents.dimensions
  std::vector<PlannedDataset> datasets;
  std::vector<std::string> group_paths;  // parallel to contents.groups
};

/// Checks the contents before touching the file system, so bad input never costs a file.
Plan plan_contents(const FileContents& contents) {
  Plan plan;
  std::map<std::string, hsize_t> dim_sizes;
  std::set<std::string> taken;
  for (const Dimension& d : contents.dimensions) {
    const std::string p = normalize_path(d.path);
    if (p == "/") throw std::invalid_argument("HDF5 dimension with an empty path '" + d.path + "'");
    if (!taken.insert(p).second)
      throw std::invalid_argument("HDF5 dimension '" + p + "' is defined twice");
    dim_sizes[p] = d.values.size();
    plan.dimension_paths.push_back(p);
  }
  for (const Dataset& d : contents.datasets) {
    PlannedDataset planned;
    planned.source = &d;
    planned.path = normalize_path(d.path);
    const std::string& name = planned.path;
    if (name == "/")
      throw std::invalid_argument("HDF5 dataset with an empty path '" + d.path + "'");
    if (!taken.insert(name).second)
      throw std::invalid_argument("HDF5 dataset '" + name +
                                  "' is defined twice (or is also a dimension)");
    hsize_t expected = 1;
    for (const std::string& dim : d.dims) {
      const std::string p = normalize_path(dim);
      const auto it = dim_sizes.find(p);
      if (it == dim_sizes.end())
        throw std::invalid_argument("HDF5 dataset '" + name + "' names unknown dimension '" + dim +
                                    "'");
      // netCDF looks dimensions up in the variable's group and its ancestors only; any other
      // place makes the whole file unreadable for netCDF-C and xarray.
      const std::string dim_group = parent_of(p);
      const std::string group = parent_of(name);
      if (dim_group != "/" && group != dim_group && group.rfind(dim_group + "/", 0) != 0)
        throw std::invalid_argument("HDF5 dataset '" + name + "' uses dimension '" + p +
                                    "', which is neither in its group nor in a parent group");
      planned.dims.push_back(p);
      planned.shape.push_back(it->second);
      expected *= it->second;
    }
    planned.kind = d.kind;
    const bool stray = (d.kind != Kind::Numbers && !d.numbers.empty()) ||
                       (d.kind != Kind::Integers && !d.integers.empty()) ||
                       (d.kind != Kind::Strings && !d.strings.empty());
    if (stray)
      throw std::invalid_argument("HDF5 dataset '" + name +
                                  "' has values in a vector other than the one its kind names");
    const std::size_t size = planned.kind == Kind::Integers  ? d.integers.size()
                             : planned.kind == Kind::Strings ? d.strings.size()
                                                             : d.numbers.size();
    if (size != expected)
      throw std::invalid_argument("HDF5 dataset '" + name + "' has " + std::to_string(size) +
                                  " values but its dimensions give " + std::to_string(expected));
    plan.datasets.push_back(std::move(planned));
  }
  for (const GroupAttributes& g : contents.groups) {
    const std::string p = normalize_path(g.path);
    if (taken.count(p) != 0)
      throw std::invalid_argument("HDF5 group '" + p + "' is already a dataset or a dimension");
    plan.group_paths.push_back(p);
  }
  return plan;
}

/// Chunk shape of about 1 MiB: whole inner extents while they fit, then as many outer rows.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& shape, std::size_t element_size) {
  constexpr hsize_t target_bytes = hsize_t{1} << 20;
  hsize_t budget = std::max<hsize_t>(1, target_bytes / element_size);
  std::vector<hsize_t> chunk(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    chunk[i] = std::clamp<hsize_t>(budget, 1, shape[i]);
    budget = std::max<hsize_t>(1, budget / chunk[i]);
  }
  return chunk;
}

/// One open file being written; every HDF5 call goes through `check`.
class Writer {
 public:
  Writer(std::string final_path, std::string temp_path)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)) {
    Handle fcpl = make(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "H5Pcreate", "/");
    // netCDF lists variables (and attributes) in creation order only when it is tracked.
    check(H5Pset_link_creation_order(fcpl.get(), kOrderFlags), "H5Pset_link_creation_order", "/");
    check(H5Pset_attr_creation_order(fcpl.get(), kOrderFlags), "H5Pset_attr_creation_order", "/");
    Handle fapl = make(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", "/");
    // SEMI: H5Fclose fails if something is still open instead of silently deferring the close.
    check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", "/");
    file_ = make(H5Fcreate(temp_path_.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose,
                 "H5Fcreate", "/");

    gcpl_ = make(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "H5Pcreate", "/");
    check(H5Pset_link_creation_order(gcpl_.get(), kOrderFlags), "H5Pset_link_creation_order", "/");
    check(H5Pset_attr_creation_order(gcpl_.get(), kOrderFlags), "H5Pset_attr_creation_order", "/");
    // No modification times: the same contents give the same bytes (reproducible outputs).
    check(H5Pset_obj_track_times(gcpl_.get(), false), "H5Pset_obj_track_times", "/");
  }

  void write_dimension(const Dimension& dim, const std::string& path) {
    ensure_group(parent_of(path));
    const std::vector<hsize_t> shape{dim.values.size()};
    Handle dcpl = dataset_plist(path, shape, sizeof(double), false);
    Handle space = make(H5Screate_simple(1, shape.data(), nullptr), H5Sclose, "H5Screate_simple",
                        path);
    Handle dset = make(H5Dcreate2(file_.get(), path.c_str(), H5T_IEEE_F64LE, space.get(),
                                  H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                       H5Dclose, "H5Dcreate2", path);
    if (!dim.values.empty())
      check(H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                     dim.values.data()),
            "H5Dwrite", path);
    check(H5DSset_scale(dset.get(), leaf_of(path).c_str()), "H5DSset_scale", path);
    write_string_attribute(dset.get(), path, "units", dim.units, true);
    write_string_attribute(dset.get(), path, "long_name", dim.long_name, true);
    scales_.emplace(path, std::move(dset));
  }

  void write_dataset(const PlannedDataset& planned) {
    const Dataset& d = *planned.source;
    const std::string& path = planned.path;
    ensure_group(parent_of(path));

    Handle type;
    hid_t file_type = H5T_IEEE_F64LE;
    hid_t memory_type = H5T_NATIVE_DOUBLE;
    std::size_t element_size = sizeof(double);
    std::vector<const char*> pointers;
    const void* buffer = d.numbers.data();
    switch (planned.kind) {
      case Kind::Numbers:
        break;
      case Kind::Integers:
        file_type = H5T_STD_I64LE;
        memory_type = H5T_NATIVE_INT64;
        element_size = sizeof(std::int64_t);
        buffer = d.integers.data();
        break;
      case Kind::Strings:
        // Variable-length: netCDF-C 4.9 aborts on fixed-length string datasets.
        type = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", path);
        check(H5Tset_size(type.get(), H5T_VARIABLE), "H5Tset_size", path);
        check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", path);
        file_type = memory_type = type.get();
        element_size = sizeof(char*);
        pointers.reserve(d.strings.size());
        for (const std::string& s : d.strings) pointers.push_back(s.c_str());
        buffer = pointers.data();
        break;
    }

    bool empty = false;
    for (hsize_t n : planned.shape) empty = empty || n == 0;
    // Filters on variable-length data only squeeze the heap IDs; not worth the reader risk.
    const bool compress = d.compress && !empty && !planned.shape.empty() &&
                          planned.kind != Kind::Strings;
    Handle dcpl = dataset_plist(path, planned.shape, element_size, compress);
    Handle space = planned.shape.empty()
                       ? make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", path)
                       : make(H5Screate_simple(int(planned.shape.size()), planned.shape.data(),
                                               nullptr),
                              H5Sclose, "H5Screate_simple", path);
    Handle dset = make(H5Dcreate2(file_.get(), path.c_str(), file_type, space.get(), H5P_DEFAULT,
                                  dcpl.get(), H5P_DEFAULT),
                       H5Dclose, "H5Dcreate2", path);
    if (!empty)
      check(H5Dwrite(dset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer), "H5Dwrite",
            path);
    for (std::size_t axis = 0; axis < planned.dims.size(); ++axis) {
      const Handle& scale = scales_.at(planned.dims[axis]);
      check(H5DSattach_scale(dset.get(), scale.get(), unsigned(axis)), "H5DSattach_scale",
            path + " (axis " + std::to_string(axis) + ", scale " + planned.dims[axis] + ")");
    }
    write_string_attribute(dset.get(), path, "units", d.units, true);
    write_string_attribute(dset.get(), path, "long_name", d.long_name, true);
    write_attributes(dset.get(), path, d.attributes);
  }

  void write_group_attributes(const GroupAttributes& group, const std::string& path) {
    ensure_group(path);
    Handle g = make(H5Gopen2(file_.get(), path.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2", path);
    write_attributes(g.get(), path, group.attributes);
  }

  /// Closes everything and then the file, checking the close that flushes to disk.
  void close() {
    for (auto& [path, scale] : scales_) check(scale.close(), "H5Dclose", path);
    scales_.clear();
    check(gcpl_.close(), "H5Pclose", "/");
    check(file_.close(), "H5Fclose", "/");
  }

 private:
  static constexpr unsigned kOrderFlags = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

  [[noreturn]] void fail(const char* function, const std::string& object) const {
    const std::string detail = hdf5::take_innermost_error();
    throw IoError("HDF5 " + std::string(function) + " failed for '" + object + "' in '" +
                  final_path_ + "' (writing '" + temp_path_ + "')" +
                  (detail.empty() ? std::string() : ": " + detail));
  }

  void check(herr_t status, const char* function, const std::string& object) const {
    if (status < 0) fail(function, object);
  }

  Handle make(hid_t id, Handle::Closer closer, const char* function,
              const std::string& object) const {
    if (id < 0) fail(function, object);
    return Handle(id, closer);
  }

  /// Creates `path` and its missing ancestors, each with creation order tracked.
  void ensure_group(const std::string& path) {
    std::size_t pos = 0;
    while (pos < path.size()) {
      const std::size_t next = std::min(path.find('/', pos + 1), path.size());
      const std::string prefix = path.substr(0, next);
      if (prefix.size() > 1) {
        const htri_t exists = H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT);
        if (exists < 0) fail("H5Lexists", prefix);
        if (exists == 0)
          make(H5Gcreate2(file_.get(), prefix.c_str(), H5P_DEFAULT, gcpl_.get(), H5P_DEFAULT),
               H5Gclose, "H5Gcreate2", prefix);
      }
      pos = next;
    }
  }

  Handle dataset_plist(const std::string& path, const std::vector<hsize_t>& shape,
                       std::size_t element_size, bool compress) const {
    Handle dcpl = make(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", path);
    check(H5Pset_attr_creation_order(dcpl.get(), kOrderFlags), "H5Pset_attr_creation_order",
          path);
    check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times", path);
    if (compress) {
      const std::vector<hsize_t> chunk = chunk_shape(shape, element_size);
      check(H5Pset_chunk(dcpl.get(), int(chunk.size()), chunk.data()), "H5Pset_chunk", path);
      check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", path);
      check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", path);
    }
    return dcpl;
  }

  void write_attributes(hid_t object, const std::string& path,
                        const std::vector<Attribute>& attributes) {
    for (const Attribute& a : attributes) {
      const std::string where = path + "@" + a.name;
      if (const auto* v = std::get_if<double>(&a.value)) {
        write_scalar_attribute(object, where, a.name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, v);
      } else if (const auto* i = std::get_if<std::int64_t>(&a.value)) {
        write_scalar_attribute(object, where, a.name, H5T_STD_I64LE, H5T_NATIVE_INT64, i);
      } else if (const auto* s = std::get_if<std::string>(&a.value)) {
        write_string_attribute(object, path, a.name, *s, false);
      } else {
        const auto& values = std::get<std::vector<double>>(a.value);
        const hsize_t n = values.size();
        Handle space = make(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple", where);
        Handle attr = make(H5Acreate2(object, a.name.c_str(), H5T_IEEE_F64LE, space.get(),
                                      H5P_DEFAULT, H5P_DEFAULT),
                           H5Aclose, "H5Acreate2", where);
        if (n > 0)
          check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, values.data()), "H5Awrite", where);
      }
    }
  }

  void write_scalar_attribute(hid_t object, const std::string& where, const std::string& name,
                              hid_t file_type, hid_t memory_type, const void* value) {
    Handle space = make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", where);
    Handle attr = make(H5Acreate2(object, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT),
                       H5Aclose, "H5Acreate2", where);
    check(H5Awrite(attr.get(), memory_type, value), "H5Awrite", where);
  }

  /// Fixed-length (netCDF reads those as text attributes); skipped when empty if `optional`.
  void write_string_attribute(hid_t object, const std::string& path, const std::string& name,
                              const std::string& value, bool optional) {
    if (optional && value.empty()) return;
    const std::string where = path + "@" + name;
    Handle type = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", where);
    check(H5Tset_size(type.get(), std::max<std::size_t>(1, value.size())), "H5Tset_size", where);
    check(H5Tset_strpad(type.get(), H5T_STR_NULLTERM), "H5Tset_strpad", where);
    check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "H5Tset_cset", where);
    Handle space = make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", where);
    Handle attr = make(H5Acreate2(object, name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT),
                       H5Aclose, "H5Acreate2", where);
    // c_str() has size()+1 bytes, enough for the type's max(1, size()).
    check(H5Awrite(attr.get(), type.get(), value.c_str()), "H5Awrite", where);
  }

  std::string final_path_;
  std::string temp_path_;
  Handle file_;  // declared first: closed after everything inside it
  Handle gcpl_;
  std::map<std::string, Handle> scales_;  // open dimension scales by normalized path
};

}  // namespace

void write_hdf5(const AtomicFile& file, const FileContents& contents) {
  const Plan plan = plan_contents(contents);
  const QuietHdf5Errors quiet;
  Writer writer(file.target(), file.path());
  for (std::size_t i = 0; i < contents.dimensions.size(); ++i)
    writer.write_dimension(contents.dimensions[i], plan.dimension_paths[i]);
  for (const PlannedDataset& d : plan.datasets) writer.write_dataset(d);
  for (std::size_t i = 0; i < contents.groups.size(); ++i)
    writer.write_group_attributes(contents.groups[i], plan.group_paths[i]);
  writer.close();
}

void write_hdf5(const std::string& path, const FileContents& contents) {
  plan_contents(contents);        // a malformed description fails before anything is created
  AtomicFile file(path);          // refuses an unwritable place before any HDF5 work
  write_hdf5(file, contents);
  file.commit();
}

void skip_hdf5_cleanup_at_exit() { hdf5::skip_cleanup_at_exit(); }

}  // namespace citsim
