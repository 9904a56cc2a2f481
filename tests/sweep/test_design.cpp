// Tests for include/citsim/sweep/design.hpp: grid order, Latin hypercube strata, seeds, Sobol
// ranges, integer and log axes, and the checks on bad designs.
#include <catch2/catch.hpp>
#include <cmath>
#include <set>
#include <stdexcept>

#include "citsim/sweep/design.hpp"

using namespace citsim::sweep;

namespace {

Axis range_axis(std::string name, double lo, double hi, AxisScale scale = AxisScale::Linear, bool integer = false) {
  Axis a;
  a.key = "model.parameters." + name;
  a.name = std::move(name);
  a.lo = lo;
  a.hi = hi;
  a.scale = scale;
  a.integer = integer;
  return a;
}

}  // namespace

TEST_CASE("a grid runs every combination, the last axis fastest", "[sweep][design]") {
  Axis a, b;
  a.name = "a";
  a.values = {1, 2, 3};
  b.name = "b";
  b.values = {10, 20};
  const Design d(DesignSpec{}, {a, b});
  REQUIRE(d.runs() == 6);
  CHECK(d.values(0) == std::vector<double>{1, 10});
  CHECK(d.values(1) == std::vector<double>{1, 20});
  CHECK(d.values(2) == std::vector<double>{2, 10});
  CHECK(d.values(5) == std::vector<double>{3, 20});
  CHECK_THROWS_AS(d.values(6), std::out_of_range);
}

TEST_CASE("a Latin hypercube puts one point in every stratum of every axis", "[sweep][design]") {
  DesignSpec s;
  s.kind = DesignKind::LatinHypercube;
  s.runs = 50;
  s.seed = 42;
  const Design d(s, {range_axis("x", 0, 1), range_axis("y", 10, 20), range_axis("k", 1e-4, 1e-2, AxisScale::Log)});
  REQUIRE(d.runs() == 50);
  for (std::size_t j = 0; j < 3; ++j) {
    std::set<int> strata;
    for (std::int64_t r = 0; r < 50; ++r) strata.insert(static_cast<int>(d.unit_point(r)[j] * 50));
    CHECK(strata.size() == 50u);
  }
  for (std::int64_t r = 0; r < 50; ++r) {
    const auto v = d.values(r);
    CHECK(v[1] >= 10);
    CHECK(v[1] < 20);
    CHECK(v[2] >= 1e-4);
    CHECK(v[2] <= 1e-2);
    // log axis: the unit coordinate is uniform in log space
    CHECK(std::log(v[2] / 1e-4) / std::log(100.0) == Approx(d.unit_point(r)[2]).margin(1e-12));
  }
  const Design same(s, {range_axis("x", 0, 1), range_axis("y", 10, 20), range_axis("k", 1e-4, 1e-2, AxisScale::Log)});
  CHECK(same.values(17) == d.values(17));
  s.seed = 43;
  const Design other(s, {range_axis("x", 0, 1), range_axis("y", 10, 20), range_axis("k", 1e-4, 1e-2, AxisScale::Log)});
  CHECK(other.values(17) != d.values(17));
}

TEST_CASE("integer axes take every whole number of the range with equal share", "[sweep][design]") {
  Axis n = range_axis("count", 1, 6, AxisScale::Linear, true);
  std::vector<int> hits(7, 0);
  for (int k = 0; k < 600; ++k) hits[static_cast<std::size_t>(axis_value(n, (k + 0.5) / 600.0))]++;
  CHECK(hits[0] == 0);
  for (int v = 1; v <= 6; ++v) CHECK(hits[static_cast<std::size_t>(v)] == 100);
  CHECK(axis_value(n, 0.0) == 1);
  CHECK(axis_value(n, 1.0) == 6);  // Morris points reach the top of the cube
}

TEST_CASE("a Sobol design maps Sobol points onto the ranges", "[sweep][design]") {
  DesignSpec s;
  s.kind = DesignKind::Sobol;
  s.runs = 8;
  const Design d(s, {range_axis("x", -1, 1), range_axis("y", 0, 4)});
  CHECK(d.values(0) == std::vector<double>{-1, 0});
  CHECK(d.values(1) == std::vector<double>{0, 2});
  CHECK(d.values(2) == std::vector<double>{0.5, 1});
  s.skip = 1;
  CHECK(Design(s, {range_axis("x", -1, 1), range_axis("y", 0, 4)}).values(0) == d.values(1));
}

TEST_CASE("Morris and Saltelli designs have the runs their methods need", "[sweep][design]") {
  DesignSpec s;
  s.kind = DesignKind::Morris;
  s.trajectories = 7;
  const std::vector<Axis> axes = {range_axis("a", 0, 1), range_axis("b", 0, 1), range_axis("c", 0, 1)};
  CHECK(Design(s, axes).runs() == 7 * 4);
  s.kind = DesignKind::Saltelli;
  s.base_runs = 16;
  CHECK(Design(s, axes).runs() == 16 * 5);
}

TEST_CASE("bad designs are refused with the reason", "[sweep][design]") {
  CHECK_THROWS_WITH(Design(DesignSpec{}, {}), "a sweep needs at least one axis");
  Axis empty;
  empty.name = "e";
  CHECK_THROWS_WITH(Design(DesignSpec{}, {empty}), "grid axis 'e' has no values");
  DesignSpec s;
  s.kind = DesignKind::LatinHypercube;
  s.runs = 10;
  CHECK_THROWS_WITH(Design(s, {range_axis("x", 2, 1)}), "axis 'x' needs a range lo < hi");
  CHECK_THROWS_WITH(Design(s, {range_axis("x", 0, 1, AxisScale::Log)}), "axis 'x' is log-scaled and needs lo > 0");
  CHECK(design_kind_from("saltelli") == DesignKind::Saltelli);
  CHECK_FALSE(design_kind_from("monte_carlo").has_value());
}
