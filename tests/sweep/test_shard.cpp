// Tests for include/citsim/sweep/shard.hpp: --shard text, SLURM array variables, shard files.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/sweep/shard.hpp"

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
  for (const auto& vars : std::vector<std::map<std::string, std::string>>{
           {{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3000000000"}},
           {{"SLURM_ARRAY_TASK_ID", "9223372036854775807"}, {"SLURM_ARRAY_TASK_COUNT", "4"},
            {"SLURM_ARRAY_TASK_MIN", "-9223372036854775808"}},
           {{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "-1"}}})
    CHECK_THROWS_WITH(shard_from_slurm(env(vars)), Catch::Contains("does not name one task of the array"));
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
  CHECK_FALSE(shard_from_slurm(env({})).has_value());
  CHECK_FALSE(shard_from_slurm(env({{"SLURM_ARRAY_TASK_ID", "1"}})).has_value());
  const auto s = shard_from_slurm(env({{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}, {"SLURM_ARRAY_TASK_MIN", "0"}}));
  REQUIRE(s.has_value());
  CHECK(s->index == 3);
  CHECK(s->count == 4);
  // --array=1-8:2 gives IDs 1, 3, 5, 7
  const auto t = shard_from_slurm(env({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_COUNT", "4"},
                                       {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_STEP", "2"}}));
  REQUIRE(t.has_value());
  CHECK(t->index == 2);
  CHECK_THROWS_AS(shard_from_slurm(env({{"SLURM_ARRAY_TASK_ID", "9"}, {"SLURM_ARRAY_TASK_COUNT", "4"}})), ConfigError);
}

TEST_CASE("each shard writes its own file", "[sweep][shard]") {
  CHECK(shard_path("results/x.h5", Shard{0, 1}) == "results/x.h5");
  CHECK(shard_path("results/x.h5", Shard{2, 4}) == "results/x.shard-2-of-4.h5");
  CHECK(shard_path("x", Shard{0, 2}) == "x.shard-0-of-2.h5");
}
