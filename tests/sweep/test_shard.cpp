// Tests for include/citsim/sweep/shard.hpp: --shard text, SLURM array variables, shard files.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/sweep/shard.hpp"
#include "fixtures.hpp"

using namespace citsim;
using namespace citsim::sweep;

namespace {

std::function<const char*(const char*)> env(std::map<std::string, std::string> vars) {
  auto held = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [held](const char* name) -> const char* {
    const auto it = held->find(name);
    return it == held->end() ? nullptr : it->second.c_str();
  };
}

}  // namespace

TEST_CASE("shard i/N as given to --shard", "[sweep][shard]") {
  const Shard s = parse_shard("2/4");
  CHECK(s.index == 2);
  CHECK(s.count == 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/b", "1/4x", "0/3000000000", "0/2147483649",
                          "0/99999999999999999999"})
    CHECK_THROWS_WITH(parse_shard(bad), Catch::Contains("--shard") && Catch::Contains("must be i/N with 0 <= i < N <= 2147483648"));
  // As many shards as a sweep may have runs (a file records no more: 0/3000000000 was accepted,
  // then its own work file was refused as damaged and left behind).
  CHECK(parse_shard("2147483647/2147483648").count == 2147483648);
}

TEST_CASE("SLURM variables out of every range are refused, not wrapped", "[sweep][shard]") {
  const std::string out = "no-such-dir/x.h5";
  CHECK_THROWS_WITH(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3000000000"},
                                               {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "2999999999"},
                                               {"SLURM_ARRAY_TASK_STEP", "1"}})),
                    Catch::Contains("more shards than a sweep can have") && Catch::Contains("2^31"));
  CHECK_THROWS_WITH(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "0"}, {"CITSIM_SHARDS", "3000000000"}})),
                    Catch::Contains("CITSIM_SHARDS=3000000000") && Catch::Contains("2^31"));
  for (const auto& vars : std::vector<std::map<std::string, std::string>>{
           {{"SLURM_ARRAY_TASK_ID", "9223372036854775807"}, {"SLURM_ARRAY_TASK_COUNT", "4"},
            {"SLURM_ARRAY_TASK_MIN", "-9223372036854775808"}, {"SLURM_ARRAY_TASK_MAX", "3"}},
           {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "-1"},
            {"SLURM_ARRAY_TASK_MAX", "2"}},
           {{"SLURM_ARRAY_TASK_ID", "99999999999999999999"}, {"SLURM_ARRAY_TASK_COUNT", "4"}}})
    CHECK_THROWS_AS(shard_from_slurm(out, env(vars)), ConfigError);
}

TEST_CASE("shards split the runs round-robin, every run once", "[sweep][shard]") {
  for (std::int64_t total : {0, 1, 7, 9, 100})
    for (std::int64_t n : {1, 2, 3, 4}) {
      std::int64_t sum = 0;
      for (std::int64_t i = 0; i < n; ++i) sum += shard_rows(total, Shard{i, n});
      CHECK(sum == total);
    }
  CHECK(shard_rows(9, Shard{0, 2}) == 5);
  CHECK(shard_rows(9, Shard{1, 2}) == 4);
  CHECK(shard_rows(2, Shard{3, 4}) == 0);
}

TEST_CASE("a SLURM array task is a shard", "[sweep][shard]") {
  const std::string out = "no-such-dir/x.h5";
  CHECK_FALSE(shard_from_slurm(out, env({})).has_value());
  // The whole array, as submit.sh submits it (--array=0-3): the array's count is the shard count.
  const std::map<std::string, std::string> whole = {{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"},
                                                    {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "3"},
                                                    {"SLURM_ARRAY_TASK_STEP", "1"}};
  const auto s = shard_from_slurm(out, env(whole));
  REQUIRE(s.has_value());
  CHECK(s->index == 3);
  CHECK(s->count == 4);
  // CITSIM_SHARDS, as submit.sh passes it, agrees with the whole array.
  auto with_count = whole;
  with_count["CITSIM_SHARDS"] = "4";
  CHECK(shard_from_slurm(out, env(with_count))->count == 4);
  // An ID beyond the array, or beyond CITSIM_SHARDS, is refused.
  auto beyond = whole;
  beyond["SLURM_ARRAY_TASK_ID"] = "9";
  CHECK_THROWS_AS(shard_from_slurm(out, env(beyond)), ConfigError);
  beyond["CITSIM_SHARDS"] = "4";
  CHECK_THROWS_WITH(shard_from_slurm(out, env(beyond)), Catch::Contains("task IDs are shard numbers 0..3"));
  // CITSIM_SHARDS outside an array, or not a count, is refused rather than ignored.
  CHECK_THROWS_WITH(shard_from_slurm(out, env({{"CITSIM_SHARDS", "4"}})), Catch::Contains("not a SLURM array task"));
  with_count["CITSIM_SHARDS"] = "four";
  CHECK_THROWS_WITH(shard_from_slurm(out, env(with_count)), Catch::Contains("CITSIM_SHARDS=four"));
}

TEST_CASE("a SLURM array task resubmitted alone is its shard, or refused: never the whole sweep", "[sweep][shard]") {
  const std::string out = "no-such-dir/x.h5";
  // sbatch --array=1 of a 16-shard sweep: SLURM describes a one-task array.
  std::map<std::string, std::string> alone = {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "1"},
                                              {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_MAX", "1"},
                                              {"SLURM_ARRAY_TASK_STEP", "1"}};
  CHECK_THROWS_WITH(shard_from_slurm(out, env(alone)),
                    Catch::Contains("one-task array") && Catch::Contains("CITSIM_SHARDS=N sbatch --array=1"));
  alone["CITSIM_SHARDS"] = "16";
  const auto s = shard_from_slurm(out, env(alone));
  REQUIRE(s.has_value());
  CHECK(s->index == 1);
  CHECK(s->count == 16);
  // Task 0 alone looks like an array starting at 0, but one task says nothing of the count.
  CHECK_THROWS_AS(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "1"},
                                             {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "0"}})),
                  ConfigError);
  // Several tasks resubmitted (--array=3-5, or --array=3,7) are not an array from 0 in steps of 1.
  CHECK_THROWS_WITH(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "4"}, {"SLURM_ARRAY_TASK_COUNT", "3"},
                                               {"SLURM_ARRAY_TASK_MIN", "3"}, {"SLURM_ARRAY_TASK_MAX", "5"}})),
                    Catch::Contains("not 0..N-1"));
  CHECK_THROWS_AS(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "2"},
                                             {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "7"}})),
                  ConfigError);
  // --array=0-14:2 steps over shard numbers.
  CHECK_THROWS_AS(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "8"},
                                             {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "14"},
                                             {"SLURM_ARRAY_TASK_STEP", "2"}})),
                  ConfigError);
  // An array that does not describe itself (no COUNT or MAX) is not trusted either.
  CHECK_THROWS_WITH(shard_from_slurm(out, env({{"SLURM_ARRAY_TASK_ID", "1"}})), Catch::Contains("CITSIM_SHARDS"));
}

TEST_CASE("a resubmission of some tasks that looks whole is refused beside another count's shards",
          "[sweep][shard]") {
  // --array=0-2 resubmitted from a 16-shard sweep: IDs 0..2, count 3, looks whole; the shard
  // files of the original array (finished or in progress) give it away.
  const testing::SweepDir sweep_dir("shard_siblings");
  const std::filesystem::path& dir = sweep_dir.path;
  const std::string out = sweep_dir.file("x.h5");
  const std::map<std::string, std::string> three = {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "3"},
                                                    {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_MAX", "2"}};
  CHECK(shard_from_slurm(out, env(three))->count == 3);  // nothing beside it: a 3-shard sweep
  std::ofstream(dir / "x.shard-3-of-3.h5.partial") << "";  // its own count is no objection
  std::ofstream(dir / "y.shard-7-of-16.h5") << "";          // another output's shards neither
  CHECK(shard_from_slurm(out, env(three))->count == 3);
  std::ofstream(dir / "x.shard-7-of-16.h5.partial") << "";
  CHECK_THROWS_WITH(shard_from_slurm(out, env(three)),
                    Catch::Contains("16-shard run") && Catch::Contains("CITSIM_SHARDS=16 sbatch --array=1"));
  auto given = three;
  given["CITSIM_SHARDS"] = "16";
  CHECK(shard_from_slurm(out, env(given))->count == 16);
}

TEST_CASE("each shard writes its own file", "[sweep][shard]") {
  CHECK(shard_path("results/x.h5", Shard{0, 1}) == "results/x.h5");
  CHECK(shard_path("results/x.h5", Shard{2, 4}) == "results/x.shard-2-of-4.h5");
  CHECK(shard_path("x", Shard{0, 2}) == "x.shard-0-of-2.h5");
}
