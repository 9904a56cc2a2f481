// write_hdf5: contents read back through the HDF5 C API, the netCDF-facing layout (dimension
// scales, creation order), the atomic-write promises on failure, and xarray/h5py as readers.
#include "citsim/io/hdf5_file.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

// The test target may not carry HDF5's include directory (Debian keeps it in hdf5/serial).
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#include <hdf5_hl.h>
#else
#include <hdf5/serial/hdf5.h>
#include <hdf5/serial/hdf5_hl.h>
#endif

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "citsim/errors.hpp"

namespace {

namespace fs = std::filesystem;
using citsim::Attribute;
using citsim::DataKind;
using citsim::Dataset;
using citsim::Dimension;
using citsim::FileContents;
using citsim::GroupAttributes;

/// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    // pid + random: distinct across parallel test processes and within one.
    std::random_device random;
    path_ = fs::temp_directory_path() / ("citsim_hdf5_test_" + std::to_string(::getpid()) + "_" +
                                         std::to_string(random()));
    REQUIRE(fs::create_directories(path_));
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

/// Closes an HDF5 id with the matching close function at scope end.
class Id {
 public:
  Id(hid_t id, herr_t (*closer)(hid_t)) : id_(id), closer_(closer) { REQUIRE(id_ >= 0); }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() { closer_(id_); }
  hid_t operator*() const { return id_; }

 private:
  hid_t id_;
  herr_t (*closer_)(hid_t);
};

Id open_file(const fs::path& p) {
  return Id(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
}
Id open_dataset(hid_t file, const std::string& name) {
  return Id(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
}

std::vector<hsize_t> shape_of(hid_t dset) {
  const Id space(H5Dget_space(dset), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(*space);
  REQUIRE(rank >= 0);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  REQUIRE(H5Sget_simple_extent_dims(*space, dims.data(), nullptr) == rank);
  return dims;
}

std::size_t points_of(hid_t dset) {
  const Id space(H5Dget_space(dset), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(*space);
  REQUIRE(n >= 0);
  return static_cast<std::size_t>(n);
}

std::vector<double> read_doubles(hid_t file, const std::string& name) {
  const Id dset = open_dataset(file, name);
  const Id type(H5Dget_type(*dset), H5Tclose);
  CHECK(H5Tequal(*type, H5T_IEEE_F64LE) > 0);
  std::vector<double> out(points_of(*dset));
  if (!out.empty())
    REQUIRE(H5Dread(*dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
  return out;
}

std::vector<std::int64_t> read_integers(hid_t file, const std::string& name) {
  const Id dset = open_dataset(file, name);
  const Id type(H5Dget_type(*dset), H5Tclose);
  CHECK(H5Tequal(*type, H5T_STD_I64LE) > 0);
  std::vector<std::int64_t> out(points_of(*dset));
  if (!out.empty())
    REQUIRE(H5Dread(*dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
  return out;
}

std::vector<std::string> read_vlen_strings(hid_t file, const std::string& name) {
  const Id dset = open_dataset(file, name);
  const Id file_type(H5Dget_type(*dset), H5Tclose);
  REQUIRE(H5Tis_variable_str(*file_type) > 0);  // never fixed-length: netCDF aborts on those
  CHECK(H5Tget_cset(*file_type) == H5T_CSET_UTF8);
  const Id memory_type(H5Tcopy(H5T_C_S1), H5Tclose);
  REQUIRE(H5Tset_size(*memory_type, H5T_VARIABLE) >= 0);
  REQUIRE(H5Tset_cset(*memory_type, H5T_CSET_UTF8) >= 0);
  std::vector<char*> raw(points_of(*dset), nullptr);
  REQUIRE(H5Dread(*dset, *memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()) >= 0);
  std::vector<std::string> out(raw.begin(), raw.end());
  const Id space(H5Dget_space(*dset), H5Sclose);
#if H5_VERSION_GE(1, 12, 0)
  REQUIRE(H5Treclaim(*memory_type, *space, H5P_DEFAULT, raw.data()) >= 0);
#else
  REQUIRE(H5Dvlen_reclaim(*memory_type, *space, H5P_DEFAULT, raw.data()) >= 0);
#endif
  return out;
}

double read_double_attribute(hid_t object, const std::string& name) {
  const Id attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Id type(H5Aget_type(*attr), H5Tclose);
  CHECK(H5Tequal(*type, H5T_IEEE_F64LE) > 0);
  double value = 0;
  REQUIRE(H5Aread(*attr, H5T_NATIVE_DOUBLE, &value) >= 0);
  return value;
}

std::int64_t read_integer_attribute(hid_t object, const std::string& name) {
  const Id attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Id type(H5Aget_type(*attr), H5Tclose);
  CHECK(H5Tequal(*type, H5T_STD_I64LE) > 0);
  std::int64_t value = 0;
  REQUIRE(H5Aread(*attr, H5T_NATIVE_INT64, &value) >= 0);
  return value;
}

std::vector<double> read_vector_attribute(hid_t object, const std::string& name) {
  const Id attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Id space(H5Aget_space(*attr), H5Sclose);
  REQUIRE(H5Sget_simple_extent_ndims(*space) == 1);
  std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(*space)));
  if (!out.empty()) REQUIRE(H5Aread(*attr, H5T_NATIVE_DOUBLE, out.data()) >= 0);
  return out;
}

/// Fixed-length, null-terminated, UTF-8 (what netCDF reads as a text attribute).
std::string read_string_attribute(hid_t object, const std::string& name) {
  const Id attr(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose);
  const Id type(H5Aget_type(*attr), H5Tclose);
  REQUIRE(H5Tget_class(*type) == H5T_STRING);
  REQUIRE(H5Tis_variable_str(*type) == 0);
  CHECK(H5Tget_cset(*type) == H5T_CSET_UTF8);
  CHECK(H5Tget_strpad(*type) == H5T_STR_NULLTERM);
  std::string buffer(H5Tget_size(*type), '\0');
  REQUIRE(H5Aread(*attr, *type, buffer.data()) >= 0);
  return buffer.substr(0, buffer.find('\0'));
}

std::vector<std::string> attribute_names_in_order(hid_t object) {
  std::vector<std::string> names;
  hsize_t index = 0;
  const auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  REQUIRE(H5Aiterate2(object, H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect, &names) >= 0);
  return names;
}

std::vector<std::string> link_names_in_order(hid_t file, const std::string& group) {
  const Id g(H5Gopen2(file, group.c_str(), H5P_DEFAULT), H5Gclose);
  H5G_info_t info;
  REQUIRE(H5Gget_info(*g, &info) >= 0);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t n =
        H5Lget_name_by_idx(*g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    REQUIRE(n >= 0);
    std::string name(static_cast<std::size_t>(n) + 1, '\0');
    REQUIRE(H5Lget_name_by_idx(*g, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, i, name.data(),
                               name.size(), H5P_DEFAULT) == n);
    name.resize(static_cast<std::size_t>(n));
    names.push_back(name);
  }
  return names;
}

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Names in `dir` containing ".tmp-": temporaries the writer should never leave behind.
std::vector<std::string> leftover_temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp-") != std::string::npos)
      found.push_back(entry.path().string());
  return found;
}

/// A small run-like file: root and subgroup variables, a zero-length dimension (no sessions),
/// a scalar, all attribute kinds, compressed and plain data.
FileContents sample_contents() {
  FileContents c;
  c.dimensions = {
      {"/time", {0.0, 1.5, 3.0}, "day", "time since first session"},
      {"/session", {}, "1", "treatment session"},
      {"/layers/dermis/depth", {0.1, 0.3}, "mm", "depth below the surface"},
  };
  Dataset temperature;
  temperature.path = "/T";
  temperature.dims = {"/time"};
  temperature.numbers = {36.5, 36.7, 36.9};
  temperature.units = "degC";
  temperature.long_name = "skin temperature";
  temperature.attributes = {{"valid_min", 30.0}, {"note", std::string("measured")}};
  c.datasets.push_back(temperature);

  Dataset session_day;
  session_day.path = "/session_day";
  session_day.dims = {"/session"};
  session_day.units = "day";
  c.datasets.push_back(session_day);

  Dataset labels;
  labels.path = "/labels";
  labels.dims = {"/time"};
  labels.kind = DataKind::Strings;
  labels.strings = {"baseline", "", "Ödem – day 3"};
  c.datasets.push_back(labels);

  Dataset collagen;
  collagen.path = "/layers/dermis/C1";
  collagen.dims = {"/time", "/layers/dermis/depth"};
  collagen.numbers = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  collagen.units = "mg/mL";
  collagen.long_name = "collagen I";
  collagen.compress = true;
  collagen.attributes = {{"species_index", std::int64_t{3}},
                         {"weights", std::vector<double>{0.25, 0.75}},
                         {"empty_note", std::string()}};
  c.datasets.push_back(collagen);

  Dataset counts;
  counts.path = "/layers/dermis/fibroblast_count";
  counts.dims = {"/time"};  // a root dimension used from a subgroup
  counts.kind = DataKind::Integers;
  counts.integers = {-1, 0, std::int64_t{1} << 40};
  counts.compress = true;
  c.datasets.push_back(counts);

  Dataset seed;
  seed.path = "/seed";
  seed.kind = DataKind::Integers;
  seed.integers = {42};
  seed.long_name = "random seed";
  c.datasets.push_back(seed);

  c.groups = {{"/", {{"title", std::string("citsim test")}, {"format_version", std::int64_t{1}}}},
              {"/layers/dermis", {{"thickness_mm", 1.8}}},
              {"/meta", {{"created_by", std::string("test")}}}};
  return c;
}

}  // namespace

TEST_CASE("hdf5_file: round trip of numbers and strings and attributes", "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "nested" / "run.h5";  // parent created on demand
  citsim::write_hdf5(path.string(), sample_contents());
  REQUIRE(fs::is_regular_file(path));

  const Id file = open_file(path);
  CHECK(read_doubles(*file, "/time") == std::vector<double>{0.0, 1.5, 3.0});
  CHECK(read_doubles(*file, "/T") == std::vector<double>{36.5, 36.7, 36.9});
  CHECK(read_doubles(*file, "/layers/dermis/C1") ==
        std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  CHECK(read_integers(*file, "/layers/dermis/fibroblast_count") ==
        std::vector<std::int64_t>{-1, 0, std::int64_t{1} << 40});
  CHECK(read_vlen_strings(*file, "/labels") ==
        std::vector<std::string>{"baseline", "", "Ödem – day 3"});

  SECTION("shapes follow the dimensions; zero dims is a scalar; zero length works") {
    CHECK(shape_of(*open_dataset(*file, "/layers/dermis/C1")) == std::vector<hsize_t>{3, 2});
    CHECK(shape_of(*open_dataset(*file, "/session")) == std::vector<hsize_t>{0});
    CHECK(shape_of(*open_dataset(*file, "/session_day")) == std::vector<hsize_t>{0});
    const Id seed = open_dataset(*file, "/seed");
    const Id space(H5Dget_space(*seed), H5Sclose);
    CHECK(H5Sget_simple_extent_type(*space) == H5S_SCALAR);
    CHECK(read_integers(*file, "/seed") == std::vector<std::int64_t>{42});
  }

  SECTION("dataset attributes: units, long_name, then extras, in creation order") {
    const Id t = open_dataset(*file, "/T");
    CHECK(read_string_attribute(*t, "units") == "degC");
    CHECK(read_string_attribute(*t, "long_name") == "skin temperature");
    CHECK(read_double_attribute(*t, "valid_min") == 30.0);
    CHECK(read_string_attribute(*t, "note") == "measured");
    CHECK(attribute_names_in_order(*t) ==
          std::vector<std::string>{"DIMENSION_LIST", "units", "long_name", "valid_min", "note"});

    const Id c1 = open_dataset(*file, "/layers/dermis/C1");
    CHECK(read_integer_attribute(*c1, "species_index") == 3);
    CHECK(read_vector_attribute(*c1, "weights") == std::vector<double>{0.25, 0.75});
    CHECK(read_string_attribute(*c1, "empty_note").empty());

    const Id labels = open_dataset(*file, "/labels");
    CHECK(H5Aexists(*labels, "units") == 0);  // empty units and long_name are not written
    CHECK(H5Aexists(*labels, "long_name") == 0);

    const Id time = open_dataset(*file, "/time");
    CHECK(read_string_attribute(*time, "units") == "day");
    CHECK(read_string_attribute(*time, "long_name") == "time since first session");
  }

  SECTION("group attributes, including a group created only for its attributes") {
    const Id root(H5Gopen2(*file, "/", H5P_DEFAULT), H5Gclose);
    CHECK(read_string_attribute(*root, "title") == "citsim test");
    CHECK(read_integer_attribute(*root, "format_version") == 1);
    CHECK(attribute_names_in_order(*root) == std::vector<std::string>{"title", "format_version"});
    const Id dermis(H5Gopen2(*file, "/layers/dermis", H5P_DEFAULT), H5Gclose);
    CHECK(read_double_attribute(*dermis, "thickness_mm") == 1.8);
    const Id meta(H5Gopen2(*file, "/meta", H5P_DEFAULT), H5Gclose);
    CHECK(read_string_attribute(*meta, "created_by") == "test");
  }

  SECTION("compression: chunked with shuffle and deflate only where asked") {
    const Id c1 = open_dataset(*file, "/layers/dermis/C1");
    const Id dcpl(H5Dget_create_plist(*c1), H5Pclose);
    CHECK(H5Pget_layout(*dcpl) == H5D_CHUNKED);
    REQUIRE(H5Pget_nfilters(*dcpl) == 2);
    unsigned flags = 0;
    std::size_t n = 1;
    unsigned level = 0;
    CHECK(H5Pget_filter2(*dcpl, 0, &flags, &n, &level, 0, nullptr, nullptr) == H5Z_FILTER_SHUFFLE);
    n = 1;
    CHECK(H5Pget_filter2(*dcpl, 1, &flags, &n, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
    CHECK(level == 4);
    const Id t = open_dataset(*file, "/T");
    const Id t_dcpl(H5Dget_create_plist(*t), H5Pclose);
    CHECK(H5Pget_layout(*t_dcpl) != H5D_CHUNKED);
  }
}

TEST_CASE("hdf5_file: dimension scales are set and attached per axis", "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "dims.h5";
  citsim::write_hdf5(path.string(), sample_contents());
  const Id file = open_file(path);

  const Id time = open_dataset(*file, "/time");
  const Id session = open_dataset(*file, "/session");
  const Id depth = open_dataset(*file, "/layers/dermis/depth");
  CHECK(H5DSis_scale(*time) > 0);
  CHECK(H5DSis_scale(*session) > 0);
  CHECK(H5DSis_scale(*depth) > 0);
  std::array<char, 32> name{};
  REQUIRE(H5DSget_scale_name(*depth, name.data(), name.size()) > 0);
  CHECK(std::string(name.data()) == "depth");

  const Id c1 = open_dataset(*file, "/layers/dermis/C1");
  CHECK(H5DSis_scale(*c1) == 0);
  CHECK(H5DSis_attached(*c1, *time, 0) > 0);
  CHECK(H5DSis_attached(*c1, *depth, 1) > 0);
  CHECK(H5DSis_attached(*c1, *depth, 0) == 0);
  CHECK(H5DSget_num_scales(*c1, 0) == 1);
  CHECK(H5DSget_num_scales(*c1, 1) == 1);

  const Id count = open_dataset(*file, "/layers/dermis/fibroblast_count");
  CHECK(H5DSis_attached(*count, *time, 0) > 0);
  const Id session_day = open_dataset(*file, "/session_day");
  CHECK(H5DSis_attached(*session_day, *session, 0) > 0);
}

TEST_CASE("hdf5_file: link creation order is tracked and kept", "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "order.h5";
  citsim::write_hdf5(path.string(), sample_contents());
  const Id file = open_file(path);

  // The flags set on the fcpl live in the root group's gcpl: a reopened file's
  // H5Fget_create_plist reports 0 there (HDF5 issue #5183, h5py PR #2410), so ask the root group.
  const Id root(H5Gopen2(*file, "/", H5P_DEFAULT), H5Gclose);
  const Id root_gcpl(H5Gget_create_plist(*root), H5Pclose);
  unsigned flags = 0;
  REQUIRE(H5Pget_link_creation_order(*root_gcpl, &flags) >= 0);
  CHECK((flags & H5P_CRT_ORDER_TRACKED) != 0);
  CHECK((flags & H5P_CRT_ORDER_INDEXED) != 0);
  flags = 0;
  REQUIRE(H5Pget_attr_creation_order(*root_gcpl, &flags) >= 0);
  CHECK((flags & H5P_CRT_ORDER_TRACKED) != 0);

  const Id dermis(H5Gopen2(*file, "/layers/dermis", H5P_DEFAULT), H5Gclose);
  const Id gcpl(H5Gget_create_plist(*dermis), H5Pclose);
  flags = 0;
  REQUIRE(H5Pget_link_creation_order(*gcpl, &flags) >= 0);
  CHECK((flags & H5P_CRT_ORDER_TRACKED) != 0);

  const Id c1 = open_dataset(*file, "/layers/dermis/C1");
  const Id dcpl(H5Dget_create_plist(*c1), H5Pclose);
  flags = 0;
  REQUIRE(H5Pget_attr_creation_order(*dcpl, &flags) >= 0);
  CHECK((flags & H5P_CRT_ORDER_TRACKED) != 0);

  // Creation order, not alphabetical: dimensions first, then datasets, then attribute groups.
  CHECK(link_names_in_order(*file, "/") ==
        std::vector<std::string>{"time", "session", "layers", "T", "session_day", "labels", "seed",
                                 "meta"});
  CHECK(link_names_in_order(*file, "/layers/dermis") ==
        std::vector<std::string>{"depth", "C1", "fibroblast_count"});
}

TEST_CASE("hdf5_file: large compressed arrays are chunked by whole rows of about 1 MiB",
          "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "big.h5";
  FileContents c;
  std::vector<double> rows(3000), depth(100);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = double(i);
  for (std::size_t i = 0; i < depth.size(); ++i) depth[i] = 0.01 * double(i);
  c.dimensions = {{"/time", rows, "day", ""}, {"/depth", depth, "mm", ""}};
  Dataset profile;
  profile.path = "/profile";
  profile.dims = {"/time", "/depth"};
  profile.numbers.resize(rows.size() * depth.size());
  for (std::size_t i = 0; i < profile.numbers.size(); ++i) profile.numbers[i] = double(i % 977);
  profile.compress = true;
  c.datasets.push_back(profile);
  citsim::write_hdf5(path.string(), c);

  const Id file = open_file(path);
  const Id dset = open_dataset(*file, "/profile");
  const Id dcpl(H5Dget_create_plist(*dset), H5Pclose);
  REQUIRE(H5Pget_layout(*dcpl) == H5D_CHUNKED);
  std::array<hsize_t, 2> chunk{};
  REQUIRE(H5Pget_chunk(*dcpl, 2, chunk.data()) == 2);
  CHECK(chunk[1] == 100);
  CHECK(chunk[0] > 1);
  CHECK(chunk[0] * chunk[1] * sizeof(double) <= (std::size_t{1} << 20));
  CHECK(read_doubles(*file, "/profile") == profile.numbers);
  CHECK(H5Dget_storage_size(*dset) < profile.numbers.size() * sizeof(double) / 4);
}

TEST_CASE("hdf5_file: a successful write replaces the target and leaves no temporary",
          "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "run.h5";
  { std::ofstream(path) << "old contents"; }
  citsim::write_hdf5(path.string(), sample_contents());
  CHECK(H5Fis_hdf5(path.c_str()) > 0);
  CHECK(leftover_temporaries(dir.path()).empty());

  // Replacing an HDF5 file written before works the same way.
  FileContents minimal;
  Dataset x;
  x.path = "/x";
  x.numbers = {1.0};
  minimal.datasets.push_back(x);
  citsim::write_hdf5(path.string(), minimal);
  const Id file = open_file(path);
  CHECK(read_doubles(*file, "/x") == std::vector<double>{1.0});
  CHECK(leftover_temporaries(dir.path()).empty());
}

TEST_CASE("hdf5_file: an unwritable directory throws IoError naming the path", "[io][hdf5]") {
  const TempDir dir;
  const fs::path blocker = dir.path() / "not_a_directory";
  { std::ofstream(blocker) << "regular file"; }
  const fs::path path = blocker / "x.h5";

  try {
    citsim::write_hdf5(path.string(), sample_contents());
    FAIL("write_hdf5 should have thrown");
  } catch (const citsim::IoError& e) {
    INFO(e.what());
    CHECK(std::string(e.what()).find(blocker.string()) != std::string::npos);
  }
  CHECK(fs::is_regular_file(blocker));
  CHECK(file_bytes(blocker) == "regular file");
  CHECK(!fs::exists(path));
  CHECK(leftover_temporaries(dir.path()).empty());
}

TEST_CASE("hdf5_file: invalid contents throw before touching an existing file", "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "run.h5";
  { std::ofstream(path) << "previous result"; }

  SECTION("inconsistent sizes name the dataset") {
    FileContents c = sample_contents();
    c.datasets[3].numbers.pop_back();  // /layers/dermis/C1 needs 3 x 2
    try {
      citsim::write_hdf5(path.string(), c);
      FAIL("write_hdf5 should have thrown");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("/layers/dermis/C1") != std::string::npos);
    }
  }
  SECTION("an unknown dimension names the dataset") {
    FileContents c = sample_contents();
    c.datasets[0].dims = {"/nowhere"};
    CHECK_THROWS_WITH(citsim::write_hdf5(path.string(), c), Catch::Contains("/T"));
  }
  SECTION("a dimension outside the dataset's group and its parents (netCDF cannot read it)") {
    FileContents c = sample_contents();
    c.datasets[0].dims = {"/layers/dermis/depth"};
    c.datasets[0].numbers = {1.0, 2.0};
    CHECK_THROWS_WITH(citsim::write_hdf5(path.string(), c),
                      Catch::Contains("/T") && Catch::Contains("/layers/dermis/depth"));
  }
  SECTION("a scalar without a value is an inconsistent size") {
    FileContents c;
    Dataset d;
    d.path = "/empty_scalar";
    c.datasets.push_back(d);
    CHECK_THROWS_AS(citsim::write_hdf5(path.string(), c), std::invalid_argument);
  }
  SECTION("values in a vector other than the one the kind names") {
    FileContents c;
    Dataset d;
    d.path = "/both";
    d.kind = DataKind::Integers;
    d.numbers = {1.0};
    d.integers = {1};
    c.datasets.push_back(d);
    CHECK_THROWS_AS(citsim::write_hdf5(path.string(), c), std::invalid_argument);
  }
  CHECK(file_bytes(path) == "previous result");
  CHECK(leftover_temporaries(dir.path()).empty());
}

TEST_CASE("hdf5_file: an empty column keeps its stated type", "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "empty.h5";
  FileContents c;
  c.dimensions.push_back({"/rows", {}, "1", "row"});
  Dataset text;
  text.path = "/text";
  text.dims = {"/rows"};
  text.kind = DataKind::Strings;
  Dataset ints = text;
  ints.path = "/ints";
  ints.kind = DataKind::Integers;
  c.datasets = {text, ints};
  citsim::write_hdf5(path.string(), c);
  const Id file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  const Id t(H5Dopen2(*file, "/text", H5P_DEFAULT), H5Dclose);
  const Id tt(H5Dget_type(*t), H5Tclose);
  CHECK(H5Tget_class(*tt) == H5T_STRING);
  CHECK(H5Tis_variable_str(*tt) > 0);
  const Id i(H5Dopen2(*file, "/ints", H5P_DEFAULT), H5Dclose);
  const Id it(H5Dget_type(*i), H5Tclose);
  CHECK(H5Tget_class(*it) == H5T_INTEGER);
}

TEST_CASE("hdf5_file: an HDF5 failure mid-write throws IoError and keeps the old file",
          "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "run.h5";
  { std::ofstream(path) << "previous result"; }

  FileContents c = sample_contents();
  c.datasets[0].attributes.push_back({"units", std::string("K")});  // clashes with `units`
  try {
    citsim::write_hdf5(path.string(), c);
    FAIL("write_hdf5 should have thrown");
  } catch (const citsim::IoError& e) {
    const std::string what = e.what();
    INFO(what);
    CHECK(what.find("H5Acreate2") != std::string::npos);
    CHECK(what.find("/T") != std::string::npos);
    CHECK(what.find(path.string()) != std::string::npos);
  }
  CHECK(file_bytes(path) == "previous result");
  CHECK(leftover_temporaries(dir.path()).empty());
}

TEST_CASE("hdf5_file: a target that cannot be replaced throws and leaves no temporary",
          "[io][hdf5]") {
  const TempDir dir;
  const fs::path path = dir.path() / "occupied.h5";
  fs::create_directories(path / "inside");  // a non-empty directory: rename cannot replace it
  CHECK_THROWS_AS(citsim::write_hdf5(path.string(), sample_contents()), citsim::IoError);
  CHECK(fs::is_directory(path / "inside"));
  CHECK(leftover_temporaries(dir.path()).empty());
}

TEST_CASE("hdf5_file: xarray (netcdf4 engine) and h5py open the file with named dimensions",
          "[io][hdf5][python]") {
  if (std::system("/usr/bin/python3 -c 'import xarray, netCDF4, h5py' > /dev/null 2>&1") != 0) {
    WARN("/usr/bin/python3 with xarray, netCDF4 and h5py is not available; skipped");
    return;
  }
  const TempDir dir;
  const fs::path path = dir.path() / "xr.h5";
  citsim::write_hdf5(path.string(), sample_contents());

  // Double quotes only inside: the script travels in single quotes through the shell.
  const std::string script = R"PY(
import sys
import h5py
import xarray as xr
p = sys.argv[1]
with xr.open_dataset(p, engine="netcdf4") as root:
    assert root["T"].dims == ("time",), root["T"].dims
    assert root["session_day"].dims == ("session",), root["session_day"].dims
    assert dict(root.sizes) == {"time": 3, "session": 0}, dict(root.sizes)
    assert list(root["time"].values) == [0.0, 1.5, 3.0]
    assert root["time"].dtype == "float64", root["time"].dtype
    assert root["T"].attrs["units"] == "degC"
    assert list(root["labels"].values) == ["baseline", "", "\u00d6dem \u2013 day 3"]
    assert int(root["seed"].values) == 42 and root["seed"].dims == ()
    assert root.attrs["title"] == "citsim test", root.attrs
    assert list(root.data_vars)[:2] == ["T", "session_day"], list(root.data_vars)
with xr.open_dataset(p, engine="netcdf4", group="layers/dermis") as sub:
    assert sub["C1"].dims == ("time", "depth"), sub["C1"].dims
    assert sub["fibroblast_count"].dims == ("time",), sub["fibroblast_count"].dims
    assert sub["C1"].shape == (3, 2)
    assert float(sub["C1"].values[2, 1]) == 6.0
    assert sub["C1"].attrs["units"] == "mg/mL"
    assert sub.attrs["thickness_mm"] == 1.8
with h5py.File(p, "r") as f:
    assert f["session"].shape == (0,)
    assert f["layers/dermis/C1"].shape == (3, 2)
    scales = [d[0].name for d in f["layers/dermis/C1"].dims]
    assert scales == ["/time", "/layers/dermis/depth"], scales
    assert f["labels"].asstr()[2] == "\u00d6dem \u2013 day 3"
print("python readers ok")
)PY";
  const std::string command = "/usr/bin/python3 -c '" + script + "' '" + path.string() + "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 512> chunk{};
  while (std::fgets(chunk.data(), static_cast<int>(chunk.size()), pipe) != nullptr)
    output += chunk.data();
  const int status = ::pclose(pipe);
  INFO(output);
  CHECK(status == 0);
  CHECK(output.find("python readers ok") != std::string::npos);
}
