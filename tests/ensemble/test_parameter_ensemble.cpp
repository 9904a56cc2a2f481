// Parameter ensembles (ensemble/parameter_ensemble.hpp): what a valid one is, and a member's values.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "citsim/ensemble/parameter_ensemble.hpp"
#include "citsim/model/fitted_parameters.hpp"

using namespace citsim;

namespace {
ParameterEnsemble two_members() {
  ParameterEnsemble e;
  e.parameters = {"mu_M", "k_12"};
  e.members = {{0.2, 0.1}, {0.3, 0.2}};
  e.weights = {1.0, 3.0};
  return e;
}
}  // namespace

TEST_CASE("parameter ensemble: a member sets its values and keeps the rest") {
  const Parameters base = fitted_defaults();
  const ParameterEnsemble e = two_members();
  check_ensemble(e);
  const Parameters p = member_parameters(base, e, 1);
  CHECK(p.mu_M == 0.3);
  CHECK(p.k_12 == 0.2);
  CHECK(p.k_tx == base.k_tx);
  const Parameters kept = member_parameters(base, e, 1, {"k_12"});
  CHECK(kept.mu_M == 0.3);
  CHECK(kept.k_12 == base.k_12);
}

TEST_CASE("parameter ensemble: bad ensembles are refused by name") {
  auto refused = [](ParameterEnsemble e, const char* why) {
    INFO(why);
    CHECK_THROWS_WITH(check_ensemble(e), Catch::Contains(why));
  };
  ParameterEnsemble e = two_members();
  e.parameters[1] = "k_13";
  refused(e, "unknown parameter 'k_13'");
  e = two_members();
  e.parameters[1] = "mu_M";
  refused(e, "listed twice");
  e = two_members();
  e.members[1] = {0.3};
  refused(e, "member 2 has 1 values for 2 parameters");
  e = two_members();
  e.members[0][0] = 50.0;
  refused(e, "member 1: mu_M = 50 is outside");
  e = two_members();
  e.weights[1] = 0.0;
  refused(e, "member 2: weight 0");
  e = two_members();
  e.weights.pop_back();
  refused(e, "1 weights for 2 members");
  refused(ParameterEnsemble{}, "no member");
}
