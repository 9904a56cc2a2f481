#include "numeric_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "citsim/threads.hpp"

namespace citsim::cli {
namespace {

template <class T>
std::optional<T> read_whole(const std::string& s) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

CLI::Validator thread_count() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        const auto n = read_whole<std::int64_t>(s);
        if (n && (*n == 0 || thread_count_allowed(*n))) return {};
        return fmt::format("{} is not allowed: give {}, or 0 to choose automatically", s, thread_count_rule());
      },
      "THREADS");
}

CLI::Validator whole_number(std::int64_t lo, std::int64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        const auto n = read_whole<std::int64_t>(s);
        if (n && *n >= lo && *n <= hi) return {};
        return fmt::format("{} is not allowed: give a whole number in {}..{}", s, lo, hi);
      },
      fmt::format("INT in {}..{}", lo, hi));
}

CLI::Validator day() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        const auto x = read_whole<double>(s);
        if (x && std::isfinite(*x) && *x >= 0.0) return {};
        return fmt::format("{} is not allowed: give a day >= 0", s);
      },
      "DAY >= 0");
}

}  // namespace citsim::cli
