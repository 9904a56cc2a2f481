// The built-in fitted table: generated at build time, it equals configs/parameters.toml read by
// parse_parameter_file, both as the embedded text and as the file in the tree; what runs start
// from and what `citsim params` lists follow from it.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "citsim/io/parameter_file.hpp"
#include "citsim/model/fitted_parameters.hpp"
#include "citsim/problem.hpp"

using namespace citsim;

namespace {

void require_same(const std::vector<FittedValue>& a, const std::vector<FittedValue>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].name);
    CHECK(a[i].name == b[i].name);
    CHECK(a[i].value == b[i].value);  // exactly: the generated C++ keeps every bit
    CHECK(a[i].unit == b[i].unit);
    CHECK(a[i].source == b[i].source);
  }
}

}  // namespace

TEST_CASE("fitted parameters: the generated table equals its text and configs/parameters.toml") {
  const std::vector<FittedValue> built_in = embedded_parameter_file();
  REQUIRE_FALSE(built_in.empty());
  require_same(built_in, parse_parameter_file(std::string(embedded_parameter_text()), kEmbeddedParameterFileName));

  std::ifstream in(CITSIM_SOURCE_DIR "/configs/parameters.toml", std::ios::binary);
  std::ostringstream file;
  file << in.rdbuf();
  CHECK(file.str() == embedded_parameter_text());  // the build is not behind the tree
}

TEST_CASE("fitted parameters: runs start from the defaults with the fitted values applied") {
  const Parameters p = fitted_defaults();
  const Parameters spec = default_parameters();
  const std::vector<FittedValue> fitted = embedded_parameter_file();
  for (const ParameterSpec& s : parameter_table()) {
    INFO(s.name);
    const FittedValue* f = nullptr;
    for (const FittedValue& v : fitted)
      if (v.name == s.name) f = &v;
    CHECK(p.*s.field == (f ? f->value : spec.*s.field));
  }
  CHECK(RunConfig{}.parameters.k_D == p.k_D);
  CHECK(RunConfig{}.parameter_table == embedded_parameter_text());
}

TEST_CASE("fitted parameters: parameter_defaults lists every parameter once, fitted ones with their source") {
  const std::vector<ParameterDefault> rows = parameter_defaults();
  const auto table = parameter_table();
  REQUIRE(rows.size() == table.size());
  const Parameters p = fitted_defaults();
  std::size_t fitted = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ParameterDefault& d = rows[i];
    INFO(table[i].name);
    CHECK(d.spec == &table[i]);
    CHECK(d.value == p.*table[i].field);
    if (d.fitted) {
      ++fitted;
    } else {
      CHECK(d.value == table[i].default_value);
      CHECK(d.source == table[i].source);
    }
  }
  CHECK(fitted == embedded_parameter_file().size());
}
