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

namespace citsim {

void factor_tridiagonal(std::span<const double> lower, std::span<const double> diag, std::span<const double> upper,
                        TridiagonalFactors& f) {
  const std::size_t n = diag.size();
  f.lower.assign(lower.begin(), lower.begin() + static_cast<std::ptrdiff_t>(n));
  f.pivot.resize(n);
  f.ratio.resize(n);
  if (n == 0) return;
  f.pivot[0] = diag[0];
  f.ratio[0] = 0.0;
  for (std::size_t i = 1; i < n; ++i) {
    f.ratio[i] = upper[i - 1] / f.pivot[i - 1];
    f.pivot[i] = diag[i] - lower[i] * f.ratio[i];
  }
}

void substitute_tridiagonal(const TridiagonalFactors& f, std::span<double> rhs, std::size_t columns) {
  const std::size_t n = rhs.size() / columns;
  if (n == 0) return;
  double* x = rhs.data();
  for (std::size_t c = 0; c < columns; ++c) x[c] /= f.pivot[0];
  for (std::size_t i = 1; i < n; ++i) {
    double* xi = x + i * columns;
    const double* above = xi - columns;
    for (std::size_t c = 0; c < columns; ++c) xi[c] = (xi[c] - f.lower[i] * above[c]) / f.pivot[i];
  }
  for (std::size_t i = n - 1; i-- > 0;) {
    double* xi = x + i * columns;
    const double* below = xi + columns;
    for (std::size_t c = 0; c < columns; ++c) xi[c] -= f.ratio[i + 1] * below[c];
  }
}

void substitute_tridiagonal(std::span<const TridiagonalFactors* const> factors, std::span<double> rhs) {
  const std::size_t columns = factors.size();
  const std::size_t n = columns > 0 ? rhs.size() / columns : 0;
  if (n == 0) return;
  double* x = rhs.data();
  for (std::size_t c = 0; c < columns; ++c) x[c] /= factors[c]->pivot[0];
  for (std::size_t i = 1; i < n; ++i) {
    double* xi = x + i * columns;
    const double* above = xi - columns;
    for (std::size_t c = 0; c < columns; ++c) xi[c] = (xi[c] - factors[c]->lower[i] * above[c]) / factors[c]->pivot[i];
  }
  for (std::size_t i = n - 1; i-- > 0;) {
    double* xi = x + i * columns;
    const double* below = xi + columns;
    for (std::size_t c = 0; c < columns; ++c) xi[c] -= factors[c]->ratio[i + 1] * below[c];
  }
}

void factor_cyclic_tridiagonal(std::span<const double> lower, std::span<const double> diag,
                               std::span<const double> upper, CyclicTridiagonalFactors& f) {
  // As solve_cyclic_tridiagonal: A = A' + u·vᵀ, γ = −diag[0].
  const std::size_t n = diag.size();
  const double alpha = upper[n - 1], beta = lower[0], gamma = -diag[0];
  f.diag.assign(diag.begin(), diag.end());
  f.diag[0] -= gamma;
  f.diag[n - 1] -= alpha * beta / gamma;
  factor_tridiagonal(lower, f.diag, upper, f.thomas);
  f.z.assign(n, 0.0);
  f.z[0] = gamma;
  f.z[n - 1] = alpha;
  substitute_tridiagonal(f.thomas, f.z);
  f.coupling = beta / gamma;
  f.denominator = 1.0 + f.z[0] + f.coupling * f.z[n - 1];
}

void substitute_cyclic_tridiagonal(const CyclicTridiagonalFactors& f, std::span<double> rhs, std::size_t columns) {
  const std::size_t n = rhs.size() / columns;
  substitute_tridiagonal(f.thomas, rhs, columns);
  double* x = rhs.data();
  for (std::size_t c = 0; c < columns; ++c) {
    const double num = x[c] + f.coupling * x[(n - 1) * columns + c];
    const double q = num / f.denominator;
    for (std::size_t i = 0; i < n; ++i) x[i * columns + c] -= q * f.z[i];
  }
}

}  // namespace citsim
