#include "citsim/numerics/closure_shell_transport.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/numerics/closure_exchange.hpp"

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

/// Eliminates M·X = R in place for a non-singular M-matrix M (off-diagonals ≤ 0) whose column
/// sums are `s` ≥ 0, given separately and accurately (`s` is consumed): R becomes X, and M its
/// factors, the multipliers below the diagonal and U on and above it (for substitute_m_matrix).
/// Gaussian elimination without pivoting in which every pivot is its column's remaining sum
/// plus its off-diagonal magnitudes (Grassmann, Taksar and Heyman): the diagonal is never
/// formed by subtraction, and neither are the column sums left after each step, so no
/// like-signed numbers cancel however fast the exchange. Row-major blocks: every inner loop
/// runs along a row.
void eliminate_m_matrix(Block& block, Eigen::RowVectorXd& sums, Block& rhs) {
  const auto n = static_cast<std::size_t>(block.rows());
  const auto w = static_cast<std::size_t>(rhs.cols());
  double* M = block.data();
  double* s = sums.data();
  double* R = rhs.data();
  for (std::size_t k = 0; k < n; ++k) {
    double* Mk = M + k * n;
    double pivot = s[k];
    for (std::size_t i = k + 1; i < n; ++i) pivot -= M[i * n + k];
    Mk[k] = pivot;
    for (std::size_t j = k + 1; j < n; ++j) s[j] -= s[k] * Mk[j] / pivot;
    const double* Rk = R + k * w;
    for (std::size_t i = k + 1; i < n; ++i) {
      double* Mi = M + i * n;
      const double l = Mi[k] / pivot;  // ≤ 0
      Mi[k] = l;
      if (l == 0.0) continue;
      // The diagonal (j = i) follows from the column sums.
      for (std::size_t j = k + 1; j < i; ++j) Mi[j] -= l * Mk[j];
      for (std::size_t j = i + 1; j < n; ++j) Mi[j] -= l * Mk[j];
      double* Ri = R + i * w;
      for (std::size_t j = 0; j < w; ++j) Ri[j] -= l * Rk[j];
    }
  }
  for (std::size_t k = n; k-- > 0;) {
    double* Rk = R + k * w;
    for (std::size_t j = k + 1; j < n; ++j) {
      const double a = M[k * n + j];
      const double* Rj = R + j * w;
      for (std::size_t c = 0; c < w; ++c) Rk[c] -= a * Rj[c];
    }
    const double d = M[k * n + k];
    for (std::size_t c = 0; c < w; ++c) Rk[c] /= d;
  }
}

}  // namespace

ShellTransport::ShellTransport(const Grid& grid, const Parameters& p, int shells, std::vector<double> F_rest)
    : grid_(grid), n_(shells + 1), F_rest_(std::move(F_rest)), cores_(grid, p, F_rest_),
      core_state_(grid.size()) {
  if (shells < 1) throw std::invalid_argument(fmt::format("shell transport: {} shells, needs >= 1", shells));
  const Mobility mob = mobility(p);
  const std::size_t n = grid_.size(), m = static_cast<std::size_t>(n_);
  if (F_rest_.size() != n) throw std::invalid_argument("shell transport: F_rest size differs from the grid");
  ShellGeometry rest;  // before any injury: all in the core, nothing to exchange
  rest.area.assign(m, 0.0);
  rest.area[0] = 1.0;
  rest.edge.assign(m + 1, 1.0);
  rest.edge[0] = 0.0;
  rest.face.assign(static_cast<std::size_t>(shells), ExchangeGeometry{});
  geometry_.assign(n, rest);

  // The groups and their right-hand sides' columns; the distinct D of their exchanges and of
  // T's.
  auto exchange_of = [this](double D) {
    const auto at = std::find(exchange_D_.begin(), exchange_D_.end(), D);
    if (at != exchange_D_.end()) return static_cast<std::size_t>(at - exchange_D_.begin());
    exchange_D_.push_back(D);
    return exchange_D_.size() - 1;
  };
  for (const MobilityGroup& g : mobility_groups(mob)) {
    groups_.push_back(Group{g, {}, exchange_of(g.D)});
    Elimination& e = groups_.back().eliminated;
    e.pivot.assign(n, Block::Zero(n_, n_));
    e.X.assign(n, Block::Zero(n_, n_));
    if (g.chi != 0.0) chemotaxis_ = true;
    for (int s : g.species) {
      column_species_.push_back(s);
      column_group_.push_back(groups_.size() - 1);
    }
  }
  T_exchange_ = exchange_of(mob.D[T]);
  const std::size_t faces = n * static_cast<std::size_t>(shells);
  settled_after_.assign(exchange_D_.size(), 0.0);
  factor_.assign(exchange_D_.size(), std::vector<double>(faces, 0.0));
  settled_factor_.assign(faces, 0.0);
  step_factor_.assign(exchange_D_.size(), &settled_factor_);
  lateral_dT_.assign(faces, 0.0);
  rhs_.assign(column_species_.size() * n * m, 0.0);
  sigma_.resize(n_);
  sigma_prev_.resize(n_);
  own_.resize(n_);
  build_links();
}

void ShellTransport::build_links() {
  // Overlaps of the F-bands of neighbouring cells: at most 2K + 1 per face (both partitions
  // are monotone in F), found once per geometry.
  const std::size_t n = grid_.size(), m = static_cast<std::size_t>(n_);
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
  for (Group& g : groups_) {
    g.eliminated.alpha.assign(links_.size(), 0.0);
    g.eliminated.reusable = false;
  }
  partner_.resize(n * m);
  for (std::size_t i = 0; i < n; ++i)
    for (int k = 0; k < n_; ++k) partner_[m * i + static_cast<std::size_t>(k)] = partner(geometry_[i].area, k);
  // Every face's settled G, and from when on each D's factors are all settled.
  const std::size_t K = m - 1;
  std::fill(settled_after_.begin(), settled_after_.end(), 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t b = 0; b < K; ++b) {
      const ExchangeGeometry& face = geometry_[i].face[b];
      settled_factor_[i * K + b] = exchange_factor(face);
      for (std::size_t d = 0; d < exchange_D_.size(); ++d)
        settled_after_[d] = std::max(settled_after_[d], settling_time(face, exchange_D_[d]));
    }
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
  all_core_ = std::all_of(geometry_.begin(), geometry_.end(), [](const ShellGeometry& g) { return g.area[0] == 1.0; });
  build_links();
}

void ShellTransport::step(ColumnState& u, double dt) {
  const std::size_t n = grid_.size();
  const auto m = static_cast<std::size_t>(n_);
  if (u.size() != m * n)
    throw std::invalid_argument(fmt::format("shell transport: state of {} points for {} cells of {}", u.size(), n, m));
  if (!(dt > 0.0)) return;
  const double h = grid_.dz;
  auto point = [m](std::size_t i, int k) { return m * i + static_cast<std::size_t>(k); };
  if (all_core_) {
    for (std::size_t i = 0; i < n; ++i) core_state_[i] = u[point(i, 0)];
    cores_.step(core_state_, dt);
    for (std::size_t i = 0; i < n; ++i)
      for (int k = 0; k < n_; ++k)
        for (int s : column_species_) u[point(i, k)][s] = core_state_[i][s];
    since_injury_ += dt;
    return;
  }

  // Chemotactic velocities from T at the start of the step: across each depth link, and along
  // each cell's chain (at T's exchange factor).
  if (chemotaxis_) {
    for (std::size_t f = 0; f + 1 < n; ++f)
      for (std::size_t l = link_start_[f]; l < link_start_[f + 1]; ++l)
        velocity_[l] = (u[point(f + 1, links_[l].q)][T] - u[point(f, links_[l].p)][T]) / h;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b + 1 < m; ++b) {
        const int k = static_cast<int>(b);
        lateral_dT_[i * (m - 1) + b] = u[point(i, k + 1)][T] - u[point(i, k)][T];
      }
  }
  // Each D's exchange factors averaged over the step, once for all the species that share it.
  const double tau0 = since_injury_, tau1 = since_injury_ + dt;
  for (std::size_t d = 0; d < exchange_D_.size(); ++d) {
    if (tau0 >= settled_after_[d]) {
      step_factor_[d] = &settled_factor_;
      continue;
    }
    std::vector<double>& G = factor_[d];
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t b = 0; b + 1 < m; ++b)
        G[i * (m - 1) + b] = mean_exchange_factor(geometry_[i].face[b], exchange_D_[d], tau0, tau1);
    step_factor_[d] = &G;
  }
  since_injury_ = tau1;

  for (Group& g : groups_) {
    // Settled faces stay settled until the geometry changes (which drops every kept system).
    const Elimination& e = g.eliminated;
    if (!(e.reusable && e.dt == dt)) {
      eliminate(g, dt);
      ++eliminations_;
    }
  }
  substitute(u);
}

void ShellTransport::eliminate(Group& g, double dt) {
  const std::size_t n = grid_.size();
  const auto m = static_cast<std::size_t>(n_);
  const double h = grid_.dz;
  const double r = dt / h;
  const double Ds = g.mobility.D, chi = g.mobility.chi;
  Elimination& e = g.eliminated;
  std::vector<Block>& diag = e.pivot;
  std::vector<Block>& upper = e.X;
  // Transfers from (i, p) to (j, q) at coefficient c: + c on (i,p)'s diagonal, − c in row
  // (j, q). The blocks below the diagonal are not stored: the links' α are their entries.
  for (std::size_t i = 0; i < n; ++i) {
    upper[i].setZero();
    diag[i].setZero();
    for (int k = 0; k < n_; ++k) {
      const double A = geometry_[i].area[static_cast<std::size_t>(k)];
      diag[i](k, k) = A > 0.0 ? A : 1.0;
    }
  }
  for (std::size_t f = 0; f + 1 < n; ++f) {
    double g_up = 1.0, g_down = 1.0;
    if (g.mobility.relative_to_rest) {  // flux −D_F·F_rest,face·∇(F/F_rest), as in the column
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
      e.alpha[l] = alpha;
      diag[f](k.p, k.p) += alpha;
      diag[f + 1](k.q, k.q) += beta;
      upper[f](k.p, k.q) -= beta;
    }
  }
  const std::vector<double>& G_D = *step_factor_[g.exchange];
  const std::vector<double>& G_T = *step_factor_[T_exchange_];
  for (std::size_t i = 0; i < n; ++i) {
    const ShellGeometry& geo = geometry_[i];
    for (int b = 0; b + 1 < n_; ++b) {
      const auto B = static_cast<std::size_t>(b);
      if (!(geo.area[B] > 0.0) || !(geo.area[B + 1] > 0.0)) continue;
      const double diffusion = G_D[i * (m - 1) + B] * Ds;
      const double G_Tf = G_T[i * (m - 1) + B];
      if (diffusion == 0.0 && G_Tf == 0.0) continue;
      const double a = G_Tf * chi * lateral_dT_[i * (m - 1) + B];
      const double alpha = dt * (diffusion + std::max(a, 0.0));  // outward, from b
      const double beta = dt * (diffusion - std::min(a, 0.0));   // inward, from b + 1
      diag[i](b, b) += alpha;
      diag[i](b + 1, b) -= alpha;
      diag[i](b + 1, b + 1) += beta;
      diag[i](b, b + 1) -= beta;
    }
  }

  // Block Thomas without cancellation (after Grassmann, Taksar and Heyman): every column of the
  // system sums to its compartment's area (1 for one without area), so after eliminating the
  // blocks above, block i's columns sum to σ_i = area_i − σ_{i−1}·X_{i−1} (X = pivot⁻¹·upper ≤ 0),
  // and the pivot block's own columns to σ_i plus the magnitudes of the block below. The pivot
  // block is eliminated with those sums (eliminate_m_matrix): sums of non-negative numbers
  // throughout. The block below the diagonal, L_i, holds −α of face i−1's links at (q, p).
  sigma_prev_.setZero();
  for (std::size_t i = 0; i < n; ++i) {
    for (int k = 0; k < n_; ++k) {
      const double A = geometry_[i].area[static_cast<std::size_t>(k)];
      sigma_(k) = A > 0.0 ? A : 1.0;
    }
    if (i > 0) {
      for (std::size_t l = link_start_[i - 1]; l < link_start_[i]; ++l)  // −= L_i·X_{i−1}
        diag[i].row(links_[l].q) += e.alpha[l] * upper[i - 1].row(links_[l].p);
      sigma_.noalias() -= sigma_prev_ * upper[i - 1];
    }
    own_ = sigma_;  // the pivot block's column sums
    if (i + 1 < n)
      for (std::size_t l = link_start_[i]; l < link_start_[i + 1]; ++l) own_(links_[l].p) += e.alpha[l];
    eliminate_m_matrix(diag[i], own_, upper[i]);
    sigma_prev_ = sigma_;
  }
  e.dt = dt;
  e.reusable = chi == 0.0 && step_factor_[g.exchange] == &settled_factor_;
}

void ShellTransport::substitute(ColumnState& u) {
  // The right-hand sides A·c, through the operations the elimination does on them: −= L_i·y_{i−1}
  // and the pivot block's solve (eliminate_m_matrix) going down, then y_i −= X_i·y_{i+1} coming
  // back up. Point by point, a column per species: the columns' chains are independent, and
  // each runs as it would alone.
  const std::size_t n = grid_.size();
  const auto m = static_cast<std::size_t>(n_);
  const std::size_t C = column_species_.size();
  std::array<const Elimination*, kSpeciesCount> e{};
  std::array<const double*, kSpeciesCount> M{};
  std::array<double, kSpeciesCount> even{}, odd{};
  for (std::size_t c = 0; c < C; ++c) e[c] = &groups_[column_group_[c]].eliminated;
  double* y = rhs_.data();
  auto at = [&](std::size_t i, std::size_t k) { return y + (m * i + k) * C; };
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < m; ++k) {
      const double A = geometry_[i].area[k];
      const SpeciesVector& v = u[m * i + k];
      double* yk = at(i, k);
      for (std::size_t c = 0; c < C; ++c) yk[c] = A > 0.0 ? A * v[column_species_[c]] : 0.0;
    }
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0)
      for (std::size_t l = link_start_[i - 1]; l < link_start_[i]; ++l) {
        double* to = at(i, static_cast<std::size_t>(links_[l].q));
        const double* from = at(i - 1, static_cast<std::size_t>(links_[l].p));
        for (std::size_t c = 0; c < C; ++c) to[c] += e[c]->alpha[l] * from[c];
      }
    for (std::size_t c = 0; c < C; ++c) M[c] = e[c]->pivot[i].data();
    for (std::size_t k = 0; k < m; ++k) {  // the multipliers below the diagonal
      const double* yk = at(i, k);
      for (std::size_t r = k + 1; r < m; ++r) {
        double* yr = at(i, r);
        for (std::size_t c = 0; c < C; ++c) {
          const double l = M[c][r * m + k];
          if (l != 0.0) yr[c] -= l * yk[c];
        }
      }
    }
    for (std::size_t k = m; k-- > 0;) {  // U
      double* yk = at(i, k);
      for (std::size_t j = k + 1; j < m; ++j) {
        const double* yj = at(i, j);
        for (std::size_t c = 0; c < C; ++c) yk[c] -= M[c][k * m + j] * yj[c];
      }
      for (std::size_t c = 0; c < C; ++c) yk[c] /= M[c][k * m + k];
    }
  }
  for (std::size_t i = n; i-- > 0;) {
    if (i + 1 < n) {
      // X_i·y_{i+1} row by row, each in two partial sums (even and odd j): shorter chains.
      for (std::size_t c = 0; c < C; ++c) M[c] = e[c]->X[i].data();
      for (std::size_t r = 0; r < m; ++r) {
        even.fill(0.0);
        odd.fill(0.0);
        std::size_t j = 0;
        for (; j + 2 <= m; j += 2) {
          const double* y0 = at(i + 1, j);
          const double* y1 = at(i + 1, j + 1);
          for (std::size_t c = 0; c < C; ++c) {
            even[c] += M[c][r * m + j] * y0[c];
            odd[c] += M[c][r * m + j + 1] * y1[c];
          }
        }
        double* yr = at(i, r);
        for (std::size_t c = 0; c < C; ++c) {
          double sum = even[c] + odd[c];
          if (j < m) sum += M[c][r * m + j] * at(i + 1, j)[c];
          yr[c] -= sum;
        }
      }
    }
    for (std::size_t k = 0; k < m; ++k) {
      SpeciesVector& v = u[m * i + k];
      const double* yk = at(i, static_cast<std::size_t>(partner_[m * i + k]));
      for (std::size_t c = 0; c < C; ++c) v[column_species_[c]] = yk[c];
    }
  }
}

}  // namespace citsim
