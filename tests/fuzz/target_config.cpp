// Fuzz target: a run config and its --set overrides, as `citsim run` and `citsim check` read it.
#include <cmath>
#include <string>
#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/model/tissue.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"

namespace citsim::fuzz {
namespace {

/// What a config the reader accepted must satisfy (the runs rely on it).
void check_accepted(const RunConfig& cfg) {
  const Protocol& pr = cfg.protocol;
  for (std::size_t i = 0; i < pr.sessions.size(); ++i) {
    const Session& s = pr.sessions[i];
    require(std::isfinite(s.time) && s.time >= 0.0, "accepted a session time that is not a finite day >= 0");
    require(i == 0 || s.time > pr.sessions[i - 1].time, "accepted sessions that are not strictly increasing in time");
    require(s.needle_length > 0.0 && s.needle_length <= 5.0, "accepted a needle length outside (0, 5] mm");
    require(s.density > 0.0 && s.density <= 5000.0, "accepted a density outside (0, 5000] channels/cm^2");
    require(s.needle_diameter > 0.0 && s.needle_diameter <= 2.0, "accepted a needle diameter outside (0, 2] mm");
    require(s.tip_length > 0.0 && s.tip_length <= 3.0, "accepted a tip length outside (0, 3] mm");
    require(s.sharpness > 0.0 && s.sharpness <= 1.0, "accepted a sharpness outside (0, 1]");
    require(s.device == Device::Roller || s.passes == 0, "accepted passes for a pen");
  }
  require(std::isfinite(pr.end_days) && pr.end_days > 0.0, "accepted an end day that is not finite and > 0");
  require(pr.sessions.empty() || pr.end_days > pr.sessions.back().time, "accepted an end before the last session");
  const NumericsConfig& n = cfg.numerics;
  require(n.dz > 0.0 && n.dx > 0.0 && n.rtol > 0.0 && n.atol > 0.0 && n.dt_min > 0.0 && n.dt_min <= n.dt_max,
          "accepted numerics that are not positive or dt_min > dt_max");
  const OutputConfig& o = cfg.output;
  require(!o.path.empty() && o.dt > 0.0 && o.dense_dt > 0.0 && o.dense_days >= 0.0 && o.profile_dt > 0.0,
          "accepted output steps that are not positive");
  require(cfg.patient.age >= 0.0 && cfg.patient.age <= 120.0, "accepted an age outside [0, 120]");
  const Parameters& p = cfg.parameters;
  require(p.z_papillary > 0.0 && p.z_papillary < p.z_reticular && p.z_reticular < p.z_bottom &&
              p.epidermis < p.z_bottom,
          "accepted layers out of order");
  // What `citsim check` prints next: the resting loop gain must be finite and stable.
  const double g = loop_gain(p, max_vascular_density(p));
  require(std::isfinite(g) && g < 1.0, "accepted parameters whose resting loop gain is not < 1");
}

}  // namespace

int config(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string text = input;
  std::vector<std::string> overrides;
  // The overrides follow a line "#--set" (a TOML comment, so seeds stay valid configs).
  const std::string padded = "\n" + input;
  const auto at = padded.find("\n#--set\n");
  if (at != std::string::npos) {
    const std::size_t from = at + 7;  // in `input`: just after the marker line
    text = input.substr(0, at == 0 ? 0 : at - 1);
    std::size_t start = from;
    while (start < input.size()) {
      const auto nl = input.find('\n', start);
      const std::string line = input.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty()) overrides.push_back(line);
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
  return typed_errors_only([&] { check_accepted(parse_config(text, "fuzz.toml", overrides)); });
}

}  // namespace citsim::fuzz
