// The dense linear algebra inside Boost.Odeint's rosenbrock4 (ublas lu_factorize and
// lu_substitute on an n × n matrix), isolated so micro.cpp can time it beside Eigen's
// fixed-size LU. Compiled as C++17 (Boost 1.74's
// ublas does not compile as C++20); the interface is plain arrays.
#include "linalg_ublas.hpp"

#include <boost/numeric/ublas/lu.hpp>
#include <boost/numeric/ublas/matrix.hpp>
#include <boost/numeric/ublas/vector.hpp>

namespace citsim_bench {

struct UblasLu::Impl {
  explicit Impl(int n_) : n(static_cast<std::size_t>(n_)), a(n, n), lu(n, n), pm(n), x(n) {}
  std::size_t n;
  boost::numeric::ublas::matrix<double> a, lu;
  boost::numeric::ublas::permutation_matrix<std::size_t> pm;
  boost::numeric::ublas::vector<double> x;
};

UblasLu::UblasLu(int n) : impl_(new Impl(n)) {}
UblasLu::~UblasLu() { delete impl_; }

void UblasLu::set_jacobian(const double* jac_row_major) {
  for (std::size_t i = 0; i < impl_->n; ++i)
    for (std::size_t j = 0; j < impl_->n; ++j) impl_->a(i, j) = jac_row_major[i * impl_->n + j];
}

// As rosenbrock4::do_step: m_jac = -J + 1/(γ·dt)·I, then lu_factorize with a fresh permutation.
void UblasLu::factorize(double inv_gamma_dt) {
  for (std::size_t i = 0; i < impl_->n; ++i) impl_->pm(i) = i;
  impl_->lu = impl_->a;
  impl_->lu *= -1.0;
  impl_->lu += inv_gamma_dt * boost::numeric::ublas::identity_matrix<double>(impl_->n);
  boost::numeric::ublas::lu_factorize(impl_->lu, impl_->pm);
}

void UblasLu::solve(double* b) {
  for (std::size_t i = 0; i < impl_->n; ++i) impl_->x(i) = b[i];
  boost::numeric::ublas::lu_substitute(impl_->lu, impl_->pm, impl_->x);
  for (std::size_t i = 0; i < impl_->n; ++i) b[i] = impl_->x(i);
}

}  // namespace citsim_bench
