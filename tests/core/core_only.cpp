// A program linked to citsim_core alone (no HDF5, TOML, MPI or NLopt): it fills in a RunConfig as
// a struct, runs a short 0D and 1D course and checks the readouts. Test core.runs_alone; the
// libraries the core links are checked by core.link_dependencies (check_core_links.cmake).
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include "citsim/problem.hpp"
#include "citsim/run.hpp"

namespace {

/// Two pen sessions four weeks apart, followed to day 60.
citsim::RunConfig course(citsim::ModelLevel level) {
  citsim::RunConfig cfg;  // fitted defaults, a 40-year-old, sterile 2 mm pen at 250/cm²
  cfg.level = level;
  cfg.protocol.end_days = 60.0;
  citsim::Session first;
  first.needle_length = 1.5;
  citsim::Session second = first;
  second.time = 28.0;
  cfg.protocol.sessions = {first, second};
  cfg.numerics.dz = 0.05;
  cfg.output.dt = 2.0;
  cfg.output.profile_dt = 30.0;
  cfg.output.path.clear();  // nothing is written: run_simulation never touches a file
  return cfg;
}

int check(citsim::ModelLevel level) {
  const citsim::RunResult r = citsim::run_simulation(course(level));
  const std::string name = citsim::to_string(level);
  int failures = 0;
  for (const char* readout : {"R0", "R2", "R7"}) {
    const double last = r.readout(readout).values.back();
    const bool ok = std::isfinite(last) && last > 0.0;
    std::printf("%s %s at day %g: %g %s\n", name.c_str(), readout, r.time.back(), last, ok ? "ok" : "FAILED");
    failures += ok ? 0 : 1;
  }
  const double gain = r.readout("collagen_induction").values.back();
  const bool induced = std::isfinite(gain) && gain > 0.0;
  std::printf("%s collagen induction at day %g: %+.3g %% %s\n", name.c_str(), r.time.back(), gain,
              induced ? "ok" : "FAILED");
  return failures + (induced ? 0 : 1);
}

}  // namespace

int main() {
  try {
    const int failures = check(citsim::ModelLevel::ZeroD) + check(citsim::ModelLevel::OneD);
    return failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
