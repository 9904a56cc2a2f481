// The parameter table: complete, unique, defaults inside their ranges, rest stable.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>
#include <string>

#include "citsim/model/parameters.hpp"
#include "citsim/model/tissue.hpp"

using namespace citsim;

TEST_CASE("parameters: every field is in the table exactly once, with unit and source") {
  const Parameters p = default_parameters();
  std::set<std::string> names;
  std::vector<double Parameters::*> fields;
  for (const ParameterSpec& s : parameter_table()) {
    INFO(s.name);
    CHECK(names.insert(std::string(s.name)).second);
    CHECK(std::find(fields.begin(), fields.end(), s.field) == fields.end());
    fields.push_back(s.field);
    CHECK_FALSE(s.unit.empty());
    CHECK_FALSE(s.source.empty());
    CHECK(s.min <= s.default_value);
    CHECK(s.default_value <= s.max);
    CHECK(p.*s.field == s.default_value);
  }
  // Every double in Parameters is reachable through the table (no hidden numbers).
  CHECK(fields.size() * sizeof(double) == sizeof(Parameters));
}

TEST_CASE("parameters: lookup by exact name and nearest-name suggestions") {
  REQUIRE(find_parameter("lambda_M") != nullptr);
  CHECK(find_parameter("lambda_M")->default_value == 0.5);
  CHECK(find_parameter("k_Bi") != find_parameter("K_Bi"));
  CHECK(find_parameter("no_such") == nullptr);
  CHECK(nearest_parameter_name("sigma_t") == "sigma_T");
  CHECK(nearest_parameter_name("delta_cp") == "delta_Cp");
  CHECK(nearest_parameter_name("k_txx") == "k_tx");
}

TEST_CASE("parameters: resting inflammation is stable with the defaults (docs/model.md §3)") {
  const Parameters p = default_parameters();
  // docs/model.md §3: G = 0.43 at v = 1 and 0.77 at the subpapillary peak.
  CHECK(loop_gain(p, 1.0) == Approx(0.43).margin(0.005));
  CHECK(loop_gain(p, max_vascular_density(p)) == Approx(0.77).margin(0.01));
  CHECK(loop_gain(p, max_vascular_density(p)) < 1.0);
}
