#include "fuzz_support.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace citsim::fuzz {

void require(bool ok, const std::string& what) {
  if (!ok) throw Finding(what);
}

std::uint8_t ByteReader::byte() { return pos_ < size_ ? data_[pos_++] : 0; }

std::uint32_t ByteReader::below(std::uint32_t n) {
  if (n <= 1) return 0;
  std::uint32_t v = byte();
  if (n > 256) v = (v << 8) | byte();
  if (n > 65536) v = (v << 16) | (static_cast<std::uint32_t>(byte()) << 8) | byte();
  return v % n;
}

std::uint64_t ByteReader::u64() {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | byte();
  return v;
}

double ByteReader::edgy_double() {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  switch (byte() % 12) {
    case 0: return 0.0;
    case 1: return 1.0;
    case 2: return -1.0;
    case 3: return std::numeric_limits<double>::quiet_NaN();
    case 4: return kInf;
    case 5: return -kInf;
    case 6: return std::numeric_limits<double>::denorm_min();
    case 7: return std::numeric_limits<double>::max();
    case 8: return static_cast<double>(static_cast<std::int8_t>(byte()));
    case 9: return byte() / 16.0;
    case 10: return std::ldexp(1.0 + byte() / 256.0, static_cast<int>(static_cast<std::int8_t>(byte())));
    default: {
      const std::uint64_t bits = u64();
      double d;
      std::memcpy(&d, &bits, sizeof d);
      return d;
    }
  }
}

std::string ByteReader::rest() {
  std::string s(reinterpret_cast<const char*>(data_ + std::min(pos_, size_)), size_ - std::min(pos_, size_));
  pos_ = size_;
  return s;
}

namespace {

/// Owns the scratch directory; removing it at exit keeps /tmp clean after a fuzzing run.
struct Scratch {
  std::string path;
  Scratch() {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "citsim-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw Finding("cannot make a scratch directory: " + tmpl);
    path = tmpl;
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

const std::string& scratch_dir() {
  static const Scratch scratch;  // one per process: every input reuses the same few files
  return scratch.path;
}

std::string scratch_path(std::string_view name) { return scratch_dir() + "/" + std::string(name); }

void write_bytes(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  require(static_cast<bool>(out), "cannot write the scratch file " + path);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  require(static_cast<bool>(in), "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace citsim::fuzz
