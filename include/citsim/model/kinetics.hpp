// Local kinetics of the 15 species at one point (docs/model.md §3): a pure function of the state,
// the point's rates and the parameters. Shared untouched by every model level (0D–3D).
#pragma once

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

/// du/dt from reactions only.
SpeciesVector kinetics_rhs(const SpeciesVector& u, const SiteRates& s, const Parameters& p);

/// du/dt and its analytic Jacobian ∂(du/dt)/∂u.
void kinetics_rhs_jacobian(const SpeciesVector& u, const SiteRates& s, const Parameters& p,
                           SpeciesVector& dudt, SpeciesMatrix& jac);

}  // namespace citsim
