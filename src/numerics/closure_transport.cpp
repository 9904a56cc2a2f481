#include "citsim/numerics/closure_transport.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/numerics/transport.hpp"

namespace citsim {
namespace {

/// Compartment index within a cell's 2 × 2 block.
constexpr int kCore = 0, kSurround = 1;

/// A link across face f from compartment p of cell f to compartment q of cell f+1.
struct Link {
  int p, q;
  double area;
};

}  // namespace

ClosureTransport::ClosureTransport(const Grid& grid, const Parameters& p, std::vector<double> F_rest)
    : grid_(grid), F_rest_(std::move(F_rest)) {
  const Mobility m = mobility(p);
  D_ = m.D;
  chi_ = m.chi;
  const std::size_t n = grid_.size();
  if (F_rest_.size() != n) throw std::invalid_argument("closure transport: F_rest size differs from the grid");
  area_.assign(n, 0.0);
  geometry_.assign(n, ExchangeGeometry{});
  ghost_.assign(n, kCore);
  lower_.assign(n, Eigen::Matrix2d::Zero());
  diag_.assign(n, Eigen::Matrix2d::Zero());
  upper_.assign(n, Eigen::Matrix2d::Zero());
  rhs_.assign(n, Eigen::Vector2d::Zero());
}

void ClosureTransport::set_geometry(std::span<const double> core_area, std::span<const ExchangeGeometry> geometry,
                                    double since_injury) {
  const std::size_t n = grid_.size();
  if (core_area.size() != n || geometry.size() != n)
    throw std::invalid_argument(fmt::format("closure transport: geometry of {} and {} cells for a grid of {}",
                                            core_area.size(), geometry.size(), n));
  for (std::size_t i = 0; i < n; ++i) {
    const ExchangeGeometry& g = geometry[i];
    if (!(core_area[i] >= 0.0 && core_area[i] <= 1.0) || !(g.interface >= 0.0) || !(g.core >= 0.0) ||
        !(g.surround >= 0.0) || (g.interface > 0.0 && !(g.core + g.surround > 0.0)))
      throw std::invalid_argument(fmt::format("closure transport: cell {} has core area {} and boundary {}, {}, {}", i,
                                              core_area[i], g.interface, g.core, g.surround));
  }
  if (!(since_injury >= 0.0)) throw std::invalid_argument("closure transport: time since the injury must be >= 0");
  area_.assign(core_area.begin(), core_area.end());
  geometry_.assign(geometry.begin(), geometry.end());
  since_injury_ = since_injury;
  for (std::size_t i = 0; i < n; ++i) ghost_[i] = area_[i] <= 0.0 ? kCore : area_[i] >= 1.0 ? kSurround : -1;
}

void ClosureTransport::step(ColumnState& u, double dt) {
  const std::size_t n = grid_.size();
  if (u.size() != 2 * n)
    throw std::invalid_argument(fmt::format("closure transport: state of {} points for {} cells", u.size(), n));
  if (!(dt > 0.0)) return;
  const double h = grid_.dz;
  const double r = dt / h;
  auto point = [](std::size_t i, int k) { return 2 * i + static_cast<std::size_t>(k); };
  auto area = [&](std::size_t i, int k) { return k == kCore ? area_[i] : 1.0 - area_[i]; };

  // The links of every face and their chemotactic velocities, from T at the start of the step.
  std::vector<std::array<Link, 3>> links(n > 0 ? n - 1 : 0);
  std::vector<std::array<double, 3>> velocity(links.size());
  for (std::size_t f = 0; f + 1 < n; ++f) {
    const double a0 = area_[f], a1 = area_[f + 1];
    links[f] = {Link{kCore, kCore, std::min(a0, a1)}, Link{kSurround, kSurround, std::min(1.0 - a0, 1.0 - a1)},
                a0 >= a1 ? Link{kCore, kSurround, a0 - a1} : Link{kSurround, kCore, a1 - a0}};
    for (std::size_t l = 0; l < 3; ++l)
      velocity[f][l] = (u[point(f + 1, links[f][l].q)][T] - u[point(f, links[f][l].p)][T]) / h;
  }
  std::vector<double> lateral_dT(n), G_T(n);
  const double tau0 = since_injury_, tau1 = since_injury_ + dt;
  for (std::size_t i = 0; i < n; ++i) {
    lateral_dT[i] = u[point(i, kSurround)][T] - u[point(i, kCore)][T];
    G_T[i] = mean_exchange_factor(geometry_[i], D_[T], tau0, tau1);
  }
  since_injury_ = tau1;

  for (int s = 0; s < kSpeciesCount; ++s) {
    const double Ds = D_[static_cast<std::size_t>(s)];
    const double chi = chi_[static_cast<std::size_t>(s)];
    if (Ds == 0.0 && chi == 0.0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      lower_[i].setZero();
      upper_[i].setZero();
      diag_[i].setZero();  // only the off-diagonals are kept: the diagonal follows from column sums
      rhs_[i] << area(i, kCore) * u[point(i, kCore)][s], area(i, kSurround) * u[point(i, kSurround)][s];
    }
    // Depth: link l across face f carries W·(α·u_p − β·u_q) downward (α, β ≥ 0).
    for (std::size_t f = 0; f + 1 < n; ++f) {
      double g_up = 1.0, g_down = 1.0;
      if (s == F) {  // flux −D_F·F_rest,face·∇(F/F_rest), as in the column
        const double face = 0.5 * (F_rest_[f] + F_rest_[f + 1]);
        g_up = face / F_rest_[f];
        g_down = face / F_rest_[f + 1];
      }
      for (std::size_t l = 0; l < 3; ++l) {
        const Link& k = links[f][l];
        if (k.area <= 0.0) continue;
        const double a = chi * velocity[f][l];
        const double W = r * k.area;
        const double alpha = W * (Ds * g_up / h + std::max(a, 0.0));
        const double beta = W * (Ds * g_down / h - std::min(a, 0.0));
        upper_[f](k.p, k.q) -= beta;
        lower_[f + 1](k.q, k.p) -= alpha;
      }
    }
    // Lateral: core → surround at (G·D + G_T·χ·max(ΔT, 0))·c − (G·D − G_T·χ·min(ΔT, 0))·s.
    for (std::size_t i = 0; i < n; ++i) {
      if (ghost_[i] >= 0) {
        // A compartment without area: decoupled here (nothing flows to it), set to its partner below.
        const int g = ghost_[i];
        lower_[i].row(g).setZero();
        upper_[i].row(g).setZero();
        diag_[i].row(g).setZero();
        diag_[i](g, g) = 1.0;
        rhs_[i](g) = 0.0;
        continue;
      }
      const double diffusion = mean_exchange_factor(geometry_[i], Ds, tau0, tau1) * Ds;
      const double a = G_T[i] * chi * lateral_dT[i];
      const double alpha = dt * (diffusion + std::max(a, 0.0));
      const double beta = dt * (diffusion - std::min(a, 0.0));
      diag_[i](kCore, kSurround) -= beta;
      diag_[i](kSurround, kCore) -= alpha;
    }
    solve(u, s);
  }
}

void ClosureTransport::solve(ColumnState& u, int s) {
  // Block elimination without subtractions of like-signed numbers (as Grassmann, Taksar and
  // Heyman do for Markov chains): every column of the full matrix sums to its compartment's
  // area (1 for a decoupled one), so each pivot block's diagonal is its column sum plus its
  // off-diagonal magnitudes, and the column sums σ_i of what is left after eliminating blocks
  // < i follow from σ_i = area_i − σ_{i−1}ᵀ·X_{i−1} with X = pivot⁻¹·upper ≤ 0. All terms are
  // ≥ 0: no cancellation however large the exchange, so conservation holds to round-off.
  const std::size_t n = grid_.size();
  Eigen::RowVector2d sigma_prev = Eigen::RowVector2d::Zero();
  for (std::size_t i = 0; i < n; ++i) {
    Eigen::RowVector2d area(ghost_[i] == kCore ? 1.0 : area_[i], ghost_[i] == kSurround ? 1.0 : 1.0 - area_[i]);
    double p = -diag_[i](kCore, kSurround), q = -diag_[i](kSurround, kCore);
    if (i > 0) {
      const Eigen::Matrix2d P = lower_[i] * upper_[i - 1];  // ≥ 0: lower ≤ 0, X ≤ 0
      p += P(kCore, kSurround);
      q += P(kSurround, kCore);
      area -= sigma_prev * upper_[i - 1];
      rhs_[i] -= lower_[i] * rhs_[i - 1];
    }
    const Eigen::RowVector2d below = i + 1 < n ? Eigen::RowVector2d(lower_[i + 1].colwise().sum()) : Eigen::RowVector2d::Zero();
    const double c0 = area(0) - below(0), c1 = area(1) - below(1);  // the pivot's column sums
    const double det = c0 * c1 + c0 * p + q * c1;
    Eigen::Matrix2d inv;
    inv << c1 + p, p, q, c0 + q;
    inv /= det;
    upper_[i] = inv * upper_[i];
    rhs_[i] = inv * rhs_[i];
    sigma_prev = area;
  }
  for (std::size_t i = n; i-- > 0;) {
    if (i + 1 < n) rhs_[i] -= upper_[i] * rhs_[i + 1];
    const int g = ghost_[i];
    u[2 * i][s] = rhs_[i](g == kCore ? kSurround : kCore);
    u[2 * i + 1][s] = rhs_[i](g == kSurround ? kCore : kSurround);
  }
}

}  // namespace citsim
