// The kinetics right-hand side and its analytic Jacobian.
#include <catch2/catch.hpp>

#include <random>

#include "citsim/model/kinetics.hpp"
#include "citsim/model/tissue.hpp"

using namespace citsim;

namespace {
SiteRates reticular_rates(const Parameters& p) {
  Site s{1.0, reticular_composition(p, 40.0, LaxityCause::Aging), 1.0, 0.0, true};
  Patient pt;
  pt.sun_exposure = 0.5;
  return site_rates(s, p, pt, false, 0.0);
}
}  // namespace

TEST_CASE("kinetics: the analytic Jacobian matches central differences at random states, within the coupling pattern") {
  // Every optional term on (keloid, UV after-care). The numerics factorise in the coupling
  // pattern's block order and ignore every entry outside it: an equation that gains a
  // dependence without its row in kKineticsCoupling must fail here.
  Parameters p = default_parameters();
  p.kappa_keloid = 0.3;
  SiteRates r = reticular_rates(p);
  r.P_uv = 0.2;
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> U(0.0, 1.0);
  for (int trial = 0; trial < 20; ++trial) {
    SpeciesVector u;
    for (int i = 0; i < kSpeciesCount; ++i) u[i] = 0.05 + 2.0 * U(rng);
    u[C3] = 30 + 20 * U(rng);
    u[C1] = 60 + 40 * U(rng);
    u[Cx] = 100 + 50 * U(rng);
    u[E] = 5 + 5 * U(rng);
    SpeciesVector f;
    SpeciesMatrix J;
    kinetics_rhs_jacobian(u, r, p, f, J);
    CHECK((f - kinetics_rhs(u, r, p)).norm() == 0.0);
    for (int j = 0; j < kSpeciesCount; ++j) {
      const double h = 1e-6 * std::max(1.0, std::abs(u[j]));
      SpeciesVector up = u, um = u;
      up[j] += h;
      um[j] -= h;
      const SpeciesVector col = (kinetics_rhs(up, r, p) - kinetics_rhs(um, r, p)) / (2 * h);
      for (int i = 0; i < kSpeciesCount; ++i) {
        INFO("d f[" << kSpeciesInfo[i].name << "] / d " << kSpeciesInfo[j].name);
        CHECK(J(i, j) == Approx(col[i]).margin(1e-6 * (1.0 + std::abs(col[i]))));
        if (!kKineticsCoupling[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)]) {
          CHECK(J(i, j) == 0.0);  // outside the pattern
          CHECK(col[i] == 0.0);
        }
      }
    }
  }
}

TEST_CASE("kinetics: zero species stay non-negative (inflow into every zero is >= 0)") {
  const Parameters p = default_parameters();
  const SiteRates r = reticular_rates(p);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(0.0, 2.0);
  for (int trial = 0; trial < 200; ++trial) {
    SpeciesVector u;
    for (int i = 0; i < kSpeciesCount; ++i) u[i] = U(rng);
    const int zero = trial % kSpeciesCount;
    u[zero] = 0.0;
    INFO(kSpeciesInfo[zero].name);
    CHECK(kinetics_rhs(u, r, p)[zero] >= 0.0);
  }
}

TEST_CASE("kinetics: type III share of synthesis rises under TGF-beta and equals q3 at rest") {
  const Parameters p = default_parameters();
  const SiteRates r = reticular_rates(p);
  Site s{1.0, reticular_composition(p, 40.0, LaxityCause::Aging), 1.0, 0.0, true};
  SpeciesVector u = resting_state(s, p);
  const Synthesis rest = collagen_synthesis(u, r, p);
  CHECK(rest.type3 / rest.total == Approx(r.q3));
  u[T] = 1.0;
  const Synthesis wound = collagen_synthesis(u, r, p);
  CHECK(wound.total > 5.0 * rest.total);
  CHECK(wound.type3 / wound.total > r.q3 + 0.1);
}

TEST_CASE("kinetics: a matrix deficit speeds synthesis in proportion; at and above rest it does nothing") {
  Parameters p = default_parameters();
  const SiteRates r = reticular_rates(p);
  Site s{1.0, reticular_composition(p, 40.0, LaxityCause::Aging), 1.0, 0.0, true};
  const SpeciesVector rest = resting_state(s, p);
  CHECK(rest[C3] + rest[C1] + rest[Cx] == Approx(r.C_rest).epsilon(1e-12));
  // At rest every derivative is zero whatever σ_fill: homeostasis does not see the new term.
  for (const double sigma : {0.0, 16.0, 50.0}) {
    p.sigma_fill = sigma;
    CHECK(kinetics_rhs(rest, r, p).norm() < 1e-12);
  }
  // Half the matrix gone (a channel's core): synthesis × (1 + σ_fill/2), as the crowding allows.
  SpeciesVector defect = rest;
  for (int c : {C3, C1, Cx}) defect[c] *= 0.5;
  p.sigma_fill = 0.0;
  const double plain = collagen_synthesis(defect, r, p).total;
  p.sigma_fill = 16.0;
  CHECK(collagen_synthesis(defect, r, p).total == Approx(plain * (1.0 + 16.0 * 0.5)).epsilon(1e-12));
  // Above rest (induced collagen) the deficit term is off.
  SpeciesVector induced = rest;
  induced[C1] *= 1.5;
  const double with = collagen_synthesis(induced, r, p).total;
  p.sigma_fill = 0.0;
  CHECK(collagen_synthesis(induced, r, p).total == with);
}
