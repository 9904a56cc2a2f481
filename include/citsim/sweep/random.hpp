// A seeded random stream whose every number is fixed by the C++ standard: std::mt19937_64 is
// specified bit for bit, while std::uniform_real_distribution and std::shuffle are not, so the
// uniform, bounded-integer and shuffle steps are written out here. Same seed, same designs, on
// every compiler and library.
#pragma once

#include <cstdint>
#include <random>
#include <span>

namespace citsim::sweep {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed) : engine_(seed) {}

  /// Uniform on [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /// Uniform integer in [0, n), n > 0, without modulo bias (rejection).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const std::uint64_t x = engine_();
      if (x >= threshold) return x % n;
    }
  }

  /// Fisher–Yates shuffle.
  template <class T>
  void shuffle(std::span<T> values) {
    for (std::size_t i = values.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(below(i));
      std::swap(values[i - 1], values[j]);
    }
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace citsim::sweep
