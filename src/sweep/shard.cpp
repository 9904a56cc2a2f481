#include "citsim/sweep/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>

#include "citsim/errors.hpp"

namespace citsim::sweep {
namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto i = slash == std::string::npos ? std::nullopt : parse_int(std::string_view(text).substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : parse_int(std::string_view(text).substr(slash + 1));
  if (!i || !n || *n < 1 || *n > kMaxRuns || *i < 0 || *i >= *n)
    throw ConfigError("--shard", 0, "", text,
                      fmt::format("must be i/N with 0 <= i < N <= {} (2^31), e.g. --shard 0/4 (shards count from 0)",
                                  kMaxRuns));
  return {*i, *n};
}

std::optional<Shard> shard_from_slurm(const std::function<const char*(const char*)>& getenv) {
  const char* id = getenv("SLURM_ARRAY_TASK_ID");
  const char* count = getenv("SLURM_ARRAY_TASK_COUNT");
  if (!id || !count) return std::nullopt;
  const char* min = getenv("SLURM_ARRAY_TASK_MIN");
  const char* step = getenv("SLURM_ARRAY_TASK_STEP");
  const auto i = parse_int(id), n = parse_int(count);
  const auto lo = min ? parse_int(min) : std::optional<std::int64_t>(0);
  const auto st = step ? parse_int(step) : std::optional<std::int64_t>(1);
  // Task IDs are never negative; checked before i - min is formed (it must not overflow).
  if (!i || !n || !lo || !st || *st < 1 || *n < 1 || *n > kMaxRuns || *lo < 0 || *i < *lo ||
      (*i - *lo) % *st != 0 || (*i - *lo) / *st >= *n)
    throw ConfigError("SLURM_ARRAY_TASK_ID", 0, "", fmt::format("{} (min {}, step {}, count {})", id, min ? min : "unset",
                                                              step ? step : "unset", count),
                      "does not name one task of the array; submit with --array=0-N (or use --shard i/N)");
  return Shard{(*i - *lo) / *st, *n};
}

std::string shard_path(const std::string& output, const Shard& shard) {
  if (shard.count == 1) return output;
  const std::filesystem::path p(output);
  const std::string ext = p.has_extension() ? p.extension().string() : ".h5";
  return (p.parent_path() / fmt::format("{}.shard-{}-of-{}{}", p.stem().string(), shard.index, shard.count, ext)).string();
}

}  // namespace citsim::sweep
