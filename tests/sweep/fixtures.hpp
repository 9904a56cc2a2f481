// A small sweep for the sweep tests: 0D, one or three short sessions, a 2 x 2 or 3 x 3 grid.
#pragma once

#include <hdf5.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "citsim/sweep/runner.hpp"
#include "citsim/sweep/spec.hpp"

namespace citsim::sweep::testing {

/// A temporary directory with a base config; removed at the end.
struct SweepDir {
  std::filesystem::path path;
  explicit SweepDir(const std::string& tag)
      : path(std::filesystem::temp_directory_path() / ("citsim_" + tag + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    std::ofstream(path / "base.toml") << "[model]\nlevel = \"0d\"\n[protocol]\nend_days = 100\n"
                                         "[protocol.series]\ncount = 2\ninterval_days = 28\n"
                                         "[output]\ndense_dt = 0.25\n";
  }
  ~SweepDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }

  /// A plan from spec text (its base is base.toml beside it).
  SweepPlan plan(const std::string& spec_text) const {
    std::ofstream(path / "spec.toml") << spec_text;
    return make_plan(load_sweep_spec(file("spec.toml")));
  }
};

/// 3 x 3: needle length x density.
inline const std::string kGrid3x3 =
    "base = \"base.toml\"\n"
    "outcomes = [\"final_gain\", \"max_gain\", \"collagen_induction@60\", \"peak_erythema\", \"days_to_90pct_gain\"]\n"
    "[[axis]]\nkey = \"needle_length\"\nvalues = [1.0, 1.5, 2.0]\n"
    "[[axis]]\nkey = \"density\"\nrange = [150, 350]\nsteps = 3\n"
    "[series]\nreadouts = [\"firmness_gain\", \"erythema\"]\ndt = 5\n";

/// 2 x 2 where one combination (3 sessions 50 days apart, ending on day 100) is refused.
inline const std::string kGridWithFailure =
    "base = \"base.toml\"\n"
    "[[axis]]\nkey = \"sessions\"\nvalues = [1, 3]\n"
    "[[axis]]\nkey = \"interval_days\"\nvalues = [10, 50]\n";

/// Equal to the bit, NaN equal to NaN (failed runs' outcomes).
inline bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  return true;
}

/// A whole double dataset of an HDF5 file.
inline std::vector<double> read_doubles(const std::string& file, const std::string& dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  REQUIRE(d >= 0);
  const hid_t s = H5Dget_space(d);
  std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
  REQUIRE(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  H5Sclose(s);
  H5Dclose(d);
  H5Fclose(f);
  return v;
}

}  // namespace citsim::sweep::testing
