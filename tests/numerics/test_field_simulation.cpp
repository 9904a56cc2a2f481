// The 2D/3D driver (field_simulation.hpp): a laterally uniform injury gives exactly the 1D column
// in every column (2D and 3D); explicit channels keep every species ≥ 0 and give bit-identical
// results with one and two threads; the 1D closure, driven by the same channels, tracks their
// collagen induction far better than the mean-field column with one shell (two compartments) and
// within 10 % with eight (2D and a coarse 3D).
#include <catch2/catch.hpp>

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/numerics/closure_shell_simulation.hpp"
#include "citsim/numerics/field_simulation.hpp"
#include "citsim/run.hpp"

using namespace citsim;

namespace {

RunConfig config(ModelLevel level, double end_days) {
  RunConfig c;
  c.source_path = "test";
  c.level = level;
  c.protocol.end_days = end_days;
  Session s;
  s.time = 0.0;
  s.needle_length = 1.5;
  c.protocol.sessions = {s};
  c.numerics.dz = 0.1;
  c.numerics.dx = 0.1;
  c.output.dt = 1.0;
  c.output.dense_dt = 0.5;
  c.output.dense_days = 2.0;
  c.output.profile_dt = end_days;
  return c;
}

struct LastState final : ColumnObserver {
  ColumnState last;
  double min_value = 0.0;
  void record(double, const ColumnState& u) override {
    last = u;
    for (const auto& x : u) min_value = std::min(min_value, x.minCoeff());
  }
  void before_session(std::size_t, double, const ColumnState&) override {}
};

/// The 1D column's sites and injury copied into every column of `field`.
FieldModel uniform_field(const ColumnModel& column, const FieldGrid& field) {
  FieldModel fm;
  fm.field = field;
  fm.cells = column;
  fm.cells.level_name = "2d";
  fm.cells.sites.clear();
  for (auto& s : fm.cells.sessions) s.cells.clear();
  for (std::size_t c = 0; c < field.columns(); ++c) {
    fm.cells.sites.insert(fm.cells.sites.end(), column.sites.begin(), column.sites.end());
    for (std::size_t k = 0; k < column.sessions.size(); ++k)
      fm.cells.sessions[k].cells.insert(fm.cells.sessions[k].cells.end(), column.sessions[k].cells.begin(),
                                         column.sessions[k].cells.end());
  }
  return fm;
}

}  // namespace

TEST_CASE("field simulation: a laterally uniform injury reproduces the 1D column (2D and 3D)", "[field]") {
  const RunConfig cfg = config(ModelLevel::OneD, 6.0);
  const ColumnModel column = build_column_model(cfg);
  const std::vector<double> times = record_times(cfg);
  LastState one;
  ColumnState u1 = resting_column(column);
  simulate_column(column, cfg.numerics, 0.0, times, u1, one);
  for (double width_y : {0.0, 0.3}) {
    const FieldModel fm = uniform_field(column, make_field_grid(0.3, width_y, 0.1, cfg.parameters.z_bottom, 0.1));
    REQUIRE(fm.field.nz() == column.grid.size());
    LastState two;
    ColumnState u2 = resting_column(fm.cells);
    simulate_field(fm, cfg.numerics, 0.0, times, u2, two);
    for (std::size_t c = 0; c < fm.field.columns(); ++c)
      for (std::size_t i = 0; i < column.grid.size(); ++i)
        for (int s = 0; s < kSpeciesCount; ++s)
          CHECK(two.last[c * column.grid.size() + i][s] == Approx(one.last[i][s]).epsilon(1e-9).margin(1e-12));
  }
}

TEST_CASE("field simulation: explicit channels stay positive and ignore the thread count", "[field]") {
  for (ModelLevel level : {ModelLevel::TwoD, ModelLevel::ThreeD}) {
    RunConfig cfg = config(level, 3.0);
    cfg.parameters.width_2d = 1.0;
    cfg.parameters.width_3d = 0.5;
    cfg.protocol.sessions[0].density = 2000.0;  // several channels in a small domain
    const FieldModel fm = build_field_model(cfg);
    REQUIRE(!fm.channels.empty());
    REQUIRE(fm.channels[0].size() > 0);
    const std::vector<double> times = record_times(cfg);
    const int saved = omp_get_max_threads();
    std::vector<LastState> out(2);
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      ColumnState u = resting_column(fm.cells);
      simulate_field(fm, cfg.numerics, 0.0, times, u, out[static_cast<std::size_t>(threads - 1)]);
    }
    omp_set_num_threads(saved);
    CHECK(out[0].min_value >= 0.0);
    for (std::size_t i = 0; i < out[0].last.size(); ++i)
      for (int s = 0; s < kSpeciesCount; ++s) CHECK(out[0].last[i][s] == out[1].last[i][s]);
  }
}

TEST_CASE("field simulation: runs write lateral means and fields; channel-core strength falls", "[field]") {
  RunConfig cfg = config(ModelLevel::TwoD, 4.0);
  cfg.parameters.width_2d = 2.0;
  cfg.protocol.sessions[0].density = 1000.0;
  const RunResult r = run_simulation(cfg);
  REQUIRE(r.x.size() == 20);
  CHECK(r.y.empty());
  CHECK(r.fields[C1].size() == r.profile_time.size() * r.x.size() * r.z.size());
  // /profiles hold the lateral means of /fields.
  const std::size_t nz = r.z.size(), last = r.profile_time.size() - 1;
  for (std::size_t iz = 0; iz < nz; iz += 5) {
    double mean = 0.0;
    for (std::size_t ix = 0; ix < r.x.size(); ++ix) mean += r.fields[T][(last * r.x.size() + ix) * nz + iz];
    CHECK(r.profiles[T][last * nz + iz] == Approx(mean / static_cast<double>(r.x.size())).epsilon(1e-12));
  }
  // The channel cores lost their matrix: strength well below 1 just after the session.
  CHECK(r.readout("tensile_strength").values.back() < 0.5);
  CHECK(r.readout("tensile_strength").values.front() < 0.5);
}

TEST_CASE("field simulation: a lateral cell size too coarse for the width is a config error", "[field]") {
  RunConfig cfg = config(ModelLevel::TwoD, 2.0);
  cfg.source_path = "run.toml";
  cfg.parameters.width_2d = 0.2;
  cfg.numerics.dx = 0.1;
  try {
    build_field_model(cfg);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "run.toml: key 'numerics.dx' = 0.1: x width 0.2 mm with lateral cell size 0.1 mm gives 2 cells; "
          "at least 3 are needed (lower dx or raise width_2d/width_3d)");
  }
}

namespace {

/// Dermal collagen (C3 + C1 + Cx) mean of a state over `columns` columns of the depth grid.
double dermal_collagen(const ColumnState& u, const Grid& depth, std::size_t columns, double z_dermis) {
  const std::vector<double> w = interval_weights(depth, 0.0, z_dermis);
  double c = 0.0;
  for (std::size_t k = 0; k < columns; ++k)
    for (std::size_t i = 0; i < depth.size(); ++i) {
      const auto& x = u[k * depth.size() + i];
      c += w[i] * (x[C3] + x[C1] + x[Cx]);
    }
  return c / static_cast<double>(columns);
}

/// A 1D column driven by the lateral mean of a field's realised injury (the mean-field picture
/// of the same channels, so the comparison is free of the Poisson sampling of the channels).
ColumnModel mean_field_column(const FieldModel& fm, const ColumnModel& column) {
  ColumnModel m = column;
  const std::size_t nz = fm.field.nz(), cols = fm.field.columns();
  for (std::size_t k = 0; k < m.sessions.size(); ++k)
    for (std::size_t i = 0; i < nz; ++i) {
      InjuryFractions f{0.0, 0.0};
      for (std::size_t c = 0; c < cols; ++c) {
        f.channel += fm.cells.sessions[k].cells[c * nz + i].channel / static_cast<double>(cols);
        f.injured += fm.cells.sessions[k].cells[c * nz + i].injured / static_cast<double>(cols);
      }
      m.sessions[k].cells[i] = f;
    }
  return m;
}

}  // namespace

namespace {

/// Dermal collagen induction after `horizon` days of one default-density session (seed 3,
/// cells 0.05 × 0.1 mm): explicit channels, the mean-field column driven by the lateral mean of
/// the very same channels, and the closure at every K of `shells` on the realised distances of
/// the same channels (slits in 2D, cylinders in 3D).
/// The K of the agreement requirement; K = 1 is the two-compartment closure.
constexpr int kAgreementShells = 8;

struct Agreement {
  double field, mean_field;
  std::vector<double> shells;  ///< the closure, one per K asked for
};

Agreement agreement(ModelLevel lev, double D_T, double horizon, double dx, const std::vector<int>& shells) {
  RunConfig cfg = config(lev, horizon);
  cfg.parameters.D_T = D_T;
  cfg.seed = 3;
  cfg.numerics.dx = dx;
  const FieldModel fm = build_field_model(cfg);
  RunConfig cfg1 = cfg;
  cfg1.level = ModelLevel::OneD;
  cfg1.numerics.closure = lev == ModelLevel::ThreeD ? ColumnClosure::CoreSurround : ColumnClosure::CoreSurroundSlits;
  const ColumnModel column = mean_field_column(fm, build_column_model(cfg1));
  const std::vector<double> times = record_times(cfg);
  LastState two, one;
  ColumnState u2 = resting_column(fm.cells), u1 = resting_column(column);
  const double z_d = cfg.parameters.z_reticular;
  const double c0 = dermal_collagen(u1, column.grid, 1, z_d);
  simulate_field(fm, cfg.numerics, 0.0, times, u2, two);
  simulate_column(column, cfg.numerics, 0.0, times, u1, one);
  Agreement a{dermal_collagen(two.last, column.grid, fm.field.columns(), z_d) / c0 - 1.0,
              dermal_collagen(one.last, column.grid, 1, z_d) / c0 - 1.0,
              {}};
  // The realised distances of the very same channels, in bins of 1/1000 of their spacing (the
  // domain's channels per width in 2D, per area in 3D).
  const ChannelShape shape = lev == ModelLevel::ThreeD ? ChannelShape::Cylinders : ChannelShape::Slits;
  const double domain = fm.field.width_x() * (lev == ModelLevel::ThreeD ? fm.field.width_y() : 1.0);
  std::vector<DistanceHistogram> distances;
  for (const ChannelPattern& channels : fm.channels) {
    const ChannelLattice lattice{shape, static_cast<double>(channels.size()) / domain};
    distances.push_back(
        realised_distances(channels, shape, fm.field.width_x(), fm.field.width_y(), distance_bin(lattice)));
  }
  for (int K : shells) {
    // CITSIM_AGREE_SETTLED=1: no fresh-boundary term, the settled exchange throughout.
    const ShellClosureModel sm{column, K, distances, std::getenv("CITSIM_AGREE_SETTLED") == nullptr};
    ShellClosureState us = resting_shell_closure(column, K);
    LastState ss;
    simulate_shell_closure(sm, cfg.numerics, 0.0, times, us, ss);
    a.shells.push_back(dermal_collagen(ss.last, column.grid, 1, z_d) / c0 - 1.0);
  }
  return a;
}

}  // namespace

// The concentrated injury of explicit channels saturates its local responses: the mean-field
// column overestimates their collagen induction 3.2-fold (2D) and 1.4-fold (3D; 4.5 and 1.7
// with v2's kinetics, before channels refilled). One shell (the
// two-compartment closure) removes most of that at both ends of the TGF-beta range
// (docs/model.md, "When 1D is enough"), and eight meet the requirement of docs/model.md §4: within
// 10 % of the explicit channels at both ends of D_T. `mean_field_over` bounds the mean field's
// overestimate from below, `one_shell_share` the share of it one shell may leave.
namespace {
void check_closure_tracks(ModelLevel level, double dx, double mean_field_over, double one_shell_share) {
  for (double D_T : {0.002, 2.4}) {
    const Agreement a = agreement(level, D_T, 42.0, dx, {1, kAgreementShells});
    INFO(to_string(level) << ", D_T = " << D_T << ": collagen induction explicit " << 100 * a.field
                          << " %, 1D mean field " << 100 * a.mean_field << " %, 1 shell " << 100 * a.shells[0]
                          << " %, " << kAgreementShells << " shells " << 100 * a.shells[1] << " %");
    CHECK(a.field > 0.0);
    CHECK(a.mean_field > mean_field_over * a.field);
    CHECK(std::abs(a.shells[0] - a.field) < 0.25 * a.field);
    CHECK(std::abs(a.shells[0] - a.field) < one_shell_share * std::abs(a.mean_field - a.field));
    CHECK(std::abs(a.shells[1] - a.field) <= 0.10 * std::abs(a.shells[1]));
  }
}
}  // namespace

TEST_CASE("field simulation: the closure tracks 2D channels far better than the mean field",
          "[field][closure][agreement]") {
  check_closure_tracks(ModelLevel::TwoD, 0.05, 3.0, 0.1);
}

// The cheaper 3D check: a coarse patch (0.1 mm cells, 12 000 cells). There the mean field is 1.4
// times the cylinders' induction (1.7 before the channels refilled, model v3: a refilling core
// wastes less of the injury) and eight shells are within 1 % (3 % on 0.05 mm cells, the
// [agreement-table]).
TEST_CASE("field simulation: the closure tracks 3D channels far better than the mean field",
          "[field][closure][agreement]") {
  check_closure_tracks(ModelLevel::ThreeD, 0.1, 1.25, 0.25);
}

// The level agreement over a course (docs/model.md, "How close it comes": the default course's
// table at days 90, 180 and 365, scripts/levels_figure.sh), coarse enough for the suite: the
// default config's first three sessions followed to day 120, 3D patches of three seeds on 0.2 mm
// cells against the default 1D column (the closure, on the expected distances of the channels,
// not those of any one patch). 0.2 mm cells give the patch's collagen induction within 0.5 % of
// 0.1 mm cells. Days 70, 90 and 120 lie between and after sessions (on a session's day both
// levels jump, and a week after one the seeds alone spread ±10 %). Observed: collagen induction
// −7.1, −6.3, −6.3 %, firmness gain −2.4 % at all three days; the mean field is about +25 %.
TEST_CASE("field simulation: over a course the default 1D column stays within 10 % of the 3D patch",
          "[field][closure][agreement][course]") {
  RunConfig base = load_config(CITSIM_SOURCE_DIR "/configs/default.toml");
  REQUIRE(base.level == ModelLevel::OneD);
  REQUIRE(base.numerics.closure == ColumnClosure::CoreSurround);
  REQUIRE(base.protocol.sessions.size() >= 3);
  base.protocol.sessions.resize(3);
  base.protocol.end_days = 120.0;
  base.numerics.dz = 0.1;
  base.output.profile_dt = 120.0;
  const std::vector<double> days = {70.0, 90.0, 120.0};
  auto at = [&](const RunResult& r, const std::string& readout, double day) {
    for (std::size_t i = 0; i < r.time.size(); ++i)
      if (std::abs(r.time[i] - day) < 1e-9) return r.readout(readout).values[i];
    FAIL("no record at day " << day);
    return 0.0;
  };
  const RunResult one = run_simulation(base);
  RunConfig mean_field = base;
  mean_field.numerics.closure = ColumnClosure::MeanField;
  const RunResult upper = run_simulation(mean_field);
  std::vector<RunResult> patches;
  for (std::uint64_t seed : {1, 2, 3}) {
    RunConfig c = base;
    c.level = ModelLevel::ThreeD;
    c.numerics.dx = 0.2;
    c.seed = seed;
    patches.push_back(run_simulation(c));
  }
  for (const std::string readout : {"collagen_induction", "firmness_gain"})
    for (double day : days) {
      double three_d = 0.0;
      for (const RunResult& r : patches) three_d += at(r, readout, day) / static_cast<double>(patches.size());
      const double column = at(one, readout, day), mf = at(upper, readout, day);
      INFO(readout << " at day " << day << ": 3D patch (mean of 3 seeds) " << three_d << " %, default 1D "
                   << column << " %, mean field " << mf << " %");
      CHECK(three_d > 5.0);
      CHECK(std::abs(column - three_d) <= 0.10 * three_d);
      CHECK(mf > column);  // the mean field stays the upper estimate
    }
}

// The table of docs/model.md ("How close it comes"), hidden for its cost
// (`citsim_tests "[agreement-table]"`; CITSIM_AGREE_LEVEL=3d, CITSIM_AGREE_DAYS=N,
// CITSIM_AGREE_DX=mm, CITSIM_AGREE_SHELLS=1,2,4,8 (K values; the check is on the last),
// CITSIM_AGREE_SETTLED=1 (no fresh-boundary term) and CITSIM_AGREE_VERBOSE=1 vary it). Day 42,
// seed 3, cells 0.05 × 0.1 mm:
//
//   level  D_T    explicit   1D mean field   1 shell    8 shells (vs explicit)   (model v3)
//   2D     0.002  +2.274 %   +7.344 %        +2.444 %   +2.190 % (−3.7 %)
//   2D     2.4    +2.227 %   +7.310 %        +2.321 %   +2.139 % (−3.9 %)
//   3D     0.002  +6.266 %   +8.716 %        +6.471 %   +6.296 % (+0.5 %)
//   3D     2.4    +6.194 %   +8.858 %        +6.374 %   +6.199 % (+0.1 %)
//
// No constant of the closure was chosen to move these numbers (closure_exchange.hpp,
// closure_shells.hpp).
TEST_CASE("field simulation: at the default density 1D collagen induction tracks 2D and 3D at both ends of D_T",
          "[.][field][agreement-table]") {
  const char* env_level = std::getenv("CITSIM_AGREE_LEVEL");
  const ModelLevel lev = env_level && std::string(env_level) == "3d" ? ModelLevel::ThreeD : ModelLevel::TwoD;
  const double horizon = std::getenv("CITSIM_AGREE_DAYS") ? std::atof(std::getenv("CITSIM_AGREE_DAYS")) : 42.0;
  const double dx = std::getenv("CITSIM_AGREE_DX") ? std::atof(std::getenv("CITSIM_AGREE_DX")) : 0.05;
  // CITSIM_AGREE_SHELLS=1,2,4,8 runs the distance-resolved closure at every K listed; the
  // check is on the last.
  std::vector<int> shells;
  if (const char* e = std::getenv("CITSIM_AGREE_SHELLS")) {
    std::stringstream in(e);
    for (std::string k; std::getline(in, k, ',');) shells.push_back(std::stoi(k));
  }
  if (shells.empty()) shells = {kAgreementShells};
  for (double D_T : {0.002, 2.4}) {
    const Agreement a = agreement(lev, D_T, horizon, dx, shells);
    std::string by_k;
    for (std::size_t j = 0; j < shells.size(); ++j)
      by_k += fmt::format(", K = {}: {:.4f} %", shells[j], 100 * a.shells[j]);
    INFO("D_T = " << D_T << ": collagen induction " << to_string(lev) << " " << 100 * a.field << " %, 1D mean field "
                  << 100 * a.mean_field << " %, shells" << by_k);
    if (std::getenv("CITSIM_AGREE_VERBOSE"))
      WARN("D_T = " << D_T << ": collagen induction " << to_string(lev) << " " << 100 * a.field
                    << " %, 1D mean field " << 100 * a.mean_field << " %, shells" << by_k);
    CHECK(a.shells.back() > 0.0);
    CHECK(std::abs(a.field - a.shells.back()) <= 0.10 * std::abs(a.shells.back()));
  }
}
