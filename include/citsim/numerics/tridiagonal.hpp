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
