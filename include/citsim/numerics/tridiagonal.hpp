// The Thomas algorithm for diagonally dominant tridiagonal systems, in one go or split into the
// elimination of the matrix and a substitution per right-hand side (many right-hand sides, or
// many steps, with one matrix).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

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

namespace citsim {

/// A tridiagonal matrix eliminated (the Thomas algorithm's forward sweep on the matrix alone):
/// its lower diagonal, each row's pivot, and the upper diagonal over the pivot of the row above.
struct TridiagonalFactors {
  std::vector<double> lower, pivot, ratio;
};

/// Eliminates lower/diag/upper (as solve_tridiagonal reads them) into `f`, resized to their
/// size (no allocation once it has it).
void factor_tridiagonal(std::span<const double> lower, std::span<const double> diag, std::span<const double> upper,
                        TridiagonalFactors& f);

/// Solves in place of `rhs` with the factors: the operations solve_tridiagonal does on its
/// right-hand side, so the same numbers. With `columns` > 1, `rhs` holds that many right-hand
/// sides, row by row (row i's in [i·columns, (i+1)·columns)), each solved as alone; their
/// chains of divisions run side by side.
void substitute_tridiagonal(const TridiagonalFactors& f, std::span<double> rhs, std::size_t columns = 1);

/// As above, with right-hand side c solved with *factors[c] (`rhs` holds factors.size()
/// columns, row by row): several matrices' chains side by side.
void substitute_tridiagonal(std::span<const TridiagonalFactors* const> factors, std::span<double> rhs);

/// The periodic system of solve_cyclic_tridiagonal eliminated: the Thomas factors of its
/// corrected matrix, the correction vector solved, and the Sherman–Morrison scalars.
struct CyclicTridiagonalFactors {
  TridiagonalFactors thomas;
  std::vector<double> diag, z;
  double coupling = 0.0;     ///< β/γ
  double denominator = 0.0;  ///< 1 + z_0 + β/γ·z_{n−1}
};

/// Eliminates the periodic lower/diag/upper (as solve_cyclic_tridiagonal reads them) into `f`.
/// Needs n ≥ 3.
void factor_cyclic_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                               std::span<const double> upper, CyclicTridiagonalFactors& f);

/// Solves in place of `rhs` with the factors: the operations solve_cyclic_tridiagonal does on
/// its right-hand side, so the same numbers. `columns` right-hand sides as for
/// substitute_tridiagonal.
void substitute_cyclic_tridiagonal(const CyclicTridiagonalFactors& f, std::span<double> rhs, std::size_t columns = 1);

}  // namespace citsim
