// The Thomas algorithm for diagonally dominant tridiagonal systems.
#pragma once

#include <span>

namespace citsim {

/// Solve lower[i]·x[i−1] + diag[i]·x[i] + upper[i]·x[i+1] = rhs[i] in place of `rhs`.
/// `scratch` needs rhs.size() entries. Stable without pivoting for diagonally dominant systems
/// (all of ours: backward-Euler M-matrices).
void solve_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                       std::span<const double> upper, std::span<double> rhs,
                       std::span<double> scratch);

}  // namespace citsim

namespace citsim {

/// Solve the periodic system lower[i]·x[i−1] + diag[i]·x[i] + upper[i]·x[i+1] = rhs[i] with
/// indices taken mod n (lower[0] couples x[n−1], upper[n−1] couples x[0]) in place of `rhs`,
/// by the Sherman–Morrison correction of two Thomas solves. Needs n ≥ 3 and
/// `work` of 3·n entries; for diagonally dominant systems.
void solve_cyclic_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                              std::span<const double> upper, std::span<double> rhs,
                              std::span<double> work);

}  // namespace citsim
