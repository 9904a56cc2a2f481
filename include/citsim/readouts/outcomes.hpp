// Clinical readouts besides the Cutometer (docs/model.md §5): erythema, tensile strength, scar
// index, and percent changes against the pre-treatment state. Pure functions.
#pragma once

#include <span>
#include <vector>

#include "citsim/model/parameters.hpp"
#include "citsim/numerics/transport.hpp"

namespace citsim {

/// ⟨v·h(Cp, K_erythema)⟩/⟨v⟩ with weights `w` over the top of the dermis; in [0, 1].
double erythema(const ColumnState& u, std::span<const double> v, const std::vector<double>& w,
                const Parameters& p);

/// (C1 + κ_x·Cx + κ_3·C3)/(same at rest), averaged over the dermis with weights w·φ_max, where
/// φ_max is each cell's largest injured fraction so far; 1 before any session.
double tensile_strength(const ColumnState& u, const ColumnState& rest,
                        std::span<const double> phi_max, const std::vector<double>& w,
                        const Parameters& p);

/// ∫ max(0, Mf_dermis − Mf_scar) dt from `t_first` (trapezoid over the record times), at each
/// record time [day].
std::vector<double> scar_index(std::span<const double> time, std::span<const double> Mf_dermis,
                               double t_first, const Parameters& p);

/// 100·(x − before)/before at each entry.
std::vector<double> percent_change(std::span<const double> x, double before);

/// 100·(before − x)/before: firmness gain from R0 (smaller R0 is firmer).
std::vector<double> percent_fall(std::span<const double> x, double before);

}  // namespace citsim
