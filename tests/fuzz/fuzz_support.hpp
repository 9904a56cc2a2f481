// What every citsim fuzz target shares: reading structured values from the fuzz bytes, a scratch
// directory for files, and the rule that a typed citsim error is a valid answer to bad input
// while anything else (another exception, a broken invariant, a crash) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "citsim/errors.hpp"

namespace citsim::fuzz {

/// A broken invariant found by a target: deliberately not a citsim error type, so it is a finding.
class Finding : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Throws Finding with `what` unless `ok`.
void require(bool ok, const std::string& what);

/// Runs `f`; ConfigError, IoError and NumericalError are the answers bad input may get.
/// Anything else propagates to the fuzzer (or the replay test) as a finding.
template <class F>
int typed_errors_only(F&& f) {
  try {
    f();
  } catch (const ConfigError&) {
  } catch (const IoError&) {
  } catch (const NumericalError&) {
  }
  return 0;
}

/// Consumes the fuzz bytes as small structured values; returns zeros once they run out, so every
/// input decodes to something.
class ByteReader {
 public:
  ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  std::uint8_t byte();
  bool flag() { return (byte() & 1) != 0; }
  /// An integer in [0, n) (n >= 1).
  std::uint32_t below(std::uint32_t n);
  std::uint64_t u64();
  /// A double chosen to hit edges: 0, ±1, tiny, huge, NaN, ±Inf, small integers, raw bits.
  double edgy_double();
  /// One of `options`.
  template <class T>
  const T& pick(const std::vector<T>& options) {
    return options[below(static_cast<std::uint32_t>(options.size()))];
  }
  /// The rest of the bytes as text.
  std::string rest();

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

/// A private directory for this process's files, made on first use and removed at exit.
const std::string& scratch_dir();
/// `scratch_dir()/name`.
std::string scratch_path(std::string_view name);
/// Writes `size` bytes to `path` (replacing it); throws Finding if the disk refuses.
void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size);
/// The whole file (for seeds the targets copy beside their inputs).
std::string read_text(const std::string& path);

}  // namespace citsim::fuzz
