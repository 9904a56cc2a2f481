// Local kinetics of the 15 species at one point (docs/model.md §3): a pure function of the state,
// the point's rates and the parameters. Shared untouched by every model level (0D–3D).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>

#include "citsim/model/parameters.hpp"
#include "citsim/model/species.hpp"
#include "citsim/model/tissue.hpp"

namespace citsim {

/// Collagen synthesis at a point: total rate S and its type III part S·f3 [mg/cm³/day].
struct Synthesis {
  double total;
  double type3;
};
Synthesis collagen_synthesis(const SpeciesVector& u, const SiteRates& s, const Parameters& p);

/// coupling[i][j]: species i's rate depends on species j (the structural pattern of ∂R/∂u, the
/// same for every state, parameter set and site). The numerics order their solves by it
/// (block_triangular_lu.hpp); tests check the analytic and the difference Jacobians against it.
using SpeciesCoupling = std::array<std::array<bool, kSpeciesCount>, kSpeciesCount>;

namespace detail {
constexpr SpeciesCoupling coupling_of(std::initializer_list<std::initializer_list<Species>> rows) {
  SpeciesCoupling c{};
  std::size_t i = 0;
  for (const auto& row : rows) {
    for (Species j : row) c[i][static_cast<std::size_t>(j)] = true;
    ++i;
  }
  return c;
}
}  // namespace detail

/// The rows in species order, each written from its equation in kinetics.cpp (docs/model.md §3).
inline constexpr SpeciesCoupling kKineticsCoupling = detail::coupling_of({
    {D, N, M1, M2},                 // D: phagocytic clearance
    {B, N, M1},                     // B: growth, clearance, killing
    {N, D, B, Cp},                  // N: recruited by cytokines, debris, bacteria
    {M1, M2, D, N, Cp, Ca},         // M1: recruitment, switch, back-switch
    {M1, M2, N, Cp, Ca},            // M2
    {Cp, D, B, N, M1, Ca},          // Cp: release, IL-10 inhibition
    {Ca, N, M2},                    // Ca
    {T, M2, F, Mf},                 // T
    {F, Mf, T},                     // F
    {Mf, F, T},                     // Mf
    {C3, C1, Cx, F, Mf, T, Cp, P},  // C3: synthesis (crowding, inhibition), turnover
    {C3, C1, Cx, F, Mf, T, Cp, P},  // C1
    {C1, Cx, P},                    // Cx: cross-linking, turnover
    {E, F, T, N, M1},               // E: synthesis, elastase
    {P, N, M1, F, Cp},              // P
});

/// du/dt from reactions only.
SpeciesVector kinetics_rhs(const SpeciesVector& u, const SiteRates& s, const Parameters& p);

/// du/dt and its analytic Jacobian ∂(du/dt)/∂u.
void kinetics_rhs_jacobian(const SpeciesVector& u, const SiteRates& s, const Parameters& p,
                           SpeciesVector& dudt, SpeciesMatrix& jac);

}  // namespace citsim
