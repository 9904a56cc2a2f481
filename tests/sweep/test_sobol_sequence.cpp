// Tests for include/citsim/sweep/sobol_sequence.hpp: points against an independent implementation
// (SciPy's scipy.stats.qmc.Sobol, unscrambled), and the net property that makes it low-discrepancy.
#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "citsim/sweep/sobol_sequence.hpp"

using citsim::sweep::SobolSequence;

TEST_CASE("Sobol points match SciPy's unscrambled sequence", "[sweep][sobol]") {
  // scipy.stats.qmc.Sobol(128, scramble=False).random(1024)[n, d]
  struct Known {
    std::uint64_t n;
    int d;
    double x;
  };
  const std::vector<Known> known = {{5, 0, 0.875},         {5, 1, 0.875},        {5, 2, 0.125},
                                    {1000, 10, 0.0849609375}, {1000, 63, 0.4462890625},
                                    {1023, 127, 0.7001953125}, {777, 100, 0.8427734375},
                                    {512, 31, 0.6708984375}};
  const SobolSequence s(128);
  for (const Known& k : known) {
    INFO("point " << k.n << " dimension " << k.d);
    CHECK(s.point(k.n)[static_cast<std::size_t>(k.d)] == k.x);
  }
  // the first eight points of three dimensions, in Gray-code order
  const std::vector<std::vector<double>> first = {{0, 0, 0},           {0.5, 0.5, 0.5},      {0.75, 0.25, 0.25},
                                                  {0.25, 0.75, 0.75},  {0.375, 0.375, 0.625}, {0.875, 0.875, 0.125},
                                                  {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375}};
  const SobolSequence s3(3);
  for (std::size_t n = 0; n < first.size(); ++n) CHECK(s3.point(n) == first[n]);
}

TEST_CASE("the first 2^m Sobol points stratify every dimension and the first two jointly", "[sweep][sobol]") {
  const int m = 8;
  const std::uint64_t n = std::uint64_t{1} << m;
  const SobolSequence s(100);
  // every dimension: one point in each interval of length 2^-m
  for (int d = 0; d < 100; ++d) {
    std::vector<int> count(n, 0);
    for (std::uint64_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(s.point(i)[static_cast<std::size_t>(d)] * static_cast<double>(n))];
    INFO("dimension " << d);
    for (int c : count) REQUIRE(c == 1);
  }
  // dimensions 1 and 2 form a (0, m, 2)-net: every dyadic box of area 2^-m holds one point
  for (int d = 1; d < 2; ++d) {
    for (int a = 0; a <= m; ++a) {
      std::vector<int> count(n, 0);
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::vector<double> x = s.point(i);
        const auto cx = static_cast<std::uint64_t>(x[0] * static_cast<double>(1u << a));
        const auto cy = static_cast<std::uint64_t>(x[static_cast<std::size_t>(d)] * static_cast<double>(1u << (m - a)));
        ++count[cx * (std::uint64_t{1} << (m - a)) + cy];
      }
      INFO("dimension " << d << ", split " << a);
      for (int c : count) REQUIRE(c == 1);
    }
  }
}

TEST_CASE("Sobol dimensions are checked", "[sweep][sobol]") {
  CHECK_THROWS_AS(SobolSequence(0), std::invalid_argument);
  CHECK_THROWS_AS(SobolSequence(SobolSequence::max_dimensions() + 1), std::invalid_argument);
  CHECK(SobolSequence::max_dimensions() >= 64);
}
