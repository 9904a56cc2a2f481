// Typed errors, caught once at the CLI and mapped to exit codes (2 bad input, 3 numerical,
// 128 + signal number when interrupted).
#pragma once

#include <stdexcept>
#include <string>

namespace citsim {

/// Bad input: a config value, an unknown key, a contraindication. Exit code 2.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, int line, std::string key, std::string value, std::string allowed)
      : std::runtime_error(format(file, line, key, value, allowed)),
        file_(std::move(file)), line_(line), key_(std::move(key)) {}
  const std::string& file() const { return file_; }
  int line() const { return line_; }
  const std::string& key() const { return key_; }

  static std::string format(const std::string& file, int line, const std::string& key,
                            const std::string& value, const std::string& allowed) {
    // appended piece by piece: GCC 12 warns falsely (-Wrestrict) on chained operator+
    std::string out = file;
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(":");
    if (!key.empty()) out.append(" key '").append(key).append("'");
    if (!value.empty()) out.append(" = ").append(value);
    out.append(key.empty() && value.empty() ? " " : ": ").append(allowed);
    return out;
  }

 private:
  std::string file_;
  int line_;
  std::string key_;
};

/// Files that cannot be read or written. Exit code 2.
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The integration failed: NaN, Inf, negative beyond round-off, or a step-size collapse. Exit 3.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The caller asked the work to stop (the CLI: SIGINT or SIGTERM). Thrown where a long loop polls
/// its cancellation flag; unwinding removes temporary files, finished results already on disk are
/// kept. The CLI exits 130 (SIGINT) or 143 (SIGTERM).
class Interrupted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace citsim
