// The 1D core/surround closure (closure_simulation.hpp): untreated tissue stays at rest; every
// species stays ≥ 0; a uniform injury (φ = 1) is the mean-field column; the jump of the mean is
// the mean-field jump; an exchange far faster than every process leaves only the immobile
// species (debris, matrix) apart; any thread count gives the same numbers; a run through the
// config.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "citsim/numerics/closure_simulation.hpp"
#include "citsim/run.hpp"

using namespace citsim;

namespace {

RunConfig config(double end_days, std::size_t sessions = 1) {
  RunConfig c;
  c.source_path = "test";
  c.level = ModelLevel::OneD;
  c.numerics.closure = ColumnClosure::CoreSurround;
  c.numerics.dz = 0.1;
  c.protocol.end_days = end_days;
  for (std::size_t k = 0; k < sessions; ++k) {
    Session s;
    s.time = 28.0 * static_cast<double>(k);
    s.needle_length = 1.5;
    c.protocol.sessions.push_back(s);
  }
  c.output.dt = 1.0;
  c.output.dense_dt = 0.5;
  c.output.dense_days = 2.0;
  c.output.profile_dt = end_days;
  return c;
}

struct Watch final : ColumnObserver {
  ColumnState last, before;
  double min_value = 0.0;
  void record(double, const ColumnState& u) override {
    last = u;
    for (const auto& x : u) min_value = std::min(min_value, x.minCoeff());
  }
  void before_session(std::size_t, double, const ColumnState& u) override { before = u; }
};

}  // namespace

TEST_CASE("closure: untreated tissue stays at rest", "[closure]") {
  RunConfig cfg = config(200.0, 0);
  const ClosureModel cm = build_closure_model(cfg);
  ClosureState st = resting_closure(cm.column);
  const ColumnState rest = lateral_mean(st);
  Watch w;
  const std::vector<double> times = {50.0, 200.0};
  simulate_closure(cm, cfg.numerics, 0.0, times, st, w);
  for (std::size_t i = 0; i < rest.size(); ++i)
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(w.last[i][s] == Approx(rest[i][s]).epsilon(1e-6).margin(1e-12));
}

TEST_CASE("closure: two sessions keep every species >= 0 and the mean jumps as the mean field", "[closure]") {
  RunConfig cfg = config(40.0, 2);
  const ClosureModel cm = build_closure_model(cfg);
  ClosureState st = resting_closure(cm.column);
  Watch w;
  std::vector<double> times = record_times(cfg);
  // Stop right after the second session: its jump seen from the mean.
  std::vector<double> to_second(times.begin(), std::find(times.begin(), times.end(), 28.0) + 1);
  simulate_closure(cm, cfg.numerics, 0.0, to_second, st, w);
  CHECK(w.min_value >= 0.0);
  for (const auto& x : st.points) CHECK(x.minCoeff() >= 0.0);
  ColumnState expected = w.before;
  const SessionInjury& s = cm.column.sessions[1];
  for (std::size_t i = 0; i < expected.size(); ++i)
    apply_injury(expected[i], s.cells[i], cm.column.sites[i].v, s.session, cm.column.params, cm.column.patient.anticoagulant);
  for (std::size_t i = 0; i < expected.size(); ++i)
    for (int k = 0; k < kSpeciesCount; ++k) CHECK(w.last[i][k] == Approx(expected[i][k]).epsilon(1e-12).margin(1e-14));
  // The core holds the injured zone at its local fractions: all debris.
  CHECK(st.core_area[0] == Approx(s.cells[0].injured));
  CHECK(st.points[0][D] == Approx(1.0));
}

TEST_CASE("closure: a uniform injury (phi = 1) is the mean-field column", "[closure]") {
  RunConfig cfg = config(30.0);
  ClosureModel cm = build_closure_model(cfg);
  for (auto& c : cm.column.sessions[0].cells) c = InjuryFractions{0.02, 1.0};
  ClosureState st = resting_closure(cm.column);
  ColumnState u = resting_column(cm.column);
  Watch wc, w1;
  const std::vector<double> times = record_times(cfg);
  simulate_closure(cm, cfg.numerics, 0.0, times, st, wc);
  simulate_column(cm.column, cfg.numerics, 0.0, times, u, w1);
  for (std::size_t i = 0; i < u.size(); ++i)
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(wc.last[i][s] == Approx(w1.last[i][s]).epsilon(1e-9).margin(1e-12));
}

TEST_CASE("closure: a very fast exchange keeps the mobile species equal; the matrix stays apart", "[closure]") {
  RunConfig cfg = config(20.0);
  ClosureModel cm = build_closure_model(cfg);
  for (auto& l : cm.lattice) l = {ChannelShape::Slits, 1e4};  // G = 1.2e9 per mm²
  ClosureState st = resting_closure(cm.column);
  Watch w;
  simulate_closure(cm, cfg.numerics, 0.0, record_times(cfg), st, w);
  const std::size_t top = 2;  // a cell well inside the needles' reach
  REQUIRE(st.core_area[top] > 0.0);
  for (int s : {Cp, Ca, T, B, N, M1, M2, F, Mf})
    CHECK(st.points[2 * top][s] == Approx(st.points[2 * top + 1][s]).epsilon(1e-6).margin(1e-12));
  // Collagen does not move: the core's own history (its channels' loss, its synthesis) stays.
  CHECK(std::abs(st.points[2 * top][C1] / st.points[2 * top + 1][C1] - 1.0) > 0.01);
}

TEST_CASE("closure: the thread count does not change a bit", "[closure]") {
  RunConfig cfg = config(10.0);
  const ClosureModel cm = build_closure_model(cfg);
  std::vector<ClosureState> out;
  for (int threads : {1, 2}) {
    StepControl c = cfg.numerics;
    c.threads = threads;
    ClosureState st = resting_closure(cm.column);
    Watch w;
    simulate_closure(cm, c, 0.0, record_times(cfg), st, w);
    out.push_back(st);
  }
  for (std::size_t i = 0; i < out[0].points.size(); ++i)
    for (int s = 0; s < kSpeciesCount; ++s) CHECK(out[0].points[i][s] == out[1].points[i][s]);
}

TEST_CASE("closure: a run through the config writes lateral means with a smaller induction", "[closure]") {
  RunConfig cfg = config(42.0);
  const RunResult closure = run_simulation(cfg);
  cfg.numerics.closure = ColumnClosure::MeanField;
  const RunResult mean = run_simulation(cfg);
  REQUIRE(closure.time == mean.time);
  const double ind_c = closure.readout("collagen_induction").values.back();
  const double ind_m = mean.readout("collagen_induction").values.back();
  // The concentrated injury saturates: less collagen than the same injury spread thinly.
  CHECK(ind_c > 0.0);
  CHECK(ind_c < ind_m);
  CHECK(closure.z == mean.z);
}
