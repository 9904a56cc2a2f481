// The 15 species of the kinetics (docs/model.md §3) and the per-point state vector.
#pragma once

#include <Eigen/Core>
#include <array>
#include <string_view>

namespace citsim {

/// Index of each species in a point's state vector, in docs/model.md §3 order.
enum Species : int { D, B, N, M1, M2, Cp, Ca, T, F, Mf, C3, C1, Cx, E, P, kSpeciesCount };

/// State at one point: Eigen fixed-size so the kinetics and its Jacobian never allocate.
using SpeciesVector = Eigen::Matrix<double, kSpeciesCount, 1>;
using SpeciesMatrix = Eigen::Matrix<double, kSpeciesCount, kSpeciesCount>;

struct SpeciesInfo {
  std::string_view name;       ///< ASCII name used in configs and files (`M1`, `Cx`)
  std::string_view long_name;  ///< what it is, for file attributes
  std::string_view units;
};

inline constexpr std::array<SpeciesInfo, kSpeciesCount> kSpeciesInfo{{
    {"D", "debris (damaged tissue volume fraction)", "1"},
    {"B", "bacterial load relative to local carrying capacity", "1"},
    {"N", "neutrophils (relative to resting reticular fibroblast density)", "1"},
    {"M1", "pro-inflammatory macrophages (relative cell density)", "1"},
    {"M2", "reparative macrophages (relative cell density)", "1"},
    {"Cp", "pro-inflammatory cytokines TNF-alpha, IL-1beta, IL-6 (1 = half-maximal)", "1"},
    {"Ca", "anti-inflammatory cytokine IL-10 (1 = half-maximal)", "1"},
    {"T", "active TGF-beta (1 = half-maximal)", "1"},
    {"F", "fibroblasts (relative to resting reticular density)", "1"},
    {"Mf", "myofibroblasts (relative to resting reticular fibroblast density)", "1"},
    {"C3", "collagen III", "mg/cm^3"},
    {"C1", "collagen I, not yet cross-linked", "mg/cm^3"},
    {"Cx", "collagen I, cross-linked (mature)", "mg/cm^3"},
    {"E", "elastin", "mg/cm^3"},
    {"P", "matrix metalloproteinase activity (MMP-1/8/13 lumped)", "1"},
}};

}  // namespace citsim
