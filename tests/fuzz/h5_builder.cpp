#include "h5_builder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

namespace citsim::fuzz::h5desc {
namespace {

constexpr unsigned kOrder = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;

/// Closes an HDF5 id on scope exit.
struct Id {
  hid_t id;
  herr_t (*close)(hid_t);
  Id(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    if (id >= 0) close(id);
  }
};

/// Silences HDF5's error printing while the description is written.
struct Quiet {
  H5E_auto2_t func = nullptr;
  void* data = nullptr;
  Quiet() {
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Quiet() { H5Eset_auto2(H5E_DEFAULT, func, data); }
};

struct Pair {
  double x;
  int n;
};

hid_t file_type(Elem e, Id& owned) {
  switch (e) {
    case Elem::F64: return H5T_IEEE_F64LE;
    case Elem::F32: return H5T_IEEE_F32LE;
    case Elem::I64: return H5T_STD_I64LE;
    case Elem::I32: return H5T_STD_I32LE;
    case Elem::I8: return H5T_STD_I8LE;
    case Elem::U8: return H5T_STD_U8LE;
    case Elem::VString:
      owned.id = H5Tcopy(H5T_C_S1);
      H5Tset_size(owned.id, H5T_VARIABLE);
      H5Tset_cset(owned.id, H5T_CSET_UTF8);
      return owned.id;
    case Elem::FString:
      owned.id = H5Tcopy(H5T_C_S1);
      H5Tset_size(owned.id, 12);
      H5Tset_strpad(owned.id, H5T_STR_NULLTERM);
      return owned.id;
    case Elem::Compound:
      owned.id = H5Tcreate(H5T_COMPOUND, sizeof(Pair));
      H5Tinsert(owned.id, "x", HOFFSET(Pair, x), H5T_NATIVE_DOUBLE);
      H5Tinsert(owned.id, "n", HOFFSET(Pair, n), H5T_NATIVE_INT);
      return owned.id;
  }
  return H5I_INVALID_HID;
}

std::size_t element_count(const Object& o) {
  if (o.space == Space::Null) return 0;
  if (o.space == Space::Scalar) return 1;
  std::size_t n = 1;
  for (hsize_t d : o.dims) n *= static_cast<std::size_t>(d);
  return n;
}

double value_at(const Object& o, std::size_t i) {
  switch (o.fill) {
    case Fill::Ramp: return o.scale * static_cast<double>(i);
    case Fill::Constant: return o.scale;
    case Fill::NaN: return std::numeric_limits<double>::quiet_NaN();
    case Fill::Inf: return std::numeric_limits<double>::infinity();
    case Fill::Negative: return -o.scale * static_cast<double>(i + 1);
    case Fill::Zero: return 0.0;
  }
  return 0.0;
}

/// The values in memory for H5Dwrite/H5Awrite, with the memory type.
struct Buffer {
  std::vector<double> d;
  std::vector<std::int64_t> i;
  std::vector<std::string> s;
  std::vector<const char*> vs;
  std::vector<char> fs;
  std::vector<Pair> c;
  hid_t memtype = H5I_INVALID_HID;
  const void* data = nullptr;
};

void fill_buffer(const Object& o, hid_t ftype, Buffer& b) {
  const std::size_t n = element_count(o);
  const auto text = [&](std::size_t k) { return o.text.empty() ? std::string("x") : o.text[k % o.text.size()]; };
  switch (o.elem) {
    case Elem::F64:
    case Elem::F32:
      for (std::size_t k = 0; k < n; ++k) b.d.push_back(value_at(o, k));
      b.memtype = H5T_NATIVE_DOUBLE;
      b.data = b.d.data();
      return;
    case Elem::I64:
    case Elem::I32:
    case Elem::I8:
    case Elem::U8:
      for (std::size_t k = 0; k < n; ++k) {
        const double v = value_at(o, k);
        b.i.push_back(std::isfinite(v) ? static_cast<std::int64_t>(std::clamp(v, -9e18, 9e18)) : -1);
      }
      b.memtype = H5T_NATIVE_INT64;
      b.data = b.i.data();
      return;
    case Elem::VString:
      for (std::size_t k = 0; k < n; ++k) b.s.push_back(text(k));
      for (const auto& s : b.s) b.vs.push_back(s.c_str());
      b.memtype = ftype;
      b.data = b.vs.data();
      return;
    case Elem::FString: {
      const std::size_t w = H5Tget_size(ftype);
      b.fs.assign(n * w, '\0');
      for (std::size_t k = 0; k < n; ++k) {
        const std::string t = text(k);
        std::memcpy(&b.fs[k * w], t.data(), std::min(t.size(), w - 1));
      }
      b.memtype = ftype;
      b.data = b.fs.data();
      return;
    }
    case Elem::Compound:
      for (std::size_t k = 0; k < n; ++k) b.c.push_back({value_at(o, k), static_cast<int>(k)});
      b.memtype = ftype;
      b.data = b.c.data();
      return;
  }
}

hid_t make_space(const Object& o) {
  if (o.space == Space::Scalar) return H5Screate(H5S_SCALAR);
  if (o.space == Space::Null) return H5Screate(H5S_NULL);
  return H5Screate_simple(static_cast<int>(o.dims.size()), o.dims.data(), nullptr);
}

/// Creates the groups above `path` (and `path` itself if `self`).
void ensure_groups(hid_t file, const std::string& path, bool self) {
  std::size_t pos = 1;
  while (pos <= path.size()) {
    std::size_t next = path.find('/', pos);
    if (next == std::string::npos) {
      if (!self) return;
      next = path.size();
    }
    const std::string prefix = path.substr(0, next);
    if (prefix.size() > 1 && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) {
      Id gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose);
      H5Pset_link_creation_order(gcpl.id, kOrder);
      H5Pset_attr_creation_order(gcpl.id, kOrder);
      Id g(H5Gcreate2(file, prefix.c_str(), H5P_DEFAULT, gcpl.id, H5P_DEFAULT), H5Gclose);
      if (g.id < 0) return;
    }
    pos = next + 1;
  }
}

void write_dataset(hid_t file, const Object& o) {
  ensure_groups(file, o.path, false);
  Id owned(H5I_INVALID_HID, H5Tclose);
  const hid_t ftype = file_type(o.elem, owned);
  Id space(make_space(o), H5Sclose);
  Id dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
  H5Pset_attr_creation_order(dcpl.id, kOrder);
  if (o.unwritten && o.space == Space::Simple && !o.dims.empty()) {
    std::vector<hsize_t> chunk(o.dims.size());
    for (std::size_t k = 0; k < chunk.size(); ++k) chunk[k] = std::clamp<hsize_t>(o.dims[k], 1, 16);
    H5Pset_chunk(dcpl.id, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_alloc_time(dcpl.id, H5D_ALLOC_TIME_INCR);
  }
  Id d(H5Dcreate2(file, o.path.c_str(), ftype, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT), H5Dclose);
  if (d.id < 0 || o.unwritten || element_count(o) == 0) return;
  Buffer b;
  fill_buffer(o, ftype, b);
  H5Dwrite(d.id, b.memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, b.data);
}

void write_attribute(hid_t file, const Object& o) {
  Id owner(H5Oopen(file, o.path.c_str(), H5P_DEFAULT), H5Oclose);
  if (owner.id < 0) return;
  Id owned(H5I_INVALID_HID, H5Tclose);
  const hid_t ftype = file_type(o.elem, owned);
  Id space(make_space(o), H5Sclose);
  Id a(H5Acreate2(owner.id, o.name.c_str(), ftype, space.id, H5P_DEFAULT, H5P_DEFAULT), H5Aclose);
  if (a.id < 0 || element_count(o) == 0) return;
  Buffer b;
  fill_buffer(o, ftype, b);
  H5Awrite(a.id, b.memtype, b.data);
}

}  // namespace

Object group(std::string path) {
  Object o;
  o.kind = Kind::Group;
  o.path = std::move(path);
  return o;
}

Object dataset(std::string path, Elem elem, std::vector<hsize_t> dims, Fill fill, double scale) {
  Object o;
  o.path = std::move(path);
  o.elem = elem;
  o.dims = std::move(dims);
  o.fill = fill;
  o.scale = scale;
  return o;
}

Object strings(std::string path, std::vector<std::string> values) {
  Object o = dataset(std::move(path), Elem::VString, {static_cast<hsize_t>(values.size())});
  o.text = std::move(values);
  return o;
}

Object attribute(std::string owner, std::string name, Elem elem, std::vector<hsize_t> dims, double value) {
  Object o;
  o.kind = Kind::Attribute;
  o.path = std::move(owner);
  o.name = std::move(name);
  o.elem = elem;
  o.space = dims.empty() ? Space::Scalar : Space::Simple;
  o.dims = std::move(dims);
  o.fill = Fill::Constant;
  o.scale = value;
  return o;
}

Object text_attribute(std::string owner, std::string name, std::string value) {
  Object o = attribute(std::move(owner), std::move(name), Elem::FString, {}, 0.0);
  o.text = {std::move(value)};
  return o;
}

void mutate(Description& d, ByteReader& r, const std::vector<std::string>& vocabulary) {
  const unsigned changes = r.below(24);
  for (unsigned c = 0; c < changes && !r.empty(); ++c) {
    const unsigned op = r.below(11);
    if (op == 4) {  // an extra piece
      Object extra;
      extra.kind = static_cast<Kind>(r.below(5));
      const std::string& base = d.empty() ? std::string("/") : d[r.below(static_cast<std::uint32_t>(d.size()))].path;
      const std::string& name = r.pick(vocabulary);
      extra.path = extra.kind == Kind::Attribute ? base : (base == "/" ? "" : base) + "/" + name;
      extra.name = name;
      extra.target = r.flag() ? base : "/missing/" + name;
      extra.elem = static_cast<Elem>(r.below(9));
      extra.dims = {r.below(5)};
      extra.text = {r.pick(vocabulary)};
      d.push_back(std::move(extra));
      continue;
    }
    if (d.empty()) continue;
    Object& o = d[r.below(static_cast<std::uint32_t>(std::max<std::size_t>(d.size(), 1)))];
    switch (op) {
      case 0:  // a piece missing
        d.erase(d.begin() + (&o - d.data()));
        break;
      case 1:  // another element type
        o.elem = static_cast<Elem>(r.below(9));
        break;
      case 2: {  // another shape: scalar, null or rank 1..3, sometimes huge (never written)
        const unsigned s = r.below(6);
        o.space = s == 0 ? Space::Scalar : s == 1 ? Space::Null : Space::Simple;
        if (o.space == Space::Simple) {
          o.dims.assign(r.below(4), 0);
          for (hsize_t& x : o.dims) x = r.below(6);
          if (!o.dims.empty() && r.below(4) == 0 && o.kind == Kind::Dataset) {
            o.dims[r.below(static_cast<std::uint32_t>(o.dims.size()))] = hsize_t{1} << (20 + r.below(24));
            o.unwritten = true;
          }
        }
        break;
      }
      case 3:  // other values
        o.fill = static_cast<Fill>(r.below(6));
        o.scale = r.edgy_double();
        break;
      case 5:  // an integer or number edge in a value
        o.fill = Fill::Constant;
        switch (r.below(6)) {
          case 0: o.scale = 0.0; break;
          case 1: o.scale = -1.0; break;
          case 2: o.scale = 9.2e18; break;
          case 3: o.scale = static_cast<double>(hsize_t{1} << (16 + r.below(40))); break;
          case 4: o.scale = -9.2e18; break;
          default: o.scale = static_cast<double>(r.byte()); break;
        }
        break;
      case 6:  // a dataset replaced by a group or a link
        o.kind = o.kind == Kind::Attribute ? Kind::Attribute : static_cast<Kind>(r.below(5));
        if (o.kind == Kind::Attribute && o.name.empty()) o.kind = Kind::Group;
        o.target = r.flag() ? d[r.below(static_cast<std::uint32_t>(d.size()))].path : "/nowhere";
        break;
      case 7:  // other text
        o.text = {r.pick(vocabulary)};
        if (r.flag()) o.text.push_back(std::string(r.below(4096), 'a'));
        if (r.flag()) o.text.push_back(std::string("\xff\xfe\x00z", 4));
        break;
      case 8:  // one dimension off by one (shapes that almost agree)
        if (o.space == Space::Simple && !o.dims.empty()) {
          hsize_t& x = o.dims[r.below(static_cast<std::uint32_t>(o.dims.size()))];
          x = r.flag() ? x + 1 : (x > 0 ? x - 1 : 0);
        }
        break;
      case 9:  // an attribute moved or renamed
        if (o.kind == Kind::Attribute) o.name = r.pick(vocabulary);
        else o.path = o.path + "_" + r.pick(vocabulary);
        break;
      default:  // a second rank (a row vector where a column was expected)
        if (o.space == Space::Simple && o.dims.size() == 1) o.dims.push_back(1 + r.below(3));
        break;
    }
  }
}

void write(const Description& d, const std::string& path) {
  const Quiet quiet;
  Id fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose);
  H5Pset_link_creation_order(fcpl.id, kOrder);
  H5Pset_attr_creation_order(fcpl.id, kOrder);
  Id file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id, H5P_DEFAULT), H5Fclose);
  require(file.id >= 0, "cannot create " + path);
  // Groups, datasets and links first, then the attributes on them.
  for (const Object& o : d) {
    if (o.path.empty() || o.path.front() != '/') continue;
    switch (o.kind) {
      case Kind::Group: ensure_groups(file.id, o.path, true); break;
      case Kind::Dataset: write_dataset(file.id, o); break;
      case Kind::SoftLink:
        ensure_groups(file.id, o.path, false);
        H5Lcreate_soft(o.target.c_str(), file.id, o.path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        break;
      case Kind::ExternalLink:
        ensure_groups(file.id, o.path, false);
        H5Lcreate_external("missing-file.h5", o.target.c_str(), file.id, o.path.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        break;
      case Kind::Attribute: break;
    }
  }
  for (const Object& o : d)
    if (o.kind == Kind::Attribute && !o.name.empty()) write_attribute(file.id, o);
  require(H5Fclose(file.id) >= 0, "cannot close " + path);
  file.id = H5I_INVALID_HID;
}

}  // namespace citsim::fuzz::h5desc
