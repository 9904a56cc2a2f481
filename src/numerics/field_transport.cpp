#include "citsim/numerics/field_transport.hpp"

#include <omp.h>

#include <algorithm>
#include <span>

namespace citsim {
namespace {

/// Lateral lines solved side by side with a shared system.
constexpr std::ptrdiff_t kBlockLines = 8;

/// A lateral line's backward-Euler matrix for a group (periodic): face k carries α·u_k − β·u_{k+1}
/// toward k+1 (α, β ≥ 0), chemotaxis upwinded with the velocity at face k (none: nullptr).
void assemble_line(const MobilityGroup& g, const double* velocity, double h, double r, std::span<double> lower,
                   std::span<double> diag, std::span<double> upper) {
  const std::size_t n = diag.size();
  std::fill(diag.begin(), diag.end(), 1.0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t k1 = (k + 1) % n;
    const double a = velocity ? g.chi * velocity[k] : 0.0;
    const double alpha = g.D / h + std::max(a, 0.0);
    const double beta = g.D / h - std::min(a, 0.0);
    diag[k] += r * alpha;
    upper[k] = -r * beta;
    lower[k1] = -r * alpha;
    diag[k1] += r * beta;
  }
}

/// Factors with room for n unknowns: eliminations of that size allocate nothing.
CyclicTridiagonalFactors sized(std::size_t n) {
  CyclicTridiagonalFactors f;
  for (auto* v : {&f.thomas.lower, &f.thomas.pivot, &f.thomas.ratio, &f.diag, &f.z}) v->assign(n, 0.0);
  return f;
}

}  // namespace

FieldTransport::FieldTransport(const FieldGrid& grid, const Parameters& p, std::vector<double> F_rest)
    : grid_(grid) {
  for (const MobilityGroup& g : mobility_groups(mobility(p)))
    groups_.push_back(LateralGroup{g, {sized(grid_.nx), sized(grid_.ny)}, {}, {}});
  const std::size_t n = std::max(grid_.nx, grid_.ny), block = static_cast<std::size_t>(kBlockLines) * n;
  const std::size_t widest = largest_group(mobility_groups(mobility(p)));
  const int threads = std::max(1, omp_get_max_threads());
  workers_.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    std::vector<double> line(n, 0.0);
    workers_.push_back(Worker{ColumnTransport(grid_.depth, p, F_rest), ColumnState(grid_.nz()), line, line, line,
                              std::vector<double>(block * widest, 0.0), std::vector<double>(block, 0.0),
                              std::vector<std::size_t>(block, 0), sized(n)});
  }
}

void FieldTransport::step(FieldState& u, double dt) {
  const std::size_t nz = grid_.nz();
  const auto columns = static_cast<std::ptrdiff_t>(grid_.columns());
  // Depth: the column operator itself, one instance (with its scratch and kept eliminations)
  // per thread.
#pragma omp parallel num_threads(static_cast<int>(workers_.size()))
  {
    Worker& w = workers_[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
    for (std::ptrdiff_t c = 0; c < columns; ++c) {
      const auto first = static_cast<std::size_t>(c) * nz;
      std::copy_n(u.begin() + static_cast<std::ptrdiff_t>(first), nz, w.slice.begin());
      w.column.step(w.slice, dt);
      std::copy_n(w.slice.begin(), nz, u.begin() + static_cast<std::ptrdiff_t>(first));
    }
  }
  lateral_sweep(u, dt, false);
  if (grid_.ny > 1) lateral_sweep(u, dt, true);
}

void FieldTransport::lateral_sweep(FieldState& u, double dt, bool along_y) {
  const std::size_t n = along_y ? grid_.ny : grid_.nx;
  const std::size_t other = along_y ? grid_.nx : grid_.ny;
  const std::size_t nz = grid_.nz();
  const std::size_t dir = along_y ? 1 : 0;
  const double h = along_y ? grid_.dy : grid_.dx;
  const double r = dt / h;
  const auto lines = static_cast<std::ptrdiff_t>(other * nz);
  auto span_of = [n](std::vector<double>& v) { return std::span<double>(v.data(), n); };

  // Without chemotaxis a group's system is the same on every line: eliminated here, once, and
  // kept while dt stays.
  bool chemotaxis = false;
  for (LateralGroup& g : groups_) {
    if (g.mobility.chi != 0.0) {
      chemotaxis = true;
      continue;
    }
    if (g.kept[dir] && g.dt[dir] == dt) continue;
    Worker& w = workers_.front();
    assemble_line(g.mobility, nullptr, h, r, span_of(w.lower), span_of(w.diag), span_of(w.upper));
    factor_cyclic_tridiagonal(span_of(w.lower), span_of(w.diag), span_of(w.upper), g.shared[dir]);
    g.dt[dir] = dt;
    g.kept[dir] = true;
  }

  // Lines in blocks: the shared systems solve a block's lines and species side by side.
  const std::ptrdiff_t blocks = (lines + kBlockLines - 1) / kBlockLines;
#pragma omp parallel num_threads(static_cast<int>(workers_.size()))
  {
    Worker& w = workers_[static_cast<std::size_t>(omp_get_thread_num())];
#pragma omp for schedule(static)
    for (std::ptrdiff_t b = 0; b < blocks; ++b) {
      const auto first = static_cast<std::size_t>(b * kBlockLines);
      const std::size_t count = std::min(static_cast<std::size_t>(lines) - first, static_cast<std::size_t>(kBlockLines));
      for (std::size_t l = 0; l < count; ++l) {
        const std::size_t line = first + l;
        const std::size_t iz = line % nz, io = line / nz;
        std::size_t* cell = w.cell.data() + l * n;
        for (std::size_t k = 0; k < n; ++k) cell[k] = along_y ? grid_.index(io, k, iz) : grid_.index(k, io, iz);
        // Chemotactic velocity at face k (between k and k+1, periodic) from T at the start.
        if (chemotaxis)
          for (std::size_t k = 0; k < n; ++k)
            w.velocity[l * n + k] = (u[cell[(k + 1) % n]][T] - u[cell[k]][T]) / h;
      }
      for (const LateralGroup& g : groups_) {
        const std::vector<int>& species = g.mobility.species;
        const std::size_t m = species.size();
        if (g.mobility.chi == 0.0) {  // the block's lines × the group's species, one system
          const std::size_t columns = count * m;
          for (std::size_t k = 0; k < n; ++k)
            for (std::size_t l = 0; l < count; ++l)
              for (std::size_t c = 0; c < m; ++c) w.x[k * columns + l * m + c] = u[w.cell[l * n + k]][species[c]];
          substitute_cyclic_tridiagonal(g.shared[dir], std::span<double>(w.x.data(), n * columns), columns);
          for (std::size_t k = 0; k < n; ++k)
            for (std::size_t l = 0; l < count; ++l)
              for (std::size_t c = 0; c < m; ++c) u[w.cell[l * n + k]][species[c]] = w.x[k * columns + l * m + c];
          continue;
        }
        for (std::size_t l = 0; l < count; ++l) {  // each line its own system
          const std::size_t* cell = w.cell.data() + l * n;
          assemble_line(g.mobility, w.velocity.data() + l * n, h, r, span_of(w.lower), span_of(w.diag),
                        span_of(w.upper));
          factor_cyclic_tridiagonal(span_of(w.lower), span_of(w.diag), span_of(w.upper), w.line);
          for (std::size_t k = 0; k < n; ++k)
            for (std::size_t c = 0; c < m; ++c) w.x[k * m + c] = u[cell[k]][species[c]];
          substitute_cyclic_tridiagonal(w.line, std::span<double>(w.x.data(), n * m), m);
          for (std::size_t k = 0; k < n; ++k)
            for (std::size_t c = 0; c < m; ++c) u[cell[k]][species[c]] = w.x[k * m + c];
        }
      }
    }
  }
}

}  // namespace citsim
