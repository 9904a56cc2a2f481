// Uses the installed citsim::core: one pen session at 1.5 mm, a 0D course of 30 days, a patient
// set by config key through the problem schema.
#include <cmath>
#include <cstdio>

#include <citsim/problem.hpp>
#include <citsim/problem_schema.hpp>
#include <citsim/run.hpp>
#include <citsim/version.hpp>

int main() {
  citsim::RunConfig cfg;  // the fitted parameters, a 40-year-old, no session yet
  cfg.level = citsim::ModelLevel::ZeroD;
  cfg.protocol.end_days = 30.0;
  citsim::Session session;
  session.needle_length = 1.5;
  cfg.protocol.sessions = {session};
  citsim::set(cfg, "patient.age", 55.0);  // by its config key, checked against its range
  if (!citsim::validate(cfg).empty()) return 1;

  const citsim::RunResult result = citsim::run_simulation(cfg);
  const double r0 = result.readout("R0").values.back();
  const double induction = result.readout("collagen_induction").values.back();
  std::printf("citsim %s: R0 at day %g = %g mm, collagen induction %+.3g %%\n", citsim::kVersion,
              result.time.back(), r0, induction);
  return std::isfinite(r0) && r0 > 0.0 && std::isfinite(induction) && induction > 0.0 ? 0 : 1;
}
