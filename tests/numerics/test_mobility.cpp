// Which species move alike (mobility.hpp): equal D and χ share a group, F never does, the
// immobile ones are in none.
#include <catch2/catch.hpp>

#include <vector>

#include "citsim/numerics/mobility.hpp"

using namespace citsim;

namespace {

std::vector<std::vector<int>> members(const std::vector<MobilityGroup>& groups) {
  std::vector<std::vector<int>> m;
  for (const MobilityGroup& g : groups) m.push_back(g.species);
  return m;
}

}  // namespace

TEST_CASE("mobility: species with equal D and chi share a group, F keeps its own") {
  Parameters p = default_parameters();
  // The defaults: the cytokines and TGF-beta at one D, both macrophages at another; B, F and Mf
  // all at D = 0.01, but Mf is chemotactic and F moves relative to its resting profile.
  REQUIRE(p.D_Cp == p.D_Ca);
  REQUIRE(p.D_Cp == p.D_T);
  REQUIRE(p.D_M1 == p.D_M2);
  REQUIRE(p.D_F == p.D_Mf);
  REQUIRE(p.chi_F == p.chi_Mf);
  REQUIRE(p.D_B == p.D_Mf);
  const std::vector<MobilityGroup> g = mobility_groups(mobility(p));
  CHECK(members(g) == std::vector<std::vector<int>>{{B}, {N}, {M1, M2}, {Cp, Ca, T}, {F}, {Mf}});
  CHECK(g[3].D == p.D_Cp);
  CHECK(g[3].chi == 0.0);
  CHECK(g[4].relative_to_rest);
  CHECK_FALSE(g[5].relative_to_rest);
  CHECK(largest_group(g) == 3);

  // Apart as soon as one coefficient differs; a species that does not move is in no group.
  p.D_Ca = 0.25;
  p.D_M2 = 0.0;
  p.D_N = p.D_B;
  CHECK(members(mobility_groups(mobility(p))) ==
        std::vector<std::vector<int>>{{B, N}, {M1}, {Cp, T}, {Ca}, {F}, {Mf}});
  // Equal chemotaxis too: Mf joins B when both have the same D and χ.
  p.chi_Mf = 0.0;
  CHECK(members(mobility_groups(mobility(p))) ==
        std::vector<std::vector<int>>{{B, N, Mf}, {M1}, {Cp, T}, {Ca}, {F}});
  p.D_F = 0.01;
  p.chi_F = 0.0;  // F still alone: its flux is relative to F_rest
  CHECK(members(mobility_groups(mobility(p))).back() == std::vector<int>{F});
}
