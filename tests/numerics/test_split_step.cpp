// The one split-step driver (split_step.hpp): the transport operator is called in half steps
// around the kinetics and covers the horizon exactly, sessions are jumps at their exact times
// through the level's own jump, and a failure names the place the level's locator gives.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/numerics/split_step.hpp"
#include "citsim/run.hpp"

using namespace citsim;

namespace {

ColumnModel two_points() {
  RunConfig c;
  c.level = ModelLevel::ZeroD;
  Session s;
  s.time = 1.0;
  c.protocol.sessions = {s};
  ColumnModel m = build_column_model(c);
  m.sites = {m.sites[0], m.sites[0]};
  m.sessions[0].cells = {m.sessions[0].cells[0], m.sessions[0].cells[0]};
  return m;
}

/// Sums the time it was asked to cover; optionally poisons point 1 at its n-th call.
struct Recording final : TransportOperator {
  double covered = 0.0;
  int calls = 0, poison_at = -1;
  void step(ColumnState& u, double dt) override {
    covered += dt;
    if (++calls == poison_at) u[1][T] = std::numeric_limits<double>::quiet_NaN();
  }
};

struct Times final : ColumnObserver {
  std::vector<double> recorded, sessions;
  void record(double t, const ColumnState&) override { recorded.push_back(t); }
  void before_session(std::size_t, double t, const ColumnState&) override { sessions.push_back(t); }
};

}  // namespace

TEST_CASE("split step: transport in half steps covers the horizon; sessions jump on time", "[split]") {
  const ColumnModel m = two_points();
  Recording transport;
  std::vector<double> jumped;
  SplitSpace space;
  space.transport = &transport;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  space.session_jump = [&](std::size_t k, ColumnState& u) {
    jumped.push_back(static_cast<double>(k));
    u[0][D] = 0.5;  // the level's own jump, not the default injury
  };
  ColumnState u = resting_column(m);
  const double D_rest = u[1][D];
  Times obs;
  const std::vector<double> times = {0.5, 1.0, 3.0};
  const SimulationStats st = simulate_split(m, space, StepControl{}, 0.0, times, u, obs);
  CHECK(transport.covered == Approx(3.0).epsilon(1e-12));  // two half steps per split step
  CHECK(transport.calls == 2 * st.split_steps);
  CHECK(obs.recorded == times);
  REQUIRE(obs.sessions.size() == 1);
  CHECK(obs.sessions[0] == 1.0);
  CHECK(jumped == std::vector<double>{0.0});
  // The default jump (apply_injury) did not run: point 1 was never injured.
  CHECK(u[1][D] == Approx(D_rest).margin(1e-12));
}

TEST_CASE("split step: without a jump of its own a session injures every point", "[split]") {
  const ColumnModel m = two_points();
  SplitSpace space;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  ColumnState u = resting_column(m);
  Times obs;
  const std::vector<double> times = {1.0};
  simulate_split(m, space, StepControl{}, 0.0, times, u, obs);
  const ColumnState rest = resting_column(m);
  for (std::size_t i = 0; i < 2; ++i) CHECK(u[i][D] > rest[i][D] + 0.5 * m.sessions[0].cells[i].injured);
}

TEST_CASE("split step: a failure names the time, level and the place the locator gives", "[split]") {
  const ColumnModel m = two_points();
  Recording transport;
  transport.poison_at = 2;  // after a step's second half: the state check sees it
  SplitSpace space;
  space.transport = &transport;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  ColumnState u = resting_column(m);
  Times obs;
  const std::vector<double> times = {0.5};
  try {
    simulate_split(m, space, StepControl{}, 0.0, times, u, obs);
    FAIL("no error");
  } catch (const NumericalError& e) {
    const std::string what = e.what();
    CHECK(what.find("level 0d") != std::string::npos);
    CHECK(what.find("point 1 (cell 1)") != std::string::npos);
  }
}

namespace {

/// The points of `two_points` n times over, at one site, with no session.
ColumnModel points_at_one_site(std::size_t n) {
  ColumnModel m = two_points();
  m.sites.assign(n, m.sites[0]);
  m.sessions.clear();
  return m;
}

/// Groups every point with point 0, at the given shares.
std::function<void(const ColumnState&, std::vector<std::size_t>&, std::vector<double>&)> one_group(
    std::vector<double> shares) {
  return [shares](const ColumnState&, std::vector<std::size_t>& lead, std::vector<double>& weight) {
    for (std::size_t i = 0; i < lead.size(); ++i) {
      lead[i] = 0;
      weight[i] = shares[i];
    }
  };
}

}  // namespace

TEST_CASE("split step: a group's kinetics advance its weighted mean as one point, and keep the spread", "[split]") {
  const std::vector<double> shares = {0.5, 0.3, 0.2};
  const ColumnModel m = points_at_one_site(3);
  ColumnState u = resting_column(m);
  // Members apart by a few parts in a thousand, as the closure's compartments that agree.
  u[1][Cp] *= 1.002;
  u[1][F] *= 1.001;
  u[1][C1] *= 1.003;
  u[2][T] *= 0.999;
  u[2][E] *= 0.997;
  const ColumnState start = u;
  SplitSpace space;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  space.kinetics_groups = one_group(shares);
  Times obs;
  const std::vector<double> times = {0.5, 3.0};
  const SimulationStats grouped = simulate_split(m, space, StepControl{}, 0.0, times, u, obs);

  // The same mean as a single point.
  ColumnModel one = points_at_one_site(1);
  ColumnState mean(1, SpeciesVector::Zero());
  for (std::size_t i = 0; i < 3; ++i) mean[0] += shares[i] * start[i];
  SplitSpace alone;
  alone.locate = space.locate;
  const SimulationStats single = simulate_split(one, alone, StepControl{}, 0.0, times, mean, obs);
  CHECK(grouped.kinetics_steps == single.kinetics_steps);  // one point's work for three
  SpeciesVector after = SpeciesVector::Zero();
  for (std::size_t i = 0; i < 3; ++i) after += shares[i] * u[i];
  for (int s = 0; s < kSpeciesCount; ++s) {
    INFO("species " << kSpeciesInfo[static_cast<std::size_t>(s)].name);
    CHECK(after[s] == Approx(mean[0][s]).epsilon(1e-12).margin(1e-15));
    // Every member moved by the same increment: the spread is what it was.
    CHECK(u[1][s] - u[0][s] == Approx(start[1][s] - start[0][s]).margin(1e-12 * (1.0 + std::abs(u[0][s]))));
    CHECK(u[2][s] - u[0][s] == Approx(start[2][s] - start[0][s]).margin(1e-12 * (1.0 + std::abs(u[0][s]))));
  }
}

TEST_CASE("split step: a member the group's increment would take below zero is stepped on its own", "[split]") {
  // Cytokines and neutrophils high in one member and at rest in the other: the mean's decay over
  // a step is more than the resting member holds, so the group is stepped point by point, with
  // the numbers of points never grouped.
  const ColumnModel m = points_at_one_site(2);
  ColumnState u = resting_column(m);
  u[0][Cp] = 20.0;
  u[0][N] = 20.0;
  ColumnState apart = u;
  SplitSpace space;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  Times obs;
  const std::vector<double> times = {0.05};
  simulate_split(m, space, StepControl{}, 0.0, times, apart, obs);
  space.kinetics_groups = one_group({0.5, 0.5});
  simulate_split(m, space, StepControl{}, 0.0, times, u, obs);
  for (std::size_t i = 0; i < 2; ++i)
    for (int s = 0; s < kSpeciesCount; ++s) {
      CHECK(u[i][s] >= 0.0);
      CHECK(u[i][s] == apart[i][s]);
    }
}

namespace {

struct States final : ColumnObserver {
  std::vector<double> times;
  std::vector<ColumnState> states;
  void record(double t, const ColumnState& u) override {
    times.push_back(t);
    states.push_back(u);
  }
  void before_session(std::size_t, double, const ColumnState&) override {}
};

}  // namespace

TEST_CASE("split step: records do not steer the steps; between step ends they are interpolated", "[split]") {
  const ColumnModel m = two_points();  // a session at day 1
  SplitSpace space;
  space.locate = [](std::size_t i) { return "point " + std::to_string(i); };
  const std::vector<double> sparse = {0.5, 1.0, 3.0, 20.0};
  std::vector<double> dense;
  for (int k = 0; k <= 400; ++k) dense.push_back(0.05 * k);  // every 0.05 day, 0.5, 1 and 3 among them
  auto run = [&](const std::vector<double>& times, bool stop) {
    StepControl c;
    c.stop_at_records = stop;
    ColumnState u = resting_column(m);
    States obs;
    const SimulationStats st = simulate_split(m, space, c, 0.0, times, u, obs);
    return std::pair{st, obs};
  };
  const auto [st_sparse, a] = run(sparse, false);
  const auto [st_dense, b] = run(dense, false);
  // The same steps, so the same states at the times both ask for, to the bit.
  CHECK(st_sparse.split_steps == st_dense.split_steps);
  CHECK(st_sparse.kinetics_steps == st_dense.kinetics_steps);
  REQUIRE(b.times == dense);
  for (std::size_t k = 0; k < sparse.size(); ++k) {
    const auto at = std::find(dense.begin(), dense.end(), sparse[k]);
    REQUIRE(at != dense.end());
    CHECK(a.states[k] == b.states[static_cast<std::size_t>(at - dense.begin())]);
  }
  // Stopping at every record takes more steps; the interpolated records stay non-negative and
  // near the exact ones (0D: the kinetics alone, within their tolerance and the interpolation's).
  const auto [st_exact, e] = run(dense, true);
  CHECK(st_exact.split_steps > st_dense.split_steps);
  double worst = 0.0;
  for (std::size_t k = 0; k < dense.size(); ++k)
    for (int s = 0; s < kSpeciesCount; ++s) {
      const double x = b.states[k][0][s], y = e.states[k][0][s];
      CHECK(x >= 0.0);
      worst = std::max(worst, std::abs(x - y) / std::max(std::abs(y), 1e-3));
    }
  INFO("largest relative difference to records the steps stop at: " << worst);
  CHECK(worst < 1e-2);
  CHECK(worst > 0.0);  // they are interpolated, not stopped at
}
