// Needle channels (docs/model.md §2): reach, radius, both fractions, roller density, the jump.
#include <catch2/catch.hpp>

#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"

using namespace citsim;

TEST_CASE("injury: default pen gives phi_ch ~ 3 % and phi ~ 12 % where the channel is full width") {
  const Parameters p = default_parameters();
  const ChannelInjury inj(Session{}, p);  // pen, 2.0 mm, 250/cm², d_n 0.25, sharp
  CHECK(inj.d_eff() == Approx(1.4));
  CHECK(inj.d_derm() == Approx(1.3));
  CHECK(inj.channel_fraction(0.5) == Approx(0.030).margin(0.002));
  CHECK(inj.injured_fraction(0.5) == Approx(0.115).margin(0.005));
  // The tip tapers: half radius at half a tip length above the end, nothing below it.
  CHECK(inj.channel_radius(1.3 - 0.15) == Approx(0.5 * inj.channel_radius(0.5)));
  CHECK(inj.channel_fraction(1.31) == 0.0);
  CHECK(inj.reached_plexus());
}

TEST_CASE("injury: a 0.25 mm home roller only grazes the papillary dermis") {
  const Parameters p = default_parameters();
  Session s;
  s.device = Device::Roller;
  s.needle_length = 0.25;
  s.density = roller_density(15, p);
  s.sharpness = 0.6;
  const ChannelInjury inj(s, p);
  CHECK(inj.d_derm() == Approx(0.025));
  CHECK_FALSE(inj.reached_plexus());
  CHECK(inj.mean_injured_fraction(p.z_papillary, p.z_reticular) == 0.0);
  // blunt needles tear wider channels
  Session sharp = s;
  sharp.sharpness = 1.0;
  CHECK(inj.channel_radius(0.0) > ChannelInjury(sharp, p).channel_radius(0.0));
}

TEST_CASE("injury: roller passes give density; 15 passes ~ 230 channels/cm^2") {
  const Parameters p = default_parameters();
  CHECK(roller_density(1, p) == Approx(15.28).epsilon(1e-3));
  CHECK(roller_density(15, p) == Approx(229.2).epsilon(1e-3));
}

TEST_CASE("injury: needles shorter than the epidermis injure no dermis") {
  const Parameters p = default_parameters();
  Session s;
  s.needle_length = 0.1;
  const ChannelInjury inj(s, p);
  CHECK(inj.d_derm() == 0.0);
  CHECK(inj.mean_injured_fraction(0.0, p.z_bottom) == 0.0);
}

TEST_CASE("injury: the jump follows docs/model.md §2's table") {
  Parameters p = default_parameters();
  SpeciesVector u = SpeciesVector::Zero();
  u[F] = 1.0;
  u[C1] = 100.0;
  u[E] = 10.0;
  Session s;
  s.sterility = Sterility::NonSterile;
  apply_injury(u, {0.1, 0.4}, 2.0, s, p, true);
  CHECK(u[D] == Approx(0.4));
  CHECK(u[F] == Approx(0.9));
  CHECK(u[C1] == Approx(90.0));
  CHECK(u[E] == Approx(9.0));
  CHECK(u[Cp] == Approx(p.c_inj * 0.4));
  CHECK(u[T] == Approx(p.c_plt * 0.4 * 2.0 * 1.5));
  CHECK(u[B] == Approx(p.b_inoc * 0.4));
  apply_injury(u, {0.0, 0.5}, 1.0, Session{}, p, false);
  CHECK(u[D] == Approx(0.4 + 0.5 * 0.6));  // D ← D + φ(1 − D) stays ≤ 1
}
