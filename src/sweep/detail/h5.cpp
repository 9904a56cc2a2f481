// Checked HDF5 calls for the sweep store (TOOLCHAIN.md: creation order tracked for netCDF,
// variable-length string datasets, dimension scales from hdf5_hl, SWMR needs the latest format).
#include "detail/h5.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "citsim/errors.hpp"

namespace citsim::sweep::h5 {
namespace {

constexpr unsigned kOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

hid_t file_type(Type t) {
  switch (t) {
    case Type::F64: return H5T_IEEE_F64LE;
    case Type::I64: return H5T_STD_I64LE;
    case Type::I8: return H5T_STD_I8LE;
    case Type::U8: return H5T_STD_U8LE;
    case Type::String: break;
  }
  return H5I_INVALID_HID;
}

std::string parent_of(const std::string& p) {
  const auto slash = p.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : p.substr(0, slash);
}

}  // namespace

void File::fail(const char* function, const std::string& object) const {
  const std::string detail = hdf5::take_innermost_error();
  throw IoError("HDF5 " + std::string(function) + " failed for '" + object + "' in '" + path_ + "'" +
                (detail.empty() ? std::string() : ": " + detail));
}

void File::check(herr_t status, const char* function, const std::string& object) const {
  if (status < 0) fail(function, object);
}

Id File::make(hid_t id, Id::Closer closer, const char* function, const std::string& object) const {
  if (id < 0) fail(function, object);
  return Id(id, closer);
}

File File::create(const std::string& path, bool swmr_format) {
  File f(path, Id());
  Id fcpl = f.make(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "H5Pcreate", "/");
  f.check(H5Pset_link_creation_order(fcpl.get(), kOrder), "H5Pset_link_creation_order", "/");
  f.check(H5Pset_attr_creation_order(fcpl.get(), kOrder), "H5Pset_attr_creation_order", "/");
  Id fapl = f.make(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", "/");
  f.check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", "/");
  if (swmr_format)
    f.check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "H5Pset_libver_bounds", "/");
  f.file_ = f.make(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), H5Fclose, "H5Fcreate", "/");
  return f;
}

File File::open(const std::string& path, bool write, bool clear_status) {
  File f(path, Id());
  Id fapl = f.make(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate", "/");
  f.check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", "/");
  if (clear_status) {
    f.check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "H5Pset_libver_bounds", "/");
    // What `h5clear -s` does: a writer killed under SWMR leaves the superblock marked as open.
    hbool_t clear = 1;
    f.check(H5Pset(fapl.get(), "clear_status_flags", &clear), "H5Pset(clear_status_flags)", "/");
  }
  f.file_ = f.make(H5Fopen(path.c_str(), write ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get()), H5Fclose, "H5Fopen", "/");
  return f;
}

void File::start_swmr_write() { check(H5Fstart_swmr_write(file_.get()), "H5Fstart_swmr_write", "/"); }
void File::flush() { check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "H5Fflush", "/"); }
void File::close() { check(file_.close(), "H5Fclose", "/"); }

bool File::exists(const std::string& object) const {
  // every component must exist for H5Lexists on the full path to be defined
  std::size_t pos = 0;
  while (pos < object.size()) {
    const std::size_t next = std::min(object.find('/', pos + 1), object.size());
    const std::string prefix = object.substr(0, next);
    if (prefix.size() > 1) {
      const htri_t e = H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT);
      if (e < 0) fail("H5Lexists", prefix);
      if (e == 0) return false;
    }
    pos = next;
  }
  return true;
}

void File::ensure_group(const std::string& path) {
  std::size_t pos = 0;
  while (pos < path.size()) {
    const std::size_t next = std::min(path.find('/', pos + 1), path.size());
    const std::string prefix = path.substr(0, next);
    if (prefix.size() > 1) {
      const htri_t e = H5Lexists(file_.get(), prefix.c_str(), H5P_DEFAULT);
      if (e < 0) fail("H5Lexists", prefix);
      if (e == 0) {
        Id gcpl = make(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "H5Pcreate", prefix);
        check(H5Pset_link_creation_order(gcpl.get(), kOrder), "H5Pset_link_creation_order", prefix);
        check(H5Pset_attr_creation_order(gcpl.get(), kOrder), "H5Pset_attr_creation_order", prefix);
        check(H5Pset_obj_track_times(gcpl.get(), false), "H5Pset_obj_track_times", prefix);
        make(H5Gcreate2(file_.get(), prefix.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose,
             "H5Gcreate2", prefix);
      }
    }
    pos = next;
  }
}

void File::create(const std::string& path, Type type, const std::vector<hsize_t>& dims,
                  const std::vector<hsize_t>& chunk, bool compress) {
  ensure_group(parent_of(path));
  Id dcpl = make(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", path);
  check(H5Pset_attr_creation_order(dcpl.get(), kOrder), "H5Pset_attr_creation_order", path);
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times", path);
  bool empty = false;
  for (hsize_t d : dims) empty = empty || d == 0;
  if (!chunk.empty() && !empty) {
    std::vector<hsize_t> c = chunk;
    for (std::size_t i = 0; i < c.size(); ++i) c[i] = std::clamp<hsize_t>(c[i], 1, dims[i]);
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(c.size()), c.data()), "H5Pset_chunk", path);
    if (compress) {
      check(H5Pset_shuffle(dcpl.get()), "H5Pset_shuffle", path);
      check(H5Pset_deflate(dcpl.get(), 4), "H5Pset_deflate", path);
    }
  }
  Id t;
  hid_t ft = file_type(type);
  if (type == Type::String) {
    t = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", path);
    check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", path);
    check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", path);
    ft = t.get();
  } else if (type == Type::F64) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "H5Pset_fill_value", path);
  }
  Id space = make(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
                  "H5Screate_simple", path);
  make(H5Dcreate2(file_.get(), path.c_str(), ft, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
       H5Dclose, "H5Dcreate2", path);
}

void File::create_virtual(const std::string& path, Type type, const std::vector<hsize_t>& dims,
                          const std::vector<VirtualMap>& maps) {
  ensure_group(parent_of(path));
  Id dcpl = make(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate", path);
  check(H5Pset_attr_creation_order(dcpl.get(), kOrder), "H5Pset_attr_creation_order", path);
  check(H5Pset_obj_track_times(dcpl.get(), false), "H5Pset_obj_track_times", path);
  if (type == Type::F64) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    check(H5Pset_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &nan), "H5Pset_fill_value", path);
  }
  const int rank = static_cast<int>(dims.size());
  Id vspace = make(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose, "H5Screate_simple", path);
  for (const VirtualMap& m : maps) {
    if (m.count == 0) continue;
    std::vector<hsize_t> start(dims.size(), 0), stride(dims.size(), 1), count(dims.begin(), dims.end()),
        block(dims.size(), 1);
    start[0] = m.start;
    stride[0] = m.stride;
    count[0] = m.count;
    check(H5Sselect_hyperslab(vspace.get(), H5S_SELECT_SET, start.data(), stride.data(), count.data(), block.data()),
          "H5Sselect_hyperslab", path);
    std::vector<hsize_t> sdims(dims.begin(), dims.end());
    sdims[0] = m.count;
    Id sspace = make(H5Screate_simple(rank, sdims.data(), nullptr), H5Sclose, "H5Screate_simple", m.source_file);
    check(H5Pset_virtual(dcpl.get(), vspace.get(), m.source_file.c_str(), m.source_dataset.c_str(), sspace.get()),
          "H5Pset_virtual", path);
  }
  check(H5Sselect_all(vspace.get()), "H5Sselect_all", path);
  make(H5Dcreate2(file_.get(), path.c_str(), file_type(type), vspace.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
       H5Dclose, "H5Dcreate2", path);
}

Id File::dataset(const std::string& path) const {
  return make(H5Dopen2(file_.get(), path.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2", path);
}

Id File::object(const std::string& path) const {
  return make(H5Oopen(file_.get(), path.c_str(), H5P_DEFAULT), H5Oclose, "H5Oopen", path);
}

std::vector<hsize_t> File::shape(const std::string& path) const {
  Id d = dataset(path);
  Id space = make(H5Dget_space(d.get()), H5Sclose, "H5Dget_space", path);
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("H5Sget_simple_extent_ndims", path);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims", path);
  return dims;
}

std::vector<hsize_t> File::checked_shape(const std::string& path, std::size_t rank, std::size_t element_bytes) const {
  const std::vector<hsize_t> dims = shape(path);
  if (dims.size() != rank)
    throw IoError("'" + path + "' in '" + path_ + "' has " + std::to_string(dims.size()) + " dimension(s), not " +
                  std::to_string(rank) + ": not a citsim sweep file");
  Id d = dataset(path);
  if (const std::string why = hdf5::implausible_size(d.get(), dims, element_bytes); !why.empty())
    throw IoError("'" + path + "' in '" + path_ + "': " + why);
  return dims;
}

void File::require_shape(const std::string& path, const std::vector<hsize_t>& expected) const {
  const std::vector<hsize_t> dims = shape(path);
  if (dims == expected) return;
  const auto text = [](const std::vector<hsize_t>& v) {
    std::string t = "(";
    for (std::size_t i = 0; i < v.size(); ++i) t += (i ? ", " : "") + std::to_string(v[i]);
    return t + ")";
  };
  throw IoError("'" + path + "' in '" + path_ + "' has shape " + text(dims) + ", the sweep's layout needs " +
                text(expected) + ": the file is damaged or not a citsim sweep file");
}

void File::rows_io(const std::string& path, hsize_t row, hsize_t rows, hid_t memtype, void* data,
                   bool write) const {
  if (rows == 0) return;
  Id d = dataset(path);
  Id fspace = make(H5Dget_space(d.get()), H5Sclose, "H5Dget_space", path);
  const int rank = H5Sget_simple_extent_ndims(fspace.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 1)));
  check(H5Sget_simple_extent_dims(fspace.get(), dims.data(), nullptr), "H5Sget_simple_extent_dims", path);
  if (row + rows > dims[0])
    throw IoError("rows " + std::to_string(row) + ".." + std::to_string(row + rows) + " are outside '" + path +
                  "' (" + std::to_string(dims[0]) + " rows) in '" + path_ + "'");
  std::vector<hsize_t> start(dims.size(), 0), count(dims);
  start[0] = row;
  count[0] = rows;
  check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab", path);
  Id mspace = make(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose,
                   "H5Screate_simple", path);
  if (write)
    check(H5Dwrite(d.get(), memtype, mspace.get(), fspace.get(), H5P_DEFAULT, data), "H5Dwrite", path);
  else
    check(H5Dread(d.get(), memtype, mspace.get(), fspace.get(), H5P_DEFAULT, data), "H5Dread", path);
}

void File::write_rows(const std::string& ds, hsize_t row, hsize_t rows, const double* data) {
  rows_io(ds, row, rows, H5T_NATIVE_DOUBLE, const_cast<double*>(data), true);
}
void File::write_rows(const std::string& ds, hsize_t row, hsize_t rows, const std::int64_t* data) {
  rows_io(ds, row, rows, H5T_NATIVE_INT64, const_cast<std::int64_t*>(data), true);
}
void File::write_rows(const std::string& ds, hsize_t row, hsize_t rows, const std::int8_t* data) {
  rows_io(ds, row, rows, H5T_NATIVE_INT8, const_cast<std::int8_t*>(data), true);
}
void File::write_rows(const std::string& ds, hsize_t row, hsize_t rows, const std::uint8_t* data) {
  rows_io(ds, row, rows, H5T_NATIVE_UINT8, const_cast<std::uint8_t*>(data), true);
}
void File::read_rows(const std::string& ds, hsize_t row, hsize_t rows, double* data) const {
  rows_io(ds, row, rows, H5T_NATIVE_DOUBLE, data, false);
}
void File::read_rows(const std::string& ds, hsize_t row, hsize_t rows, std::int64_t* data) const {
  rows_io(ds, row, rows, H5T_NATIVE_INT64, data, false);
}
void File::read_rows(const std::string& ds, hsize_t row, hsize_t rows, std::int8_t* data) const {
  rows_io(ds, row, rows, H5T_NATIVE_INT8, data, false);
}
void File::read_rows(const std::string& ds, hsize_t row, hsize_t rows, std::uint8_t* data) const {
  rows_io(ds, row, rows, H5T_NATIVE_UINT8, data, false);
}

void File::write_strings(const std::string& ds, hsize_t row, const std::vector<std::string>& values) {
  std::vector<const char*> p;
  p.reserve(values.size());
  for (const auto& s : values) p.push_back(s.c_str());
  Id t = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", ds);
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", ds);
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", ds);
  rows_io(ds, row, values.size(), t.get(), p.data(), true);
}

std::vector<std::string> File::read_strings(const std::string& ds, hsize_t row, hsize_t rows) const {
  if (rows == 0) return {};
  std::vector<char*> p(rows, nullptr);
  Id t = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", ds);
  check(H5Tset_size(t.get(), H5T_VARIABLE), "H5Tset_size", ds);
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", ds);
  rows_io(ds, row, rows, t.get(), p.data(), false);
  std::vector<std::string> out;
  for (char* s : p) {
    out.emplace_back(s ? s : "");
    H5free_memory(s);
  }
  return out;
}

void File::set_attribute(const std::string& obj, const std::string& name, const std::string& value) {
  // Fixed-length, null-terminated: netCDF reads these as text attributes.
  const std::string where = obj + "@" + name;
  Id o = object(obj);
  Id t = make(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy", where);
  check(H5Tset_size(t.get(), std::max<std::size_t>(1, value.size())), "H5Tset_size", where);
  check(H5Tset_strpad(t.get(), H5T_STR_NULLTERM), "H5Tset_strpad", where);
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), "H5Tset_cset", where);
  Id s = make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", where);
  Id a = make(H5Acreate2(o.get(), name.c_str(), t.get(), s.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Acreate2", where);
  check(H5Awrite(a.get(), t.get(), value.c_str()), "H5Awrite", where);
}

void File::set_attribute(const std::string& obj, const std::string& name, std::int64_t value) {
  set_attribute(obj, name, std::vector<std::int64_t>{value});
}

void File::set_attribute(const std::string& obj, const std::string& name, const std::vector<std::int64_t>& values) {
  const std::string where = obj + "@" + name;
  Id o = object(obj);
  const hsize_t n = values.size();
  Id s = n == 1 ? make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", where)
                : make(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple", where);
  Id a = make(H5Acreate2(o.get(), name.c_str(), H5T_STD_I64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Acreate2", where);
  check(H5Awrite(a.get(), H5T_NATIVE_INT64, values.data()), "H5Awrite", where);
}

void File::set_attribute(const std::string& obj, const std::string& name, double value) {
  const std::string where = obj + "@" + name;
  Id o = object(obj);
  Id s = make(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate", where);
  Id a = make(H5Acreate2(o.get(), name.c_str(), H5T_IEEE_F64LE, s.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Acreate2", where);
  check(H5Awrite(a.get(), H5T_NATIVE_DOUBLE, &value), "H5Awrite", where);
}

bool File::has_attribute(const std::string& obj, const std::string& name) const {
  const htri_t e = H5Aexists_by_name(file_.get(), obj.c_str(), name.c_str(), H5P_DEFAULT);
  if (e < 0) fail("H5Aexists_by_name", obj + "@" + name);
  return e > 0;
}

namespace {

/// An attribute read into one value must hold exactly one.
void require_single(const File& f, hid_t attribute, const std::string& where) {
  Id space(H5Aget_space(attribute), H5Sclose);
  const hssize_t n = space ? H5Sget_simple_extent_npoints(space.get()) : -1;
  if (n != 1)
    throw IoError("attribute '" + where + "' in '" + f.path() + "' holds " + std::to_string(n) +
                  " values, not one: not a citsim sweep file");
}

}  // namespace

std::string File::string_attribute(const std::string& obj, const std::string& name) const {
  const std::string where = obj + "@" + name;
  Id a = make(H5Aopen_by_name(file_.get(), obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Aopen_by_name", where);
  require_single(*this, a.get(), where);
  Id t = make(H5Aget_type(a.get()), H5Tclose, "H5Aget_type", where);
  if (H5Tget_class(t.get()) != H5T_STRING) throw IoError("attribute '" + where + "' in '" + path_ + "' is not text");
  if (H5Tis_variable_str(t.get()) > 0) {
    char* s = nullptr;
    check(H5Aread(a.get(), t.get(), &s), "H5Aread", where);
    std::string out = s ? s : "";
    H5free_memory(s);
    return out;
  }
  const std::size_t n = H5Tget_size(t.get());
  std::string buf(n, '\0');
  check(H5Aread(a.get(), t.get(), buf.data()), "H5Aread", where);
  return buf.substr(0, buf.find('\0'));
}

std::int64_t File::int_attribute(const std::string& obj, const std::string& name) const {
  const std::string where = obj + "@" + name;
  Id a = make(H5Aopen_by_name(file_.get(), obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Aopen_by_name", where);
  require_single(*this, a.get(), where);
  std::int64_t v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_INT64, &v), "H5Aread", where);
  return v;
}

double File::double_attribute(const std::string& obj, const std::string& name) const {
  const std::string where = obj + "@" + name;
  Id a = make(H5Aopen_by_name(file_.get(), obj.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              "H5Aopen_by_name", where);
  require_single(*this, a.get(), where);
  double v = 0;
  check(H5Aread(a.get(), H5T_NATIVE_DOUBLE, &v), "H5Aread", where);
  return v;
}

void File::make_scale(const std::string& ds) {
  Id d = dataset(ds);
  check(H5DSset_scale(d.get(), ds.substr(ds.rfind('/') + 1).c_str()), "H5DSset_scale", ds);
}

void File::attach_scale(const std::string& ds, const std::string& scale, unsigned index) {
  Id d = dataset(ds);
  Id s = dataset(scale);
  check(H5DSattach_scale(d.get(), s.get(), index), "H5DSattach_scale", ds);
}

}  // namespace citsim::sweep::h5
