// Ensemble files (io/ensemble_file.hpp): written and read back to the bit, bad files refused with
// file, line, key and what is allowed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "citsim/errors.hpp"
#include "citsim/io/ensemble_file.hpp"

using namespace citsim;

TEST_CASE("ensemble file: written and read back to the bit") {
  ParameterEnsemble e;
  e.method = "abc-smc";
  e.source = "a test, \"quoted\"";
  e.parameters = {"mu_M", "k_12", "sigma_T"};
  e.members = {{0.1 + 0.2, 0.15, 12.0}, {0.2, 1.0 / 3.0, 15.3603}};
  e.weights = {0.7, 1e-3};
  const auto path = std::filesystem::temp_directory_path() / "citsim_test_ensemble.toml";
  write_ensemble_file(path.string(), e, "a header\nof two lines");
  const ParameterEnsemble back = read_ensemble_file(path.string());
  CHECK(back.method == e.method);
  CHECK(back.source == e.source);
  CHECK(back.parameters == e.parameters);
  CHECK(back.members == e.members);
  CHECK(back.weights == e.weights);
  std::ifstream in(path);
  std::string first;
  std::getline(in, first);
  CHECK(first == "# a header");
  std::filesystem::remove(path);
}

TEST_CASE("ensemble file: bad files name the file, the line, the key and what is allowed") {
  auto refused = [](const std::string& text, const char* why) {
    INFO(text);
    CHECK_THROWS_AS(parse_ensemble(text, "e.toml"), ConfigError);
    CHECK_THROWS_WITH(parse_ensemble(text, "e.toml"), Catch::Contains(why) && Catch::StartsWith("e.toml:"));
  };
  const std::string head = "parameters = [\"mu_M\", \"k_12\"]\n";
  refused(head + "[[member]]\nweight = 1.0\nvalues = [0.2, 0.1]\n[[member]]\nweight = 1.0\nvalues = [0.2, 99.0]\n",
          "key 'member[2].values[1] (k_12)' = 99.0: must be a number in");
  refused(head + "[[member]]\nweight = -1.0\nvalues = [0.2, 0.1]\n", "member[1].weight' = -1.0: must be a positive number");
  refused(head + "[[member]]\nweight = 1.0\nvalues = [0.2]\n", "must be a list of 2 numbers");
  refused(head, "needs at least one [[member]] table");
  refused("parameters = [\"mu_m\"]\n[[member]]\nweight = 1.0\nvalues = [0.2]\n", "did you mean 'mu_M'");
  refused(head + "colour = 1\n[[member]]\nweight = 1.0\nvalues = [0.2, 0.1]\n", "key 'colour'");
  refused(head + "[[member]]\nweight = 1.0\nvalues = [0.2, 0.1]\nvalue = 3\n", "member[1].value");
  refused("parameters = [\"mu_M\", \"mu_M\"]\n[[member]]\nweight = 1.0\nvalues = [0.2, 0.2]\n", "listed twice");
  refused(head + "[[member]]\nweight = 1.0\nvalues = [0.2, 0.1]\n[[member]\n", "");
}
