// LU factorisation of a small fixed-size matrix whose structural pattern is known at compile
// time, through its block-triangular form: the solve of a Rosenbrock step on a kinetics whose
// species do not all depend on one another.
//
// Ordered by the strongly connected components of its dependency graph (Tarjan 1972; Duff &
// Reid, "An implementation of Tarjan's algorithm for the block triangularization of a matrix",
// ACM TOMS 4, 1978), a matrix is block lower triangular: a row of one block has non-zeros only
// in its own block and in earlier ones. A system A·x = b is then solved block by block: each
// diagonal block factorised with partial pivoting within it, the earlier blocks' solution
// entering as known terms through the entries below. Stable wherever the dense LU is (the
// diagonal blocks carry all of A's eigenvalues), and far cheaper when the blocks are small: for
// citsim's kinetics the 15 × 15 factorisation becomes one 7 × 7 and a few of size 3 and 1.
//
// A pattern with one component is the dense LU with partial pivoting. A zero pivot is not an
// error here: the solves then return Inf or NaN, which the caller's error control rejects.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cmath>
#include <utility>

#include "citsim/numerics/dense_lu.hpp"

namespace citsim {

/// pattern[i][j]: entry (i, j) may be non-zero (row i depends on column j).
template <int N>
using StructuralPattern = std::array<std::array<bool, N>, N>;

/// The block-triangular order of a pattern.
template <int N>
struct BlockOrder {
  std::array<int, N> index{};       ///< the original row and column at each position
  std::array<int, N + 1> start{};   ///< block b holds positions [start[b], start[b + 1])
  int blocks = 0;
};

namespace detail {

template <int N>
struct TarjanComponents {
  const StructuralPattern<N>& pattern;
  std::array<int, N> number{}, low{}, stack{};
  std::array<bool, N> on_stack{};
  int counter = 0, depth = 0;
  BlockOrder<N> order{};
  int placed = 0;

  constexpr void visit(int v) {
    number[v] = low[v] = ++counter;
    stack[depth++] = v;
    on_stack[v] = true;
    for (int w = 0; w < N; ++w) {
      if (w == v || !pattern[v][w]) continue;
      if (number[w] == 0) {
        visit(w);
        low[v] = low[v] < low[w] ? low[v] : low[w];
      } else if (on_stack[w]) {
        low[v] = low[v] < number[w] ? low[v] : number[w];
      }
    }
    if (low[v] != number[v]) return;
    // v roots a component; every component it depends on has been placed already.
    const int first = placed;
    int w = -1;
    do {
      w = stack[--depth];
      on_stack[w] = false;
      order.index[placed++] = w;
    } while (w != v);
    for (int i = first + 1; i < placed; ++i)  // members in their original order
      for (int j = i; j > first && order.index[j - 1] > order.index[j]; --j) {
        const int t = order.index[j];
        order.index[j] = order.index[j - 1];
        order.index[j - 1] = t;
      }
    order.start[order.blocks++] = first;
  }
};

/// A block-triangular matrix's entries below its diagonal blocks, in permuted positions, sorted
/// by row; those of block b's rows at [start[b], start[b + 1]).
template <int N>
struct BelowEntries {
  std::array<int, N * N> row{}, col{};
  std::array<int, N + 1> start{};
};

template <int N>
constexpr BelowEntries<N> below_entries(const StructuralPattern<N>& pattern, const BlockOrder<N>& order) {
  BelowEntries<N> s;
  int count = 0;
  for (int b = 0; b < order.blocks; ++b) {
    s.start[b] = count;
    for (int r = order.start[b]; r < order.start[b + 1]; ++r)
      for (int c = 0; c < order.start[b]; ++c)
        if (pattern[order.index[r]][order.index[c]]) {
          s.row[count] = r;
          s.col[count] = c;
          ++count;
        }
  }
  s.start[order.blocks] = count;
  return s;
}

}  // namespace detail

/// The strongly connected components of `pattern`, each after every component its rows depend
/// on: the permuted matrix is block lower triangular with irreducible diagonal blocks.
template <int N>
constexpr BlockOrder<N> block_triangular_order(const StructuralPattern<N>& pattern) {
  detail::TarjanComponents<N> t{pattern};
  for (int v = 0; v < N; ++v)
    if (t.number[v] == 0) t.visit(v);
  t.order.start[t.order.blocks] = N;
  return t.order;
}

template <int N, const StructuralPattern<N>& Pattern>
class BlockTriangularLU {
 public:
  using Matrix = Eigen::Matrix<double, N, N>;
  using Vector = Eigen::Matrix<double, N, 1>;
  static constexpr BlockOrder<N> kOrder = block_triangular_order<N>(Pattern);

  /// Factorise A.
  void compute(const Matrix& a) { load(0.0, 1.0, a); }

  /// Factorise σ·I − A, the matrix of an implicit or Rosenbrock step.
  void compute_shifted(double sigma, const Matrix& a) { load(sigma, -1.0, a); }

  /// Solve A·x = b in place of b: block after block, the earlier blocks' x entering through the
  /// entries below the diagonal blocks.
  void solve_in_place(Vector& b) const {
    double x[N];
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) x[k] = b[kOrder.index[k]];
    const double* m = m_.data();
#pragma GCC unroll 16
    for (int blk = 0; blk < kOrder.blocks; ++blk) {
      const int s = kOrder.start[blk], e = kOrder.start[blk + 1];
      for (int l = kBelow.start[blk]; l < kBelow.start[blk + 1]; ++l) x[kBelow.row[l]] -= below_[l] * x[kBelow.col[l]];
      detail::lu_solve_range<N>(m, s, e, pivot_.data(), inv_diag_.data(), x);
    }
#pragma GCC unroll 16
    for (int k = 0; k < N; ++k) b[kOrder.index[k]] = x[k];
  }

  Vector solve(const Vector& b) const {
    Vector x = b;
    solve_in_place(x);
    return x;
  }

 private:
  static constexpr detail::BelowEntries<N> kBelow = detail::below_entries<N>(Pattern, kOrder);
  static constexpr int kBelowCount = kBelow.start[kOrder.blocks];

  /// m_ ← the permuted diagonal blocks of σ·I + s·A, below_ ← its entries below them; factorise.
  void load(double sigma, double s, const Matrix& a) {
#pragma GCC unroll 16
    for (int b = 0; b < kOrder.blocks; ++b)
      for (int c = kOrder.start[b]; c < kOrder.start[b + 1]; ++c)
        for (int r = kOrder.start[b]; r < kOrder.start[b + 1]; ++r)
          m_[c * N + r] = s * a(kOrder.index[r], kOrder.index[c]) + (r == c ? sigma : 0.0);
#pragma GCC unroll 16
    for (int l = 0; l < kBelowCount; ++l) below_[l] = s * a(kOrder.index[kBelow.row[l]], kOrder.index[kBelow.col[l]]);
#pragma GCC unroll 16
    for (int b = 0; b < kOrder.blocks; ++b)
      detail::lu_factorise_range<N>(m_.data(), kOrder.start[b], kOrder.start[b + 1], pivot_.data(), inv_diag_.data());
  }

  std::array<double, N * N> m_{};
  std::array<double, kBelowCount> below_{};
  std::array<double, N> inv_diag_{};
  std::array<int, N> pivot_{};
};

}  // namespace citsim
