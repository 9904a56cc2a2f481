// The block-triangular LU: the order is that of the pattern's strongly connected components
// (every dependency in the same or an earlier block, every block irreducible), and the solves
// agree with the dense LU on matrices of the pattern, pivoting inside a block included.
#include <catch2/catch.hpp>

#include <Eigen/LU>
#include <random>

#include "citsim/model/kinetics.hpp"
#include "citsim/numerics/block_triangular_lu.hpp"
#include "citsim/numerics/dense_lu.hpp"

using namespace citsim;

namespace {

constexpr int kN = 8;
using Pattern8 = StructuralPattern<kN>;

constexpr Pattern8 pattern_from(std::initializer_list<std::pair<int, int>> entries) {
  Pattern8 p{};
  for (int i = 0; i < kN; ++i) p[static_cast<std::size_t>(i)][static_cast<std::size_t>(i)] = true;
  for (auto [i, j] : entries) p[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = true;
  return p;
}

// Two cycles {5, 2} and {1, 4, 6}, the second depending on the first, 0 depending on both,
// 3 and 7 alone; 7 depends on 3.
constexpr Pattern8 kMixed = pattern_from({{5, 2}, {2, 5}, {1, 4}, {4, 6}, {6, 1}, {4, 2}, {0, 6}, {0, 5}, {7, 3}});

template <int N>
std::array<int, N> position_of(const BlockOrder<N>& o) {
  std::array<int, N> pos{};
  for (int k = 0; k < N; ++k) pos[static_cast<std::size_t>(o.index[static_cast<std::size_t>(k)])] = k;
  return pos;
}

template <int N>
int block_at(const BlockOrder<N>& o, int position) {
  int b = 0;
  while (o.start[static_cast<std::size_t>(b + 1)] <= position) ++b;
  return b;
}

/// Every entry of the pattern lies in its row's block or an earlier one, and every block is
/// strongly connected (each member reaches every other within the block).
template <int N>
void check_block_triangular(const StructuralPattern<N>& p, const BlockOrder<N>& o) {
  const std::array<int, N> pos = position_of(o);
  std::array<bool, N> seen{};
  for (int k = 0; k < N; ++k) seen[static_cast<std::size_t>(o.index[static_cast<std::size_t>(k)])] = true;
  for (bool s : seen) REQUIRE(s);  // a permutation
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j)
      if (p[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)])
        CHECK(block_at(o, pos[static_cast<std::size_t>(j)]) <= block_at(o, pos[static_cast<std::size_t>(i)]));
  for (int b = 0; b < o.blocks; ++b) {
    const int s = o.start[static_cast<std::size_t>(b)], e = o.start[static_cast<std::size_t>(b + 1)];
    for (int a = s; a < e; ++a) {
      // Reachability from a inside the block.
      std::array<bool, N> reach{};
      reach[static_cast<std::size_t>(a)] = true;
      for (bool grew = true; grew;) {
        grew = false;
        for (int x = s; x < e; ++x)
          for (int y = s; y < e; ++y)
            if (reach[static_cast<std::size_t>(x)] && !reach[static_cast<std::size_t>(y)] &&
                p[static_cast<std::size_t>(o.index[static_cast<std::size_t>(x)])]
                 [static_cast<std::size_t>(o.index[static_cast<std::size_t>(y)])]) {
              reach[static_cast<std::size_t>(y)] = true;
              grew = true;
            }
      }
      for (int y = s; y < e; ++y) CHECK(reach[static_cast<std::size_t>(y)]);
    }
  }
}

template <int N, const StructuralPattern<N>& P>
void check_solves_like_dense(std::mt19937& rng, bool zero_diagonal) {
  std::uniform_real_distribution<double> U(-1.0, 1.0);
  BlockTriangularLU<N, P> blu;
  DenseLU<N> dense;
  constexpr BlockOrder<N> order = BlockTriangularLU<N, P>::kOrder;
  const std::array<int, N> pos = position_of(order);
  auto in_cycle = [&](int i) {
    const int b = block_at(order, pos[static_cast<std::size_t>(i)]);
    return order.start[static_cast<std::size_t>(b + 1)] - order.start[static_cast<std::size_t>(b)] > 1;
  };
  int solved = 0;
  for (int trial = 0; trial < 30; ++trial) {
    Eigen::Matrix<double, N, N> a = Eigen::Matrix<double, N, N>::Zero();
    Eigen::Matrix<double, N, 1> b;
    for (int i = 0; i < N; ++i) {
      b[i] = U(rng);
      for (int j = 0; j < N; ++j)
        if (P[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]) a(i, j) = U(rng);
      if (zero_diagonal && in_cycle(i)) a(i, i) = 0.0;  // no such block factorises without pivoting
    }
    if (zero_diagonal && std::abs(a.determinant()) < 1e-6) continue;
    blu.compute(a);
    dense.compute(a);
    const Eigen::Matrix<double, N, 1> x = blu.solve(b), y = dense.solve(b);
    INFO("trial " << trial);
    CHECK((a * x - b).norm() <= 1e-11 * (1.0 + a.norm() * x.norm()));
    CHECK((x - y).norm() <= 1e-9 * (1.0 + y.norm()));
    // The shifted form is σ·I − A.
    blu.compute_shifted(3.0, a);
    const Eigen::Matrix<double, N, N> w = 3.0 * Eigen::Matrix<double, N, N>::Identity() - a;
    const Eigen::Matrix<double, N, 1> z = blu.solve(b);
    CHECK((w * z - b).norm() <= 1e-11 * (1.0 + w.norm() * z.norm()));
    ++solved;
  }
  CHECK(solved >= 20);
}

constexpr Pattern8 kFull = [] {
  Pattern8 p{};
  for (auto& row : p) row.fill(true);
  return p;
}();
constexpr Pattern8 kDiagonal = pattern_from({});

}  // namespace

TEST_CASE("block-triangular LU: the order is the strongly connected components, dependencies first") {
  constexpr BlockOrder<kN> mixed = block_triangular_order<kN>(kMixed);
  static_assert(mixed.blocks == 5);  // {2, 5}, {1, 4, 6}, {0}, {3}, {7}
  check_block_triangular<kN>(kMixed, mixed);
  constexpr BlockOrder<kN> full = block_triangular_order<kN>(kFull);
  static_assert(full.blocks == 1);
  constexpr BlockOrder<kN> diagonal = block_triangular_order<kN>(kDiagonal);
  static_assert(diagonal.blocks == kN);
  // Random patterns, from sparse to nearly full.
  std::mt19937 rng(5);
  for (double density : {0.05, 0.15, 0.3, 0.6}) {
    std::bernoulli_distribution on(density);
    for (int trial = 0; trial < 50; ++trial) {
      Pattern8 p = kDiagonal;
      for (auto& row : p)
        for (auto&& x : row) x = x || on(rng);
      check_block_triangular<kN>(p, block_triangular_order<kN>(p));
    }
  }
}

TEST_CASE("block-triangular LU: the kinetics split into irreducible blocks, the largest the inflammation") {
  constexpr auto order = block_triangular_order<kSpeciesCount>(kKineticsCoupling);
  check_block_triangular<kSpeciesCount>(kKineticsCoupling, order);
  int largest = 0;
  for (int b = 0; b < order.blocks; ++b) largest = std::max(largest, order.start[static_cast<std::size_t>(b + 1)] - order.start[static_cast<std::size_t>(b)]);
  INFO("blocks " << order.blocks << ", largest " << largest);
  CHECK(order.blocks >= 3);                  // else the factorisation saves nothing
  CHECK(largest < kSpeciesCount);
}

TEST_CASE("block-triangular LU: solves agree with the dense LU, pivoting within blocks included") {
  std::mt19937 rng(9);
  check_solves_like_dense<kN, kMixed>(rng, false);
  check_solves_like_dense<kN, kMixed>(rng, true);
  check_solves_like_dense<kN, kFull>(rng, false);
  check_solves_like_dense<kN, kFull>(rng, true);
  check_solves_like_dense<kN, kDiagonal>(rng, false);
  check_solves_like_dense<kSpeciesCount, kKineticsCoupling>(rng, false);
  check_solves_like_dense<kSpeciesCount, kKineticsCoupling>(rng, true);
}
