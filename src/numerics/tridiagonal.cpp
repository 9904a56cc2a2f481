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
