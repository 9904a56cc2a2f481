#include "citsim/numerics/field_transport.hpp"

#include <omp.h>

#include <algorithm>

#include "citsim/numerics/tridiagonal.hpp"

namespace citsim {

FieldTransport::FieldTransport(const FieldGrid& grid, const Parameters& p, std::vector<double> F_rest)
    : grid_(grid), params_(p), F_rest_(std::move(F_rest)) {
  const Mobility m = mobility(p);
  D_ = m.D;
  chi_ = m.chi;
}

void FieldTransport::step(FieldState& u, double dt) {
  const std::size_t nz = grid_.nz();
  const auto columns = static_cast<std::ptrdiff_t>(grid_.columns());
  // Depth: the column operator itself, one instance (with its scratch) per thread.
#pragma omp parallel
  {
    ColumnTransport column(grid_.depth, params_, F_rest_);
    ColumnState slice(nz);
#pragma omp for schedule(static)
    for (std::ptrdiff_t c = 0; c < columns; ++c) {
      const auto first = static_cast<std::size_t>(c) * nz;
      std::copy_n(u.begin() + static_cast<std::ptrdiff_t>(first), nz, slice.begin());
      column.step(slice, dt);
      std::copy_n(slice.begin(), nz, u.begin() + static_cast<std::ptrdiff_t>(first));
    }
  }
  lateral_sweep(u, dt, false);
  if (grid_.ny > 1) lateral_sweep(u, dt, true);
}

void FieldTransport::lateral_sweep(FieldState& u, double dt, bool along_y) {
  const std::size_t n = along_y ? grid_.ny : grid_.nx;
  const std::size_t other = along_y ? grid_.nx : grid_.ny;
  const std::size_t nz = grid_.nz();
  const double h = along_y ? grid_.dy : grid_.dx;
  const double r = dt / h;
  const auto lines = static_cast<std::ptrdiff_t>(other * nz);
#pragma omp parallel
  {
    std::vector<double> lower(n), diag(n), upper(n), x(n), work(3 * n), velocity(n);
    std::vector<std::size_t> cell(n);
#pragma omp for schedule(static)
    for (std::ptrdiff_t line = 0; line < lines; ++line) {
      const std::size_t iz = static_cast<std::size_t>(line) % nz;
      const std::size_t io = static_cast<std::size_t>(line) / nz;
      for (std::size_t k = 0; k < n; ++k)
        cell[k] = along_y ? grid_.index(io, k, iz) : grid_.index(k, io, iz);
      // Chemotactic velocity at face k (between k and k+1, periodic) from T at the start.
      for (std::size_t k = 0; k < n; ++k) velocity[k] = (u[cell[(k + 1) % n]][T] - u[cell[k]][T]) / h;
      for (int s = 0; s < kSpeciesCount; ++s) {
        const double Ds = D_[static_cast<std::size_t>(s)];
        const double chi = chi_[static_cast<std::size_t>(s)];
        if (Ds == 0.0 && chi == 0.0) continue;
        std::fill(diag.begin(), diag.end(), 1.0);
        // Face k carries α·u_k − β·u_{k+1} toward k+1 (α, β ≥ 0): upwind chemotaxis.
        for (std::size_t k = 0; k < n; ++k) {
          const std::size_t k1 = (k + 1) % n;
          const double a = chi * velocity[k];
          const double alpha = Ds / h + std::max(a, 0.0);
          const double beta = Ds / h - std::min(a, 0.0);
          diag[k] += r * alpha;
          upper[k] = -r * beta;
          lower[k1] = -r * alpha;
          diag[k1] += r * beta;
        }
        for (std::size_t k = 0; k < n; ++k) x[k] = u[cell[k]][s];
        solve_cyclic_tridiagonal(lower, diag, upper, x, work);
        for (std::size_t k = 0; k < n; ++k) u[cell[k]][s] = x[k];
      }
    }
  }
}

}  // namespace citsim
