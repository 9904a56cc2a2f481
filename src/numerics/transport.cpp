#include "citsim/numerics/transport.hpp"

#include <algorithm>
#include <span>

#include "citsim/numerics/tridiagonal.hpp"

namespace citsim {

ColumnTransport::ColumnTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest)
    : grid_(grid), F_rest_(std::move(F_rest)) {
  const Mobility m = mobility(p);
  D_ = m.D;
  chi_ = m.chi;
  const std::size_t n = grid_.size();
  for (auto* v : {&lower_, &diag_, &upper_, &rhs_, &scratch_}) v->assign(n, 0.0);
  velocity_.assign(n > 0 ? n - 1 : 0, 0.0);
}

void ColumnTransport::step(ColumnState& u, double dt) {
  const std::size_t n = grid_.size();
  if (n < 2) return;
  const double h = grid_.dz;
  const double r = dt / h;

  // Chemotactic velocity at each interior face, from T at the start of the step.
  for (std::size_t f = 0; f + 1 < n; ++f) velocity_[f] = (u[f + 1][T] - u[f][T]) / h;

  for (int s = 0; s < kSpeciesCount; ++s) {
    const double Ds = D_[static_cast<std::size_t>(s)];
    const double chi = chi_[static_cast<std::size_t>(s)];
    if (Ds == 0.0 && chi == 0.0) continue;
    std::fill(diag_.begin(), diag_.end(), 1.0);
    std::fill(lower_.begin(), lower_.end(), 0.0);
    std::fill(upper_.begin(), upper_.end(), 0.0);
    // Face f between cells f and f+1 carries flux α·u_f − β·u_{f+1} downward (α, β ≥ 0).
    for (std::size_t f = 0; f + 1 < n; ++f) {
      double g_up = 1.0, g_down = 1.0;
      if (s == F) {  // flux −D_F·F_rest,face·∇(F/F_rest): zero at the resting profile
        const double face = 0.5 * (F_rest_[f] + F_rest_[f + 1]);
        g_up = face / F_rest_[f];
        g_down = face / F_rest_[f + 1];
      }
      const double a = chi * velocity_[f];
      const double alpha = Ds * g_up / h + std::max(a, 0.0);
      const double beta = Ds * g_down / h - std::min(a, 0.0);
      diag_[f] += r * alpha;
      upper_[f] = -r * beta;
      lower_[f + 1] = -r * alpha;
      diag_[f + 1] += r * beta;
    }
    for (std::size_t i = 0; i < n; ++i) rhs_[i] = u[i][s];
    solve_tridiagonal(lower_, diag_, upper_, rhs_, scratch_);
    for (std::size_t i = 0; i < n; ++i) u[i][s] = rhs_[i];
  }
}

}  // namespace citsim
