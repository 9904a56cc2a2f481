#include "citsim/numerics/mobility.hpp"

#include <algorithm>

namespace citsim {

Mobility mobility(const Parameters& p) {
  Mobility m;
  m.D[Cp] = p.D_Cp;
  m.D[Ca] = p.D_Ca;
  m.D[T] = p.D_T;
  m.D[B] = p.D_B;
  m.D[N] = p.D_N;
  m.D[M1] = p.D_M1;
  m.D[M2] = p.D_M2;
  m.D[F] = p.D_F;
  m.D[Mf] = p.D_Mf;
  m.chi[F] = p.chi_F;
  m.chi[Mf] = p.chi_Mf;
  return m;
}

std::vector<MobilityGroup> mobility_groups(const Mobility& m) {
  std::vector<MobilityGroup> groups;
  for (int s = 0; s < kSpeciesCount; ++s) {
    const double D = m.D[static_cast<std::size_t>(s)], chi = m.chi[static_cast<std::size_t>(s)];
    if (D == 0.0 && chi == 0.0) continue;
    const bool relative = s == F;
    auto same = [&](const MobilityGroup& g) {
      return !relative && !g.relative_to_rest && g.D == D && g.chi == chi;
    };
    const auto g = std::find_if(groups.begin(), groups.end(), same);
    if (g != groups.end()) g->species.push_back(s);
    else groups.push_back(MobilityGroup{D, chi, relative, {s}});
  }
  return groups;
}

std::size_t largest_group(const std::vector<MobilityGroup>& groups) {
  std::size_t most = 0;
  for (const MobilityGroup& g : groups) most = std::max(most, g.species.size());
  return most;
}

}  // namespace citsim
