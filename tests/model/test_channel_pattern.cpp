// Explicit channels (channel_pattern.hpp): seeded and reproducible, new positions every session,
// covered fractions in [0, 1] whose lateral mean matches the 1D φ(z) and φ_ch(z) (docs/model.md §2).
#include <catch2/catch.hpp>

#include <cmath>

#include "citsim/io/parameter_file.hpp"
#include "citsim/model/channel_pattern.hpp"

using namespace citsim;

namespace {

Session pen() {
  Session s;
  s.needle_length = 1.5;
  return s;
}

/// Lateral mean of a cell field at depth cell iz.
InjuryFractions lateral_mean(const std::vector<InjuryFractions>& f, const FieldGrid& g, std::size_t iz) {
  InjuryFractions m{0.0, 0.0};
  for (std::size_t c = 0; c < g.columns(); ++c) {
    m.channel += f[c * g.nz() + iz].channel;
    m.injured += f[c * g.nz() + iz].injured;
  }
  m.channel /= static_cast<double>(g.columns());
  m.injured /= static_cast<double>(g.columns());
  return m;
}

}  // namespace

TEST_CASE("channel pattern: same seed and session, same channels; new ones otherwise", "[channels]") {
  const Parameters p = fitted_defaults();
  const ChannelInjury inj(pen(), p);
  const FieldGrid g2 = make_field_grid(40.0, 0.0, 0.05, 2.9, 0.1);
  const ChannelPattern a = draw_channels(inj, g2, 7, 0), b = draw_channels(inj, g2, 7, 0);
  CHECK(a.x == b.x);
  CHECK(a.y.empty());
  CHECK(draw_channels(inj, g2, 7, 1).x != a.x);
  CHECK(draw_channels(inj, g2, 8, 0).x != a.x);
  for (double x : a.x) CHECK((x >= 0.0 && x < g2.width_x()));
  // Line density λ = ρ π r_inj(0) / 200 per mm: about 20 slits over 40 mm.
  const double lambda = inj.density() * M_PI * inj.injured_radius(0.0) / 200.0;
  CHECK(std::abs(static_cast<double>(a.size()) - lambda * 40.0) < 5.0 * std::sqrt(lambda * 40.0));
  const FieldGrid g3 = make_field_grid(10.0, 10.0, 0.1, 2.9, 0.5);
  const ChannelPattern c = draw_channels(inj, g3, 7, 0);
  CHECK(c.y.size() == c.x.size());
  CHECK(std::abs(static_cast<double>(c.size()) - 250.0) < 5.0 * std::sqrt(250.0));
}

TEST_CASE("channel pattern: no channels, no injury; no needle below the epidermis, no channels", "[channels]") {
  const Parameters p = fitted_defaults();
  Session shallow = pen();
  shallow.needle_length = 0.1;  // η·L = 0.07 mm < epidermis
  const ChannelInjury inj(shallow, p);
  const FieldGrid g = make_field_grid(4.0, 0.0, 0.05, 2.9, 0.1);
  CHECK(draw_channels(inj, g, 1, 0).size() == 0);
  for (const InjuryFractions& f : field_fractions(inj, draw_channels(inj, g, 1, 0), g)) {
    CHECK(f.channel == 0.0);
    CHECK(f.injured == 0.0);
  }
}

TEST_CASE("channel pattern: a lone slit covers its width exactly, also across the periodic side", "[channels]") {
  const Parameters p = fitted_defaults();
  const ChannelInjury inj(pen(), p);
  const FieldGrid g = make_field_grid(4.0, 0.0, 0.01, 2.9, 0.1);
  for (double centre : {2.0, 0.003}) {
    ChannelPattern one;
    one.x = {centre};
    const auto f = field_fractions(inj, one, g);
    // Depth cell 2 (0.2–0.3 mm) lies above the tip: full width 2·r_inj(0), channel 2·r(0)²/r_inj(0).
    const InjuryFractions m = lateral_mean(f, g, 2);
    const double r_inj = inj.injured_radius(0.0), r = inj.channel_radius(0.0);
    CHECK(m.injured * g.width_x() == Approx(2.0 * r_inj).epsilon(1e-9));
    CHECK(m.channel * g.width_x() == Approx(2.0 * r * r / r_inj).epsilon(1e-9));
  }
}

TEST_CASE("channel pattern: fractions lie in [0, 1] and their lateral mean is the 1D fraction", "[channels]") {
  const Parameters p = fitted_defaults();
  const ChannelInjury inj(pen(), p);
  SECTION("2D slits") {
    const FieldGrid g = make_field_grid(400.0, 0.0, 0.02, 2.9, 0.1);
    const auto f = field_fractions(inj, draw_channels(inj, g, 3, 0), g);
    for (const InjuryFractions& x : f) {
      CHECK((x.channel >= 0.0 && x.channel <= x.injured + 1e-12 && x.injured <= 1.0 + 1e-12));
    }
    for (std::size_t iz : {1u, 5u, 10u}) {
      const InjuryFractions m = lateral_mean(f, g, iz);
      const double top = g.depth.top(iz), bottom = g.depth.bottom(iz);
      CHECK(m.injured == Approx(inj.mean_injured_fraction(top, bottom)).epsilon(0.12));
      CHECK(m.channel == Approx(inj.mean_channel_fraction(top, bottom)).epsilon(0.12));
    }
  }
  SECTION("3D cylinders") {
    const FieldGrid g = make_field_grid(20.0, 20.0, 0.04, 2.9, 0.2);
    const auto f = field_fractions(inj, draw_channels(inj, g, 3, 0), g);
    for (const InjuryFractions& x : f) CHECK((x.channel >= 0.0 && x.injured <= 1.0 + 1e-12));
    for (std::size_t iz : {1u, 4u}) {
      const InjuryFractions m = lateral_mean(f, g, iz);
      const double top = g.depth.top(iz), bottom = g.depth.bottom(iz);
      CHECK(m.injured == Approx(inj.mean_injured_fraction(top, bottom)).epsilon(0.1));
      CHECK(m.channel == Approx(inj.mean_channel_fraction(top, bottom)).epsilon(0.15));
    }
  }
}
