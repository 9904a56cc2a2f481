// LU factorisation with partial pivoting of a small fixed-size matrix, for the linear systems of
// a Rosenbrock step (one factorisation, six solves per step).
//
// Eigen's PartialPivLU serves any size through blocked kernels with run-time bounds; at 15 × 15
// those bounds cost more than the arithmetic. This is the textbook right-looking elimination
// (Golub & Van Loan, Matrix Computations, Algorithm 3.4.1) on column-major storage, so that every
// inner loop is a contiguous axpy the compiler vectorises.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <utility>

namespace citsim {

namespace detail {

/// Right-looking elimination with partial pivoting of the diagonal block [s, e) of the
/// column-major N × N array m, in place: L unit lower, D⁻¹ in inv_diag, and row k of U kept as
/// D⁻¹·U (unit upper), so that back substitution costs one multiplication per link of its
/// dependency chain instead of two. pivot[k] is the row swapped with k.
template <int N>
inline void lu_factorise_range(double* m, int s, int e, int* pivot, double* inv_diag) {
  for (int k = s; k < e; ++k) {
    int p = k;
    double best = std::abs(m[k * N + k]);
    for (int i = k + 1; i < e; ++i) {
      const double v = std::abs(m[k * N + i]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    pivot[k] = p;
    if (p != k)
      for (int j = s; j < e; ++j) std::swap(m[j * N + k], m[j * N + p]);
    const double inv = 1.0 / m[k * N + k];
    inv_diag[k] = inv;
    double* col_k = m + k * N;
    for (int i = k + 1; i < e; ++i) col_k[i] *= inv;
    for (int j = k + 1; j < e; ++j) {
      double* col_j = m + j * N;
      const double a_kj = col_j[k];
      col_j[k] = a_kj * inv;
      for (int i = k + 1; i < e; ++i) col_j[i] -= a_kj * col_k[i];
    }
  }
}

/// Solves the block [s, e) factorised by lu_factorise_range in place of x[s, e).
template <int N>
inline void lu_solve_range(const double* m, int s, int e, const int* pivot, const double* inv_diag, double* x) {
#pragma GCC unroll 16
  for (int k = s; k < e; ++k)  // P·b: the row interchanges in the order they were made
    if (pivot[k] != k) std::swap(x[k], x[pivot[k]]);
#pragma GCC unroll 16
  for (int k = s; k < e; ++k) {  // L·y = P·b, L unit lower triangular
    const double xk = x[k];
#pragma GCC unroll 16
    for (int i = k + 1; i < e; ++i) x[i] -= xk * m[k * N + i];
  }
#pragma GCC unroll 16
  for (int i = s; i < e; ++i) x[i] *= inv_diag[i];
#pragma GCC unroll 16
  for (int k = e - 1; k >= s; --k) {  // (D⁻¹·U)·x = D⁻¹·y
    const double xk = x[k];
#pragma GCC unroll 16
    for (int i = s; i < k; ++i) x[i] -= xk * m[k * N + i];
  }
}

}  // namespace detail

template <int N>
class DenseLU {
 public:
  using Matrix = Eigen::Matrix<double, N, N>;  // column-major
  using Vector = Eigen::Matrix<double, N, 1>;

  /// Factorise P·A = L·D·U' (stored as L, D⁻¹ and the unit upper U'). A zero pivot is not an
  /// error here: the solves then return Inf or NaN, which the caller's error control rejects.
  void compute(const Matrix& a) {
    lu_ = a;
    factorise();
  }

  /// Factorise σ·I − A, the matrix of an implicit or Rosenbrock step, without a temporary.
  void compute_shifted(double sigma, const Matrix& a) {
    lu_ = -a;
    lu_.diagonal().array() += sigma;
    factorise();
  }

  /// Solve A·x = b in place of b. Fully unrolled on a local copy, so x stays in registers: the
  /// substitutions are a chain of dependent updates, and a round trip through memory per
  /// element (a vector load over two scalar stores cannot be forwarded) would dominate them.
  void solve_in_place(Vector& b) const {
    double x[N];
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = b[i];
    detail::lu_solve_range<N>(lu_.data(), 0, N, pivot_, inv_diag_, x);
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) b[i] = x[i];
  }

  Vector solve(const Vector& b) const {
    Vector x = b;
    solve_in_place(x);
    return x;
  }

 private:
  void factorise() { detail::lu_factorise_range<N>(lu_.data(), 0, N, pivot_, inv_diag_); }

  Matrix lu_;
  double inv_diag_[N] = {};
  int pivot_[N] = {};
};

}  // namespace citsim
