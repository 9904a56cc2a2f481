// The adaptive Rosenbrock kinetics stepper: accuracy against a known solution and tolerance
// convergence on the full kinetics.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "citsim/numerics/kinetics_stepper.hpp"

using namespace citsim;

namespace {

SpeciesVector wound_state(const Site& s, const Parameters& p) {
  SpeciesVector u = resting_state(s, p);
  u[D] = 0.12;
  u[Cp] = 0.36;
  u[T] = 0.06;
  return u;
}

Site reticular_site(const Parameters& p) {
  return Site{1.0, reticular_composition(p, 40.0, LaxityCause::Aging), 1.0, 0.0, true};
}

}  // namespace

TEST_CASE("kinetics stepper: a pure decay (debris alone) matches exp(-k_D0 t)") {
  const Parameters p = default_parameters();
  const Site s = reticular_site(p);
  const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
  SpeciesVector u = resting_state(s, p);
  // Debris alone recruits cells; to get a closed form, switch recruitment off.
  Parameters q = p;
  q.s_N = q.s_M = q.a_D = 0.0;
  u[D] = 0.5;
  KineticsStepper stepper({1e-10, 1e-12});
  double dt = 1e-3;
  stepper.advance(u, r, q, 0.0, 3.0, dt);
  CHECK(u[D] == Approx(0.5 * std::exp(-q.k_D0 * 3.0)).epsilon(1e-8));
}

TEST_CASE("kinetics stepper: the error falls with the tolerance on the full wound kinetics") {
  const Parameters p = default_parameters();
  const Site s = reticular_site(p);
  const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
  auto solve = [&](double rtol) {
    SpeciesVector u = wound_state(s, p);
    KineticsStepper stepper({rtol, rtol * 1e-3});
    double dt = 1e-4;
    int steps = 0;
    for (int day = 0; day < 30; ++day) steps += stepper.advance(u, r, p, day, day + 1.0, dt);
    return std::make_pair(u, steps);
  };
  const auto [ref, n_ref] = solve(1e-11);
  const auto [coarse, n_coarse] = solve(1e-5);
  const auto [fine, n_fine] = solve(1e-7);
  const double e_coarse = ((coarse - ref).cwiseQuotient(ref.cwiseAbs() + SpeciesVector::Constant(1e-6))).cwiseAbs().maxCoeff();
  const double e_fine = ((fine - ref).cwiseQuotient(ref.cwiseAbs() + SpeciesVector::Constant(1e-6))).cwiseAbs().maxCoeff();
  INFO("errors " << e_coarse << " " << e_fine << " steps " << n_coarse << " " << n_fine << " " << n_ref);
  CHECK(e_fine < e_coarse);
  CHECK(e_fine < 1e-4);
  CHECK(n_coarse < n_fine);
  CHECK(n_fine < n_ref);
}

TEST_CASE("kinetics stepper: the interval-start memory skips the rejections a split transient causes") {
  // Transport between intervals moves fast species (T relaxes in 0.11 day) off their balance;
  // each interval then starts with a transient. Mimic it by nudging T before every 1-day interval.
  const Parameters p = default_parameters();
  const Site s = reticular_site(p);
  const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
  KineticsStepper stepper({1e-4, 1e-7});
  SpeciesVector with = wound_state(s, p), without = with;
  KineticsStepHistory history{1e-4, 0.0}, memoryless{1e-4, 0.0};
  int trials_with = 0, rejected_with = 0, trials_without = 0, rejected_without = 0;
  for (int day = 0; day < 30; ++day) {
    with[T] *= 1.05;
    without[T] *= 1.05;
    const KineticsWork w = stepper.advance(with, r, p, day, day + 1.0, history);
    trials_with += w.accepted + w.rejected;
    rejected_with += w.rejected;
    memoryless.first = 0.0;  // start from the last proposal only
    const KineticsWork wo = stepper.advance(without, r, p, day, day + 1.0, memoryless);
    trials_without += wo.accepted + wo.rejected;
    rejected_without += wo.rejected;
  }
  INFO("with memory: " << trials_with << " attempts, " << rejected_with << " rejected; without: "
                       << trials_without << " attempts, " << rejected_without << " rejected");
  CHECK(trials_with < trials_without);
  CHECK(rejected_with <= 3);
  CHECK(rejected_without > 10);
  // Both are controlled by the same tolerance: they agree to about the tolerance.
  const SpeciesVector rel = (with - without).cwiseQuotient(without.cwiseAbs() + SpeciesVector::Constant(1e-6));
  CHECK(rel.cwiseAbs().maxCoeff() < 1e-3);
}

TEST_CASE("kinetics stepper: a step-size collapse names the time and the species that failed") {
  const Parameters p = default_parameters();
  const Site s = reticular_site(p);
  const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
  SpeciesVector u = wound_state(s, p);
  u[T] = std::numeric_limits<double>::quiet_NaN();  // poisons every trial from the first one
  KineticsStepper stepper({1e-4, 1e-7});
  double dt = 1e-3;
  CHECK_THROWS_WITH(stepper.advance(u, r, p, 2.5, 3.0, dt),
                    Catch::Contains("step size collapsed") && Catch::Contains("at t = 2.5 day") &&
                        Catch::Contains("species T"));
}

TEST_CASE("kinetics stepper: the order-3 methods meet the tolerance on the full wound kinetics") {
  const Parameters p = default_parameters();
  const Site s = reticular_site(p);
  const SiteRates r = site_rates(s, p, Patient{}, false, 0.0);
  auto solve = [&](KineticsMethod method, double rtol) {
    SpeciesVector u = wound_state(s, p);
    KineticsStepper stepper({rtol, rtol * 1e-3}, method);
    double dt = 1e-4;
    int steps = 0;
    for (int day = 0; day < 30; ++day) steps += stepper.advance(u, r, p, day, day + 1.0, dt);
    return std::make_pair(u, steps);
  };
  const SpeciesVector ref = solve(KineticsMethod::Rodas4, 1e-11).first;
  auto error = [&](const SpeciesVector& u) {
    return ((u - ref).cwiseQuotient(ref.cwiseAbs() + SpeciesVector::Constant(1e-6))).cwiseAbs().maxCoeff();
  };
  const auto [rodas4, n_rodas4] = solve(KineticsMethod::Rodas4, 1e-3);
  for (KineticsMethod m : {KineticsMethod::Ros3, KineticsMethod::Rodas3, KineticsMethod::Ros34pw2}) {
    const auto [coarse, n_coarse] = solve(m, 1e-3);
    const auto [fine, n_fine] = solve(m, 1e-6);
    INFO("method " << static_cast<int>(m) << ": errors " << error(coarse) << " " << error(fine) << " steps "
                   << n_coarse << " " << n_fine << "; RODAS4 at rtol 1e-3: " << error(rodas4) << ", "
                   << n_rodas4 << " steps");
    CHECK(error(coarse) < 1e-2);
    CHECK(error(fine) < 1e-4);
    CHECK(error(fine) < error(coarse) / 10.0);
    CHECK(n_coarse < n_fine);
  }
}
