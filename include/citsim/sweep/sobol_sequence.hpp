// The Sobol low-discrepancy sequence in base 2 (Bratley & Fox 1988, Gray-code order), with the
// Joe & Kuo (2008) direction numbers "new-joe-kuo-6.21201" for its first dimensions. Unscrambled:
// point 0 is the origin, and the first 2^m points of any two dimensions form a (0, m, 2)-net.
#pragma once

#include <cstdint>
#include <vector>

namespace citsim::sweep {

class SobolSequence {
 public:
  /// Largest dimension available (direction numbers built in).
  static int max_dimensions();

  /// Throws std::invalid_argument if `dimensions` is outside 1..max_dimensions().
  explicit SobolSequence(int dimensions);

  int dimensions() const { return dimensions_; }

  /// Point `index` (0-based, Gray-code order, index < 2^32), each coordinate in [0, 1).
  std::vector<double> point(std::uint64_t index) const;

 private:
  static constexpr int kBits = 32;
  int dimensions_;
  std::vector<std::uint32_t> directions_;  ///< dimensions × kBits, v_{j,k} scaled by 2^32
};

}  // namespace citsim::sweep
