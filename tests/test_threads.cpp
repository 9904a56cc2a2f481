// The bound on thread counts (include/citsim/threads.hpp): -j, OMP_NUM_THREADS, thread start.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <system_error>
#include <thread>

#include "citsim/errors.hpp"
#include "citsim/threads.hpp"

using namespace citsim;

TEST_CASE("threads: at most 4 per hardware thread, at least 4, never above 1024", "[threads]") {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CHECK(max_threads() == std::min(1024, 4 * hw));
  CHECK(thread_count_allowed(1));
  CHECK(thread_count_allowed(max_threads()));
  CHECK_FALSE(thread_count_allowed(0));
  CHECK_FALSE(thread_count_allowed(-1));
  CHECK_FALSE(thread_count_allowed(max_threads() + 1));
  CHECK_FALSE(thread_count_allowed(100000));
  CHECK(thread_count_rule() == "1.." + std::to_string(max_threads()) + " (4 per hardware thread; this machine has " +
                                   std::to_string(hw) + ")");
}

TEST_CASE("threads: OMP_NUM_THREADS is held to the same bound", "[threads]") {
  std::map<std::string, std::string> env;
  const auto getenv = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  CHECK_NOTHROW(check_omp_num_threads(getenv));  // unset
  for (const std::string& ok : {std::string(), std::string("1"), std::string("2,1"), std::to_string(max_threads())}) {
    env["OMP_NUM_THREADS"] = ok;
    CHECK_NOTHROW(check_omp_num_threads(getenv));
  }
  for (const std::string bad : {"100000", "0", "-1", "abc", "4x", "2,", "2,100000", "99999999999999999999"}) {
    INFO(bad);
    env["OMP_NUM_THREADS"] = bad;
    CHECK_THROWS_WITH(check_omp_num_threads(getenv),
                      Catch::StartsWith("OMP_NUM_THREADS: = " + bad + ": each count must be a whole number in 1..") &&
                          Catch::Contains("per hardware thread"));
  }
}

TEST_CASE("threads: a thread that cannot start is a ConfigError saying what to change", "[threads]") {
  const ConfigError e =
      thread_start_failure(3, 8, std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again)));
  CHECK_THAT(std::string(e.what()), Catch::StartsWith("--threads: could start only 3 of 8 threads (") &&
                                        Catch::Contains("ulimit -u") && Catch::Contains("smaller -j"));
}
