// Uses the installed citsim::io: the same course read from TOML text.
#include <cmath>
#include <cstdio>

#include <citsim/io/config.hpp>
#include <citsim/run.hpp>

int main() {
  const citsim::RunConfig cfg = citsim::parse_config(R"(
[protocol]
end_days = 30
[[protocol.session]]
time = 0
needle_length = 1.5
[model]
level = "0d"
)",
                                                     "consumer.toml");
  const double r0 = citsim::run_simulation(cfg).readout("R0").values.back();
  std::printf("from TOML: R0 at day 30 = %g mm\n", r0);
  return std::isfinite(r0) && r0 > 0.0 ? 0 : 1;
}
