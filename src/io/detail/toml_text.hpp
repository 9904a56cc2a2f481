// What every reader of a TOML file (run configs, sweep specs, parameter tables) needs to turn the
// text into a table and a bad value into a message: where it is, how it was written, and the
// nearest allowed name. Private to the library.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

#include "citsim/errors.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/model/parameters.hpp"
#include "toml_structure.hpp"

namespace citsim::toml_text {

/// The whole text of a TOML file (config, sweep spec, parameter table, targets), at most 16 MiB;
/// errors are ConfigErrors blamed on `blame_file`:`blame_line`, key `blame_key` (the file itself,
/// or the key that named it). Only a regular file is read: a device would be read until it ends
/// (/dev/zero) and a named pipe without a writer would block the open for ever, deaf to SIGTERM
/// (the handler restarts it). Opened without blocking and checked by fstat(2) before any read.
inline std::string read_file(const std::string& path, const std::string& blame_file, int blame_line,
                      const std::string& blame_key) {
  // The value in a message: the path as the key gave it; nothing when the file itself is blamed.
  const std::string named = blame_key.empty() ? "" : "\"" + path + "\"";
  const auto refuse = [&](const std::string& why) { throw ConfigError(blame_file, blame_line, blame_key, named, why); };
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) refuse(fmt::format("cannot read the file: {}", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) refuse(fmt::format("cannot read the file: {}", std::strerror(errno)));
  if (S_ISDIR(st.st_mode)) refuse("cannot read the file: it is a directory");
  if (!S_ISREG(st.st_mode))
    refuse(fmt::format("cannot read the file: it is {}, not a regular file (give a file on disk)",
                       kind_of_file(st.st_mode)));
  constexpr std::size_t kMaxBytes = std::size_t{16} << 20;
  std::string text;
  std::array<char, 65536> buffer{};
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse(fmt::format("cannot read the file: {}", std::strerror(errno)));
    if (n == 0) break;
    text.append(buffer.data(), static_cast<std::size_t>(n));
    if (text.size() > kMaxBytes) refuse("the file is larger than 16 MiB: not a config, sweep spec, parameter table or targets file");
  }
  return text;
}

/// The document, or a ConfigError naming the file and the line of the syntax error or of a
/// nesting deeper than the parser can take (toml_structure.hpp). Every TOML file citsim reads
/// comes through here.
inline toml::table parse(const std::string& text, const std::string& path) {
  check_nesting(text, path);
  try {
    return toml::parse(std::string_view(text), std::string_view(path));
  } catch (const toml::parse_error& e) {
    throw ConfigError(path, static_cast<int>(e.source().begin.line), "", "",
                      fmt::format("TOML syntax error: {}", e.description()));
  }
}

/// The line a node was written on; 0 for nodes made by the program (overrides, defaults).
inline int line_of(const toml::node* n) { return n ? static_cast<int>(n->source().begin.line) : 0; }

/// `"s"` with quotes and backslashes escaped.
inline std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// The value as the user wrote it, in TOML-ish text; empty for tables (the key says enough).
/// A TOML float as the shortest text that reads back the same double, kept a float: 0.6 not
/// 0.59999999999999998, 2.0 not 2.
inline std::string float_text(double x) {
  std::string t = fmt::format("{}", x);
  if (t.find_first_of(".en") == std::string::npos) t += ".0";
  return t;
}

inline std::string render(const toml::node& n) {
  if (const auto* s = n.as_string()) return quote(s->get());
  if (n.is_table() || n.is_array_of_tables()) return {};
  if (const auto* f = n.as_floating_point()) return float_text(f->get());
  std::ostringstream os;
  n.visit([&os](const auto& v) { os << v; });
  return os.str();
}

/// "a, b, c".
inline std::string plain_list(std::span<const std::string_view> names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : ", ") + std::string(names[i]);
  return out;
}

/// The candidate closest to `key` by edit distance (for "did you mean ...?").
inline std::string_view nearest(std::string_view key, std::span<const std::string_view> candidates) {
  std::string_view best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (auto c : candidates)
    if (const std::size_t d = edit_distance(key, c); d < best_d) {
      best_d = d;
      best = c;
    }
  return best;
}

}  // namespace citsim::toml_text
