// The problem as plain data (citsim/problem.hpp): a RunConfig filled in as a struct is a whole
// problem, the same one a TOML config describes.
#include <catch2/catch.hpp>

#include "citsim/io/config.hpp"
#include "citsim/problem.hpp"
#include "citsim/run.hpp"

using namespace citsim;

TEST_CASE("problem: level names as configs write them") {
  CHECK(to_string(ModelLevel::ZeroD) == "0d");
  CHECK(to_string(ModelLevel::OneD) == "1d");
  CHECK(to_string(ModelLevel::TwoD) == "2d");
  CHECK(to_string(ModelLevel::ThreeD) == "3d");
}

TEST_CASE("problem: a RunConfig filled in as a struct runs as the same config read from TOML") {
  RunConfig built;
  built.level = ModelLevel::ZeroD;
  built.protocol.end_days = 20.0;
  Session s;
  s.needle_length = 1.0;
  s.density = 200.0;
  built.protocol.sessions = {s};
  const RunConfig parsed = parse_config(R"(
[protocol]
end_days = 20
[[protocol.session]]
time = 0
needle_length = 1.0
density = 200
[model]
level = "0d"
)",
                                        "struct.toml");
  const RunResult a = run_simulation(built);
  const RunResult b = run_simulation(parsed);
  REQUIRE(a.time == b.time);
  for (const char* name : {"R0", "R7", "collagen_induction", "erythema"}) {
    INFO(name);
    CHECK(a.readout(name).values == b.readout(name).values);
  }
  CHECK(a.readout("R0").values.back() > 0.0);
}
