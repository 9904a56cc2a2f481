#include "citsim/sweep/shard.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <set>
#include <string_view>

#include "citsim/errors.hpp"

namespace citsim::sweep {
namespace {

namespace fs = std::filesystem;

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

/// "SLURM array task 3 (SLURM_ARRAY_TASK_MIN 3, _MAX 3, _STEP 1, _COUNT 1)": what SLURM said, for
/// messages.
std::string array_text(const std::function<const char*(const char*)>& getenv) {
  const auto var = [&](const char* name) {
    const char* v = getenv(name);
    return v ? std::string(v) : std::string("unset");
  };
  return fmt::format("SLURM array task {} (SLURM_ARRAY_TASK_MIN {}, _MAX {}, _STEP {}, _COUNT {})", var("SLURM_ARRAY_TASK_ID"),
                     var("SLURM_ARRAY_TASK_MIN"), var("SLURM_ARRAY_TASK_MAX"), var("SLURM_ARRAY_TASK_STEP"),
                     var("SLURM_ARRAY_TASK_COUNT"));
}

/// The shard counts of the shard files (finished or in progress) of `output` other than `count`.
std::set<std::int64_t> other_shard_counts(const std::string& output, std::int64_t count) {
  const fs::path p(output);
  const std::string prefix = p.stem().string() + ".shard-";
  const std::string ext = p.has_extension() ? p.extension().string() : ".h5";
  std::set<std::int64_t> found;
  std::error_code ec;
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.ends_with(".partial")) name.resize(name.size() - 8);
    if (!name.starts_with(prefix) || !name.ends_with(ext)) continue;
    const std::string_view middle = std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - ext.size());
    const auto of = middle.find("-of-");
    if (of == std::string_view::npos || !parse_int(middle.substr(0, of))) continue;
    if (const auto m = parse_int(middle.substr(of + 4)); m && *m != count) found.insert(*m);
  }
  return found;
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

std::optional<Shard> shard_from_slurm(const std::string& output,
                                      const std::function<const char*(const char*)>& getenv) {
  const char* id_text = getenv("SLURM_ARRAY_TASK_ID");
  const char* shards_text = getenv("CITSIM_SHARDS");
  if (!id_text) {
    if (shards_text)
      throw ConfigError(fmt::format("CITSIM_SHARDS={}", shards_text), 0, "", "",
                        "is set, but this is not a SLURM array task (no SLURM_ARRAY_TASK_ID): submit with "
                        "sbatch --array=0-N-1, run one shard with --shard i/N, or unset CITSIM_SHARDS");
    return std::nullopt;
  }
  const auto id = parse_int(id_text);
  if (!id || *id < 0)
    throw ConfigError(fmt::format("SLURM_ARRAY_TASK_ID={}", id_text), 0, "", "", "must be a task number >= 0");

  // 1. The count given: a resubmitted task keeps its ID but not its array, so this is the only
  //    count that survives a resubmission.
  if (shards_text) {
    const auto n = parse_int(shards_text);
    if (!n || *n < 1 || *n > kMaxRuns)
      throw ConfigError(fmt::format("CITSIM_SHARDS={}", shards_text), 0, "", "",
                        fmt::format("must be the number of shards, an integer from 1 to {} (2^31)", kMaxRuns));
    if (*id >= *n)
      throw ConfigError(array_text(getenv), 0, "", "",
                        fmt::format("is not a shard of CITSIM_SHARDS={}: task IDs are shard numbers 0..{} "
                                    "(submit with --array=0-{})",
                                    *n, *n - 1, *n - 1));
    return Shard{*id, *n};
  }

  // 2. Else the array's own count, when the array is visibly the whole sweep.
  const char* count_text = getenv("SLURM_ARRAY_TASK_COUNT");
  const char* min_text = getenv("SLURM_ARRAY_TASK_MIN");
  const char* max_text = getenv("SLURM_ARRAY_TASK_MAX");
  const char* step_text = getenv("SLURM_ARRAY_TASK_STEP");
  const auto count = count_text ? parse_int(count_text) : std::nullopt;
  const auto min = min_text ? parse_int(min_text) : std::nullopt;
  const auto max = max_text ? parse_int(max_text) : std::nullopt;
  const auto step = step_text ? parse_int(step_text) : std::optional<std::int64_t>(1);
  const auto set_it = [&](const std::string& n) {
    return fmt::format("set CITSIM_SHARDS={0}, the shard count of the whole sweep (scripts/slurm/submit.sh sets it): "
                       "CITSIM_SHARDS={0} sbatch --array={1} scripts/slurm/sweep_array.sbatch SPEC OUT; or give "
                       "--shard {1}/{0}",
                       n, *id);
  };
  if (!count || !min || !max || !step)
    throw ConfigError(array_text(getenv), 0, "", "",
                      "the array does not say how many shards the sweep has; " + set_it("N"));
  const std::int64_t n = *count, lo = *min, hi = *max, stride = *step;
  if (n > kMaxRuns)
    throw ConfigError(array_text(getenv), 0, "", "",
                      fmt::format("an array of {} tasks is more shards than a sweep can have ({}, 2^31)", n, kMaxRuns));
  if (n < 2)
    throw ConfigError(array_text(getenv), 0, "", "",
                      "a one-task array (a task resubmitted alone?) cannot tell how many shards the sweep has, "
                      "and running the whole sweep here is not what a resubmission wants; " + set_it("N"));
  if (lo != 0 || stride != 1 || hi != n - 1 || *id > hi)
    throw ConfigError(array_text(getenv), 0, "", "",
                      "the array is not 0..N-1 in steps of 1 (a resubmission of some tasks?), so its count is not "
                      "the shard count; " + set_it("N"));
  const std::set<std::int64_t> others = other_shard_counts(output, n);
  if (!others.empty())
    throw ConfigError(array_text(getenv), 0, "", "",
                      fmt::format("this array has {} tasks, but shard files of a {}-shard run of {} are beside it "
                                  "(a resubmission of some of its tasks?); {} (or remove those shard files to start "
                                  "a {}-shard sweep)",
                                  n, *others.begin(), output, set_it(std::to_string(*others.begin())), n));
  return Shard{*id, n};
}

std::string shard_path(const std::string& output, const Shard& shard) {
  if (shard.count == 1) return output;
  const std::filesystem::path p(output);
  const std::string ext = p.has_extension() ? p.extension().string() : ".h5";
  return (p.parent_path() / fmt::format("{}.shard-{}-of-{}{}", p.stem().string(), shard.index, shard.count, ext)).string();
}

}  // namespace citsim::sweep
