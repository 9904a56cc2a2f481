// Resting tissue (docs/model.md §1) and the derived rates that make it an exact fixed point (§3).
#include <catch2/catch.hpp>

#include "citsim/model/kinetics.hpp"
#include "citsim/model/tissue.hpp"

using namespace citsim;

TEST_CASE("tissue: layer values hold away from boundaries and blend smoothly across them") {
  const Parameters p = default_parameters();
  const auto pap = resting_composition(0.2, p, 40.0, LaxityCause::Aging);
  const auto ret = resting_composition(1.2, p, 40.0, LaxityCause::Aging);
  const auto hyp = resting_composition(2.6, p, 40.0, LaxityCause::Aging);
  CHECK(pap.C_tot == Approx(180.0).epsilon(1e-9));
  CHECK(ret.C_tot == Approx(230.0).epsilon(1e-9));
  CHECK(hyp.C_tot == Approx(30.0).epsilon(1e-9));
  CHECK(ret.F_rest == Approx(1.0).epsilon(1e-9));
  CHECK(pap.q3 == Approx(0.25).epsilon(1e-9));
  // At a boundary the value is the average of the two layers.
  CHECK(resting_composition(0.4, p, 40.0, LaxityCause::Aging).C_tot == Approx(205.0));
}

TEST_CASE("tissue: v(z) has mean 1 over the dermis and peaks at the subpapillary plexus") {
  const Parameters p = default_parameters();
  const int n = 21000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += vascular_density((i + 0.5) * p.z_reticular / n, p);
  CHECK(sum / n == Approx(1.0).epsilon(1e-6));
  CHECK(vascular_density(0.15, p) > vascular_density(1.0, p));
  CHECK(max_vascular_density(p) == Approx(vascular_density(0.15, p)).epsilon(1e-3));
}

TEST_CASE("tissue: age factors are 1 at the reference age, fall with age, and are floored") {
  const Parameters p = default_parameters();
  CHECK(age_factor_collagen(p, 40.0) == 1.0);
  CHECK(age_factor_collagen(p, 65.0) == Approx(1.0 - 0.006 * 25));
  CHECK(age_factor_elastin(p, 65.0) == Approx(1.0 - 0.012 * 25));
  CHECK(age_factor_synthesis(p, 80.0) == Approx(1.0 - 0.003 * 40));
  CHECK(age_factor_elastin(p, 120.0) == Approx(p.age_E_floor));
  CHECK(age_factor_collagen(p, 25.0) > 1.0);
}

TEST_CASE("tissue: laxity causes lower the homeostasis where docs/model.md §1 says") {
  const Parameters p = default_parameters();
  const auto base = resting_composition(1.2, p, 40.0, LaxityCause::Aging);
  const auto pp = resting_composition(1.2, p, 40.0, LaxityCause::Postpartum);
  const auto pp_pap = resting_composition(0.2, p, 40.0, LaxityCause::Postpartum);
  const auto wl = resting_composition(1.2, p, 40.0, LaxityCause::WeightLoss);
  CHECK(pp.C_tot == Approx(0.9 * base.C_tot));
  CHECK(pp.E == Approx(0.6 * base.E));
  CHECK(pp_pap.E == Approx(resting_composition(0.2, p, 40.0, LaxityCause::Aging).E));
  CHECK(wl.C_tot == Approx(0.85 * base.C_tot));
  CHECK(wl.E == Approx(0.8 * base.E));
}

TEST_CASE("tissue: the derived rates make every derivative vanish at rest, at every depth") {
  const Parameters p = default_parameters();
  for (double z : {0.05, 0.15, 0.4, 1.0, 2.0, 2.1, 2.8}) {
    for (double age : {25.0, 40.0, 80.0}) {
      Site s{z, resting_composition(z, p, age, LaxityCause::Aging), vascular_density(z, p),
             uv_exposure(z, p)};
      const SpeciesVector u = resting_state(s, p);
      const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
      const SpeciesVector f = kinetics_rhs(u, r, p);
      INFO("z = " << z << ", age = " << age);
      for (int i = 0; i < kSpeciesCount; ++i) CHECK(std::abs(f[i]) <= 1e-12 * (1.0 + std::abs(u[i])));
      CHECK(u[C3] + u[C1] + u[Cx] == Approx(s.rest.C_tot).epsilon(1e-12));
    }
  }
}
