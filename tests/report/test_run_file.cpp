// read_run_file on files written by citsim itself (0D, short, in-process), and its refusals.
#include "citsim/report/run_file.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

// The test target may not carry HDF5's include directory (Debian keeps it in hdf5/serial).
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#else
#include <hdf5/serial/hdf5.h>
#endif

#include <filesystem>
#include <fstream>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/run_output.hpp"
#include "citsim/run.hpp"

namespace {

namespace fs = std::filesystem;

/// A short run written to a temporary file: 0D, `sessions` sessions of the default course.
struct RunFixture {
  fs::path dir;
  std::string path;
  citsim::RunResult result;
  explicit RunFixture(int sessions, std::vector<std::string> extra = {}) {
    dir = fs::temp_directory_path() / ("citsim_report_test_" + std::to_string(::getpid()) + "_" + std::to_string(sessions));
    fs::create_directories(dir);
    path = (dir / "run.h5").string();
    std::vector<std::string> sets = {"model.level=0d", "protocol.end_days=40",
                                     "protocol.series.count=" + std::to_string(sessions), "output.dense_days=2"};
    sets.insert(sets.end(), extra.begin(), extra.end());
    const citsim::RunConfig cfg = citsim::load_config(std::string(CITSIM_SOURCE_DIR) + "/configs/default.toml", sets);
    result = citsim::run_simulation(cfg);
    citsim::write_run(path, result, cfg);
  }
  ~RunFixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

TEST_CASE("run_file: a run reads back with the values the simulation produced", "[report][run_file]") {
  const RunFixture fx(1, {"patient.smoker=true"});
  const citsim::RunFile run = citsim::read_run_file(fx.path);
  CHECK(run.model_level == "0d");
  CHECK(!run.citsim_version.empty());
  CHECK(run.config.find("[patient]") != std::string::npos);
  CHECK(run.config.find("patient.smoker=true") != std::string::npos);
  CHECK(run.pre_treatment_R0 == Approx(fx.result.pre_treatment_R0).epsilon(1e-12));
  REQUIRE(run.time == fx.result.time);
  CHECK(run.z.size() == 1);
  CHECK(run.profile_time.size() >= 6);

  const citsim::NamedSeries* gain = run.readout("firmness_gain");
  REQUIRE(gain != nullptr);
  CHECK(gain->units == "percent");
  CHECK(gain->values == fx.result.readout("firmness_gain").values);
  CHECK(run.readouts.size() == 11);
  CHECK(run.dermis.size() == 17);  // 15 species, collagen_synthesis, type3_share
  CHECK(run.profiles.size() == 15);
  for (const auto& p : run.profiles) CHECK(p.values.size() == run.profile_time.size() * run.z.size());
  CHECK(run.profile("C1")->units == "mg/cm^3");

  const citsim::SessionColumn* t = run.session_column("time");
  REQUIRE(t != nullptr);
  CHECK(t->numbers == std::vector<double>{0.0});
  const citsim::SessionColumn* device = run.session_column("device");
  REQUIRE(device != nullptr);
  CHECK(device->strings == std::vector<std::string>{"pen"});
  CHECK(run.session_column("session") == nullptr);  // the index is not a column

  // Parameters: base and effective values and units; derived per-depth arrays left out.
  const auto find = [&](const std::string& n) -> const citsim::ParameterEntry* {
    for (const auto& p : run.parameters)
      if (p.name == n) return &p;
    return nullptr;
  };
  const citsim::ParameterEntry* sigma = find("sigma_T");
  REQUIRE(sigma != nullptr);
  CHECK(sigma->has_effective);
  CHECK(sigma->effective < sigma->value);  // the smoker's response is weaker
  CHECK(find("sigma_T_effective") == nullptr);
  CHECK(find("p_C") == nullptr);
  const citsim::ParameterEntry* k_tx = find("k_tx");
  REQUIRE(k_tx != nullptr);
  CHECK(!k_tx->has_effective);
  CHECK(k_tx->unit == "1/day");
  CHECK(run.parameters.front().name == "epidermis");  // file (= table) order
}

TEST_CASE("run_file: an untreated run has empty session columns", "[report][run_file]") {
  const fs::path dir = fs::temp_directory_path() / ("citsim_report_untreated_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string cfg_path = (dir / "untreated.toml").string();
  std::ofstream(cfg_path) << "[protocol]\nend_days = 10\n[model]\nlevel = \"0d\"\n";
  const citsim::RunConfig cfg = citsim::load_config(cfg_path);
  const std::string path = (dir / "u.h5").string();
  citsim::write_run(path, citsim::run_simulation(cfg), cfg);
  const citsim::RunFile run = citsim::read_run_file(path);
  REQUIRE(run.session_column("time") != nullptr);
  CHECK(run.session_column("time")->numbers.empty());
  fs::remove_all(dir);
}

TEST_CASE("run_file: files that are not citsim runs are refused by name", "[report][run_file]") {
  const fs::path dir = fs::temp_directory_path() / ("citsim_report_bad_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string text = (dir / "notes.txt").string();
  std::ofstream(text) << "not hdf5";
  try {
    citsim::read_run_file(text);
    FAIL("no error");
  } catch (const citsim::IoError& e) {
    CHECK(std::string(e.what()).find(text) != std::string::npos);
    CHECK(std::string(e.what()).find("not an HDF5 file") != std::string::npos);
  }
  CHECK_THROWS_AS(citsim::read_run_file((dir / "missing.h5").string()), citsim::IoError);

  // A real run with a dataset removed: the message names what is missing.
  const RunFixture fx(1);
  const std::string cut = (dir / "cut.h5").string();
  fs::copy_file(fx.path, cut);
  {
    const hid_t f = H5Fopen(cut.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    CHECK(H5Ldelete(f, "/readouts/firmness_gain", H5P_DEFAULT) >= 0);
    CHECK(H5Fclose(f) >= 0);
  }
  try {
    citsim::read_run_file(cut);
    FAIL("no error");
  } catch (const citsim::IoError& e) {
    CHECK(std::string(e.what()).find(cut) != std::string::npos);
    CHECK(std::string(e.what()).find("/readouts/firmness_gain") != std::string::npos);
  }
  fs::remove_all(dir);
}

namespace {

/// Replaces the root attribute `name` of `file` by texts of the HDF5 type `type` over `space`.
void rewrite_text_attribute(const std::string& file, const char* name, hid_t type, hid_t space,
                            const std::vector<const char*>& values) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(H5Adelete(f, name) >= 0);
  const hid_t a = H5Acreate2(f, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  REQUIRE(a >= 0);
  CHECK(H5Awrite(a, type, values.data()) >= 0);
  H5Aclose(a);
  H5Fclose(f);
}

}  // namespace

TEST_CASE("run_file: text attributes rewritten as h5py writes them are read", "[report][run_file]") {
  // h5py stores a Python str as a variable-length UTF-8 string; HDF5 converts no strings between
  // ASCII and UTF-8, so the reader must ask for the file's character set.
  const RunFixture fx(1);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  const hid_t scalar = H5Screate(H5S_SCALAR);
  rewrite_text_attribute(fx.path, "config", type, scalar, {"[model]\nlevel = \"0d\"  # \xc2\xb5m\n"});
  CHECK(citsim::read_run_file(fx.path).config == "[model]\nlevel = \"0d\"  # \xc2\xb5m\n");

  // An array of texts where one is expected is refused, not read into one pointer.
  const hsize_t two = 2;
  const hid_t pair = H5Screate_simple(1, &two, nullptr);
  rewrite_text_attribute(fx.path, "model_level", type, pair, {"0d", "1d"});
  CHECK_THROWS_WITH(citsim::read_run_file(fx.path), Catch::Contains("model_level") && Catch::Contains("not one text"));
  H5Sclose(pair);
  H5Sclose(scalar);
  H5Tclose(type);
}
