#include "citsim/numerics/closure_shell_transport.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/numerics/transport.hpp"

namespace citsim {
namespace {

/// The nearest compartment of non-zero area to k in the chain (k itself if it has area).
int partner(const std::vector<double>& area, int k) {
  const int n = static_cast<int>(area.size());
  for (int d = 0; d < n; ++d) {
    if (k - d >= 0 && area[static_cast<std::size_t>(k - d)] > 0.0) return k - d;
    if (k + d < n && area[static_cast<std::size_t>(k + d)] > 0.0) return k + d;
  }
  return k;
}

using Block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Solves M·X = R in place (R becomes X) for a non-singular M-matrix M (off-diagonals ≤ 0) whose
/// column sums are `s` ≥ 0, given separately and accurately (`s` is consumed). Gaussian
/// elimination without pivoting in which every pivot is its column's remaining sum plus its
/// off-diagonal magnitudes (Grassmann, Taksar and Heyman): the diagonal is never formed by
/// subtraction, and neither are the column sums left after each step, so no like-signed numbers
/// cancel however fast the exchange. Row-major blocks: every inner loop runs along a row.
void solve_m_matrix(Block& M, Eigen::RowVectorXd& s, Block& R) {
  const Eigen::Index n = M.rows();
  for (Eigen::Index k = 0; k < n; ++k) {
    double pivot = s(k);
    for (Eigen::Index i = k + 1; i < n; ++i) pivot -= M(i, k);
    M(k, k) = pivot;
    for (Eigen::Index j = k + 1; j < n; ++j) s(j) -= s(k) * M(k, j) / pivot;
    for (Eigen::Index i = k + 1; i < n; ++i) {
      const double l = M(i, k) / pivot;  // ≤ 0
      if (l == 0.0) continue;
      // The diagonal (j = i) follows from the column sums.
      for (Eigen::Index j = k + 1; j < i; ++j) M(i, j) -= l * M(k, j);
      for (Eigen::Index j = i + 1; j < n; ++j) M(i, j) -= l * M(k, j);
      R.row(i) -= l * R.row(k);
    }
  }
  for (Eigen::Index k = n; k-- > 0;) {
    for (Eigen::Index j = k + 1; j < n; ++j) R.row(k) -= M(k, j) * R.row(j);
    R.row(k) /= M(k, k);
  }
}

}  // namespace

ShellTransport::ShellTransport(const Grid& grid, const Parameters& p, int shells, std::vector<double> F_rest)
    : grid_(grid), n_(shells + 1), F_rest_(std::move(F_rest)) {
  if (shells < 1) throw std::invalid_argument(fmt::format("shell transport: {} shells, needs >= 1", shells));
  const Mobility m = mobility(p);
  D_ = m.D;
  chi_ = m.chi;
  const std::size_t n = grid_.size();
  if (F_rest_.size() != n) throw std::invalid_argument("shell transport: F_rest size differs from the grid");
  ShellGeometry rest;  // before any injury: all in the core, nothing to exchange
  rest.area.assign(static_cast<std::size_t>(n_), 0.0);
  rest.area[0] = 1.0;
  rest.edge.assign(static_cast<std::size_t>(n_ + 1), 1.0);
  rest.edge[0] = 0.0;
  rest.face.assign(static_cast<std::size_t>(shells), ExchangeGeometry{});
  geometry_.assign(n, rest);
  diag_.assign(n, Block::Zero(n_, n_));
  upper_ = diag_;
  rhs_.assign(n, Eigen::VectorXd::Zero(n_));
  rhs_x_.resize(n_, n_ + 1);
  sigma_.resize(n_);
  sigma_prev_.resize(n_);
  own_.resize(n_);
  lateral_dT_.assign(n * static_cast<std::size_t>(shells), 0.0);
  G_T_ = lateral_dT_;
  build_links();
}

void ShellTransport::build_links() {
  // Overlaps of the F-bands of neighbouring cells: at most 2K + 1 per face (both partitions
  // are monotone in F), found once per geometry.
  const std::size_t n = grid_.size();
  links_.clear();
  link_start_.assign(n > 0 ? n : 1, 0);
  for (std::size_t f = 0; f + 1 < n; ++f) {
    link_start_[f] = links_.size();
    const std::vector<double>& e0 = geometry_[f].edge;
    const std::vector<double>& e1 = geometry_[f + 1].edge;
    for (int p = 0; p < n_; ++p)
      for (int q = 0; q < n_; ++q) {
        const auto P = static_cast<std::size_t>(p), Q = static_cast<std::size_t>(q);
        const double A = std::min(e0[P + 1], e1[Q + 1]) - std::max(e0[P], e1[Q]);
        if (A > 0.0) links_.push_back({p, q, A});
      }
  }
  link_start_.back() = links_.size();
  velocity_.assign(links_.size(), 0.0);
  alpha_ = beta_ = velocity_;
}

void ShellTransport::set_geometry(std::span<const ShellGeometry> geometry, double since_injury) {
  const std::size_t n = grid_.size(), m = static_cast<std::size_t>(n_);
  if (geometry.size() != n)
    throw std::invalid_argument(fmt::format("shell transport: geometry of {} cells for a grid of {}", geometry.size(), n));
  for (std::size_t i = 0; i < n; ++i) {
    const ShellGeometry& g = geometry[i];
    if (g.area.size() != m || g.edge.size() != m + 1 || g.face.size() != m - 1)
      throw std::invalid_argument(fmt::format("shell transport: cell {} has {} compartments, expected {}", i,
                                              g.area.size(), m));
    double sum = 0.0;
    for (double A : g.area) {
      if (!(A >= 0.0)) throw std::invalid_argument(fmt::format("shell transport: cell {} has an area {}", i, A));
      sum += A;
    }
    if (std::abs(sum - 1.0) > 1e-9)
      throw std::invalid_argument(fmt::format("shell transport: cell {} has areas summing to {}", i, sum));
  }
  if (!(since_injury >= 0.0)) throw std::invalid_argument("shell transport: time since the injury must be >= 0");
  geometry_.assign(geometry.begin(), geometry.end());
  since_injury_ = since_injury;
  build_links();
}

void ShellTransport::step(ColumnState& u, double dt) {
  const std::size_t n = grid_.size();
  const auto m = static_cast<std::size_t>(n_);
  if (u.size() != m * n)
    throw std::invalid_argument(fmt::format("shell transport: state of {} points for {} cells of {}", u.size(), n, m));
  if (!(dt > 0.0)) return;
  const double h = grid_.dz;
  const double r = dt / h;
  auto point = [m](std::size_t i, int k) { return m * i + static_cast<std::size_t>(k); };

  // Chemotactic velocities from T at the start of the step: across each depth link, and along
  // each cell's chain with its face's exchange factor.
  for (std::size_t f = 0; f + 1 < n; ++f)
    for (std::size_t l = link_start_[f]; l < link_start_[f + 1]; ++l)
      velocity_[l] = (u[point(f + 1, links_[l].q)][T] - u[point(f, links_[l].p)][T]) / h;
  const double tau0 = since_injury_, tau1 = since_injury_ + dt;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t b = 0; b + 1 < m; ++b) {
      G_T_[i * (m - 1) + b] = mean_exchange_factor(geometry_[i].face[b], D_[T], tau0, tau1);
      const int k = static_cast<int>(b);
      lateral_dT_[i * (m - 1) + b] = u[point(i, k + 1)][T] - u[point(i, k)][T];
    }
  since_injury_ = tau1;

  for (int s = 0; s < kSpeciesCount; ++s) {
    const double Ds = D_[static_cast<std::size_t>(s)];
    const double chi = chi_[static_cast<std::size_t>(s)];
    if (Ds == 0.0 && chi == 0.0) continue;
    // Transfers from (i, p) to (j, q) at coefficient c: + c on (i,p)'s diagonal, − c in row
    // (j, q). The blocks below the diagonal are not stored: the links' α are their entries.
    for (std::size_t i = 0; i < n; ++i) {
      upper_[i].setZero();
      diag_[i].setZero();
      for (int k = 0; k < n_; ++k) {
        const double A = geometry_[i].area[static_cast<std::size_t>(k)];
        diag_[i](k, k) = A > 0.0 ? A : 1.0;
        rhs_[i](k) = A > 0.0 ? A * u[point(i, k)][s] : 0.0;
      }
    }
    for (std::size_t f = 0; f + 1 < n; ++f) {
      double g_up = 1.0, g_down = 1.0;
      if (s == F) {  // flux −D_F·F_rest,face·∇(F/F_rest), as in the column
        const double face = 0.5 * (F_rest_[f] + F_rest_[f + 1]);
        g_up = face / F_rest_[f];
        g_down = face / F_rest_[f + 1];
      }
      for (std::size_t l = link_start_[f]; l < link_start_[f + 1]; ++l) {
        const Link& k = links_[l];
        const double a = chi * velocity_[l];
        const double W = r * k.area;
        const double alpha = W * (Ds * g_up / h + std::max(a, 0.0));   // down, from (f, p)
        const double beta = W * (Ds * g_down / h - std::min(a, 0.0));  // up, from (f+1, q)
        alpha_[l] = alpha;
        beta_[l] = beta;
        diag_[f](k.p, k.p) += alpha;
        diag_[f + 1](k.q, k.q) += beta;
        upper_[f](k.p, k.q) -= beta;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      const ShellGeometry& g = geometry_[i];
      for (int b = 0; b + 1 < n_; ++b) {
        const auto B = static_cast<std::size_t>(b);
        if (!(g.area[B] > 0.0) || !(g.area[B + 1] > 0.0)) continue;
        const double diffusion = mean_exchange_factor(g.face[B], Ds, tau0, tau1) * Ds;
        const double G_T = G_T_[i * (m - 1) + B];
        if (diffusion == 0.0 && G_T == 0.0) continue;
        const double a = G_T * chi * lateral_dT_[i * (m - 1) + B];
        const double alpha = dt * (diffusion + std::max(a, 0.0));  // outward, from b
        const double beta = dt * (diffusion - std::min(a, 0.0));   // inward, from b + 1
        diag_[i](b, b) += alpha;
        diag_[i](b + 1, b) -= alpha;
        diag_[i](b + 1, b + 1) += beta;
        diag_[i](b, b + 1) -= beta;
      }
    }
    solve(u, s);
  }
}

void ShellTransport::solve(ColumnState& u, int s) {
  // Block Thomas without cancellation (after Grassmann, Taksar and Heyman): every column of the
  // system sums to its compartment's area (1 for one without area), so after eliminating the
  // blocks above, block i's columns sum to σ_i = area_i − σ_{i−1}·X_{i−1} (X = pivot⁻¹·upper ≤ 0),
  // and the pivot block's own columns to σ_i plus the magnitudes of the block below. The pivot
  // block is solved from those sums (solve_m_matrix): sums of non-negative numbers throughout.
  // The block below the diagonal, L_i, holds −α of face i−1's links at (q, p).
  const std::size_t n = grid_.size();
  sigma_prev_.setZero();
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < n_; ++k) {
      const double A = geometry_[i].area[static_cast<std::size_t>(k)];
      sigma_(k) = A > 0.0 ? A : 1.0;
    }
    if (i > 0) {
      for (std::size_t l = link_start_[i - 1]; l < link_start_[i]; ++l) {  // −= L_i·X_{i−1}
        const Link& k = links_[l];
        diag_[i].row(k.q) += alpha_[l] * upper_[i - 1].row(k.p);
        rhs_[i](k.q) += alpha_[l] * rhs_[i - 1](k.p);
      }
      sigma_.noalias() -= sigma_prev_ * upper_[i - 1];
    }
    own_ = sigma_;  // the pivot block's column sums
    if (i + 1 < n)
      for (std::size_t l = link_start_[i]; l < link_start_[i + 1]; ++l) own_(links_[l].p) += alpha_[l];
    rhs_x_.leftCols(n_) = upper_[i];
    rhs_x_.col(n_) = rhs_[i];
    solve_m_matrix(diag_[i], own_, rhs_x_);
    upper_[i] = rhs_x_.leftCols(n_);
    rhs_[i] = rhs_x_.col(n_);
    sigma_prev_ = sigma_;
  }
  for (std::size_t i = n; i-- > 0;) {
    if (i + 1 < n) rhs_[i].noalias() -= upper_[i] * rhs_[i + 1];
    const std::vector<double>& area = geometry_[i].area;
    for (int k = 0; k < n_; ++k)
      u[static_cast<std::size_t>(n_) * i + static_cast<std::size_t>(k)][s] = rhs_[i](partner(area, k));
  }
}

}  // namespace citsim
