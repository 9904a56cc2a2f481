#include "citsim/numerics/transport.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace citsim {

ColumnTransport::ColumnTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest)
    : grid_(grid), F_rest_(std::move(F_rest)) {
  const Mobility m = mobility(p);
  D_ = m.D;
  const std::size_t n = grid_.size();
  for (const MobilityGroup& g : mobility_groups(m)) {
    groups_.push_back(Group{g, {}, 0.0, false});
    TridiagonalFactors& f = groups_.back().factors;
    for (auto* v : {&f.lower, &f.pivot, &f.ratio}) v->assign(n, 0.0);
    if (g.chi != 0.0) chemotaxis_ = true;
  }
  for (std::size_t g = 0; g < groups_.size(); ++g)
    for (int s : groups_[g].mobility.species) {
      column_species_.push_back(s);
      column_group_.push_back(g);
    }
  for (auto* v : {&lower_, &diag_, &upper_}) v->assign(n, 0.0);
  rhs_.assign(n * column_species_.size(), 0.0);
  velocity_.assign(n > 0 ? n - 1 : 0, 0.0);
}

void ColumnTransport::step(ColumnState& u, double dt) {
  const std::size_t n = grid_.size();
  if (n < 2) return;
  const double h = grid_.dz;
  const double r = dt / h;

  // Chemotactic velocity at each interior face, from T at the start of the step.
  if (chemotaxis_)
    for (std::size_t f = 0; f + 1 < n; ++f) velocity_[f] = (u[f + 1][T] - u[f][T]) / h;

  for (Group& g : groups_) {
    if (!(g.kept && g.dt == dt)) {
      const double Ds = g.mobility.D, chi = g.mobility.chi;
      std::fill(diag_.begin(), diag_.end(), 1.0);
      std::fill(lower_.begin(), lower_.end(), 0.0);
      std::fill(upper_.begin(), upper_.end(), 0.0);
      // Face f between cells f and f+1 carries flux α·u_f − β·u_{f+1} downward (α, β ≥ 0).
      for (std::size_t f = 0; f + 1 < n; ++f) {
        double g_up = 1.0, g_down = 1.0;
        if (g.mobility.relative_to_rest) {  // flux −D_F·F_rest,face·∇(F/F_rest): zero at the resting profile
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
      factor_tridiagonal(lower_, diag_, upper_, g.factors);
      g.dt = dt;
      g.kept = chi == 0.0;
      ++eliminations_;
    }
  }
  // Every species at once, each with its group's factors.
  const std::size_t columns = column_species_.size();
  std::array<const TridiagonalFactors*, kSpeciesCount> factors{};
  for (std::size_t c = 0; c < columns; ++c) factors[c] = &groups_[column_group_[c]].factors;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < columns; ++c) rhs_[i * columns + c] = u[i][column_species_[c]];
  substitute_tridiagonal(std::span<const TridiagonalFactors* const>(factors.data(), columns), rhs_);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < columns; ++c) u[i][column_species_[c]] = rhs_[i * columns + c];
}

}  // namespace citsim
