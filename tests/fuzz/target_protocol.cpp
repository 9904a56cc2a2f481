// Fuzz target: the protocol expansion. The bytes are decoded into a config's [protocol] (explicit
// sessions or a series, with one needle or one per session, pens and rollers, presets of the
// drum), written as TOML, read as `citsim run` reads it, and every accepted session is turned
// into its channels and injury jump.
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "citsim/io/config.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"

namespace citsim::fuzz {
namespace {

/// A TOML value for a number: usually plausible, sometimes an edge, an integer or a wrong type.
std::string number_text(ByteReader& r, double typical_lo, double typical_hi) {
  switch (r.byte() % 8) {
    case 0: return fmt::format("{}", r.edgy_double());  // nan, inf, 1e308, ...
    case 1: return fmt::format("{}", static_cast<int>(static_cast<std::int8_t>(r.byte())));
    case 2: return r.flag() ? "\"2.0\"" : "true";
    case 3: return "[1.0]";
    default: {
      const double x = typical_lo + (typical_hi - typical_lo) * r.byte() / 255.0;
      std::string t = fmt::format("{}", x);
      return t.find_first_of(".en") == std::string::npos ? t + ".0" : t;
    }
  }
}

std::string integer_text(ByteReader& r, int typical_hi) {
  switch (r.byte() % 6) {
    case 0: return fmt::format("{}", static_cast<std::int64_t>(r.u64()));
    case 1: return "2.5";
    case 2: return fmt::format("{}", -static_cast<int>(r.byte()));
    default: return fmt::format("{}", r.below(static_cast<std::uint32_t>(typical_hi) + 1));
  }
}

/// The keys of one needle setting (a [[protocol.session]] table or a series needle).
std::string needle_keys(ByteReader& r, bool with_time) {
  std::string t;
  const unsigned present = r.byte() | (static_cast<unsigned>(r.byte()) << 8);
  if (with_time && (present & 1)) t += "time = " + number_text(r, 0.0, 400.0) + "\n";
  if (present & 2) t += fmt::format("device = \"{}\"\n", r.flag() ? "roller" : (r.flag() ? "pen" : "stamp"));
  if (present & 4) t += "needle_length = " + number_text(r, 0.0, 6.0) + "\n";
  if (present & 8) t += "density = " + number_text(r, 0.0, 6000.0) + "\n";
  if (present & 16) t += "passes = " + integer_text(r, 120) + "\n";
  if (present & 32) t += "needle_diameter = " + number_text(r, 0.0, 2.5) + "\n";
  if (present & 64) t += "tip_length = " + number_text(r, 0.0, 3.5) + "\n";
  if (present & 128) t += "sharpness = " + number_text(r, 0.0, 1.2) + "\n";
  if (present & 256) t += fmt::format("sterility = \"{}\"\n", r.flag() ? "sterile" : "non_sterile");
  if (present & 512) t += "time_of_day = 3\n";  // unknown key
  return t;
}

std::string decode_config(ByteReader& r) {
  std::string t;
  if (r.flag()) {
    t += "[patient]\n";
    if (r.flag()) t += "age = " + number_text(r, 0.0, 130.0) + "\n";
    if (r.flag()) t += "anticoagulant = true\n";
    if (r.flag()) t += "keloid_tendency = true\n";
    if (r.flag()) t += "pregnant = true\n";
    if (r.flag()) t += "smoker = true\n";
  }
  if (r.flag()) {  // the roller drum and the needle physics (parameter table rows)
    t += "[model.parameters]\n";
    for (const char* name : {"roller_needles", "roller_diameter", "roller_width", "eta_pen", "eta_roller",
                             "channel_closure", "blunt_widening", "halo"})
      if (r.flag()) t += fmt::format("{} = {}\n", name, number_text(r, 0.0, 300.0));
  }
  if (r.flag()) {
    t += "[tissue]\n";
    for (const char* name : {"epidermis", "z_papillary", "z_reticular", "z_bottom"})
      if (r.flag()) t += fmt::format("{} = {}\n", name, number_text(r, 0.0, 4.0));
  }
  t += "[protocol]\n";
  if (r.flag()) t += "end_days = " + number_text(r, 0.0, 800.0) + "\n";
  if (r.flag()) t += "allow_contraindicated = true\n";
  switch (r.byte() % 4) {
    case 0: {  // explicit sessions
      const unsigned n = r.below(9);
      for (unsigned i = 0; i < n; ++i) t += "[[protocol.session]]\n" + needle_keys(r, true);
      break;
    }
    case 1:
    case 2: {  // a series, with one needle or one per session
      std::string series = "[protocol.series]\n";
      const unsigned present = r.byte();
      if (present & 1) series += "count = " + integer_text(r, 12) + "\n";
      if (present & 2) series += "interval_days = " + number_text(r, 0.0, 60.0) + "\n";
      if (present & 4) series += "first_day = " + number_text(r, 0.0, 100.0) + "\n";
      t += series;
      if (present & 8) {
        t += "[protocol.series.needle]\n" + needle_keys(r, r.flag());
      } else if (present & 16) {
        const unsigned n = r.below(13);
        for (unsigned i = 0; i < n; ++i) t += "[[protocol.series.needles]]\n" + needle_keys(r, r.flag());
      }
      break;
    }
    default:  // no sessions: an untreated course
      break;
  }
  return t;
}

/// What the sessions of an accepted protocol must give: channels inside the skin, fractions in
/// [0, 1], an injury jump that keeps the state finite and non-negative.
void check_injuries(const RunConfig& cfg) {
  const Parameters pp = patient_parameters(cfg.parameters, cfg.patient);
  for (const Session& s : cfg.protocol.sessions) {
    const ChannelInjury inj(s, pp);
    require(std::isfinite(inj.d_eff()) && inj.d_eff() > 0.0, "a session's penetration is not finite and > 0");
    require(inj.d_derm() >= 0.0 && inj.d_derm() <= pp.z_bottom, "a session reaches outside the dermis model");
    require(inj.density() > 0.0 && std::isfinite(inj.density()), "a session's channel density is not finite and > 0");
    if (s.device == Device::Roller && s.passes > 0)
      require(std::abs(roller_density(s.passes, pp) - s.density) <= 1e-9 * s.density,
              "a roller's density disagrees with roller_density(passes)");
    for (int k = 0; k <= 20; ++k) {
      const double z = pp.z_bottom * k / 20.0;
      const double ch = inj.channel_fraction(z), in = inj.injured_fraction(z);
      require(ch >= 0.0 && ch <= 1.0 && in >= 0.0 && in <= 1.0 && ch <= in + 1e-15,
              fmt::format("injured fractions out of [0, 1] or channel > injured at z = {}", z));
    }
    const double mc = inj.mean_channel_fraction(0.0, pp.z_reticular);
    const double mi = inj.mean_injured_fraction(0.0, pp.z_reticular);
    require(mc >= 0.0 && mc <= 1.0 && mi >= 0.0 && mi <= 1.0, "mean injured fractions out of [0, 1]");
    SpeciesVector u = SpeciesVector::Ones();
    apply_injury(u, {inj.channel_fraction(0.0), inj.injured_fraction(0.0)}, max_vascular_density(pp), s, pp,
                 cfg.patient.anticoagulant);
    require(u.allFinite() && (u.array() >= 0.0).all(), "the injury jump left a state not finite or negative");
  }
}

}  // namespace

int protocol(const std::uint8_t* data, std::size_t size) {
  ByteReader r(data, size);
  const std::string text = decode_config(r);
  return typed_errors_only([&] { check_injuries(parse_config(text, "protocol.toml")); });
}

}  // namespace citsim::fuzz
