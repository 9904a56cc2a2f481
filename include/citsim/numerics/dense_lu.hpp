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

template <int N>
class DenseLU {
 public:
  using Matrix = Eigen::Matrix<double, N, N>;  // column-major
  using Vector = Eigen::Matrix<double, N, 1>;

  /// Factorise P·A = L·D·U' (stored as L, D⁻¹ and the unit upper U'). A zero pivot is not an
  /// error here: the solves then return Inf or NaN, which the caller's error control rejects.
  void compute(const Matrix& a) {
    lu_ = a;
    double* m = lu_.data();
    for (int k = 0; k < N; ++k) {
      int p = k;
      double best = std::abs(m[k * N + k]);
      for (int i = k + 1; i < N; ++i) {
        const double v = std::abs(m[k * N + i]);
        if (v > best) {
          best = v;
          p = i;
        }
      }
      pivot_[k] = p;
      if (p != k)
        for (int j = 0; j < N; ++j) std::swap(m[j * N + k], m[j * N + p]);
      const double inv = 1.0 / m[k * N + k];
      inv_diag_[k] = inv;
      double* col_k = m + k * N;
      for (int i = k + 1; i < N; ++i) col_k[i] *= inv;
      for (int j = k + 1; j < N; ++j) {
        double* col_j = m + j * N;
        const double a_kj = col_j[k];
        // Row k of U is final: keep it as D⁻¹·U (unit upper), so that back substitution costs
        // one multiplication per link of its dependency chain instead of two.
        col_j[k] = a_kj * inv;
        for (int i = k + 1; i < N; ++i) col_j[i] -= a_kj * col_k[i];
      }
    }
  }

  /// Solve A·x = b in place of b. Fully unrolled on a local copy, so x stays in registers: the
  /// substitutions are a chain of dependent updates, and a round trip through memory per
  /// element (a vector load over two scalar stores cannot be forwarded) would dominate them.
  void solve_in_place(Vector& b) const {
    const double* m = lu_.data();
    double x[N];
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] = b[i];
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k)  // P·b: the row interchanges in the order they were made
      if (pivot_[k] != k) std::swap(x[k], x[pivot_[k]]);
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) {  // L·y = P·b, L unit lower triangular
      const double xk = x[k];
#pragma GCC unroll 16
      for (int i = k + 1; i < N; ++i) x[i] -= xk * m[k * N + i];
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) x[i] *= inv_diag_[i];
#pragma GCC unroll 16
    for (int k = N - 1; k >= 0; --k) {  // (D⁻¹·U)·x = D⁻¹·y
      const double xk = x[k];
#pragma GCC unroll 16
      for (int i = 0; i < k; ++i) x[i] -= xk * m[k * N + i];
    }
#pragma GCC unroll 16
    for (int i = 0; i < N; ++i) b[i] = x[i];
  }

  Vector solve(const Vector& b) const {
    Vector x = b;
    solve_in_place(x);
    return x;
  }

 private:
  Matrix lu_;
  double inv_diag_[N] = {};
  int pivot_[N] = {};
};

}  // namespace citsim
