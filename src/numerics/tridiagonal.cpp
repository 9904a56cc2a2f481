#include "citsim/numerics/tridiagonal.hpp"

namespace citsim {

void solve_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                       std::span<const double> upper, std::span<double> rhs,
                       std::span<double> scratch) {
  const std::size_t n = rhs.size();
  if (n == 0) return;
  double beta = diag[0];
  rhs[0] /= beta;
  for (std::size_t i = 1; i < n; ++i) {
    scratch[i] = upper[i - 1] / beta;
    beta = diag[i] - lower[i] * scratch[i];
    rhs[i] = (rhs[i] - lower[i] * rhs[i - 1]) / beta;
  }
  for (std::size_t i = n - 1; i-- > 0;) rhs[i] -= scratch[i + 1] * rhs[i + 1];
}

}  // namespace citsim

namespace citsim {

void solve_cyclic_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                              std::span<const double> upper, std::span<double> rhs,
                              std::span<double> work) {
  const std::size_t n = rhs.size();
  std::span<double> d = work.subspan(0, n), z = work.subspan(n, n), scratch = work.subspan(2 * n, n);
  const double alpha = upper[n - 1];  // row n−1, column 0
  const double beta = lower[0];       // row 0, column n−1
  // A = A' + u·vᵀ with u = (γ, 0, …, 0, α) and v = (1, 0, …, 0, β/γ); γ = −diag[0] keeps A'
  // as dominant as A.
  const double gamma = -diag[0];
  for (std::size_t i = 0; i < n; ++i) d[i] = diag[i];
  d[0] -= gamma;
  d[n - 1] -= alpha * beta / gamma;
  for (std::size_t i = 0; i < n; ++i) z[i] = 0.0;
  z[0] = gamma;
  z[n - 1] = alpha;
  solve_tridiagonal(lower, d, upper, rhs, scratch);
  solve_tridiagonal(lower, d, upper, z, scratch);
  const double num = rhs[0] + beta / gamma * rhs[n - 1];
  const double den = 1.0 + z[0] + beta / gamma * z[n - 1];
  const double f = num / den;
  for (std::size_t i = 0; i < n; ++i) rhs[i] -= f * z[i];
}

}  // namespace citsim
