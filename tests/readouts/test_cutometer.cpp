// The virtual Cutometer (docs/model.md §5) against the young reference ranges and its directions.
#include <catch2/catch.hpp>

#include "citsim/readouts/cutometer.hpp"

using namespace citsim;

TEST_CASE("cutometer: the young reference lies in the published adult ranges") {
  const Parameters p = default_parameters();
  const CutometerReading r = cutometer(1.0, 1.0, p);
  CHECK(r.R2 >= 0.66);
  CHECK(r.R2 <= 0.90);
  CHECK(r.R5 >= 0.60);
  CHECK(r.R5 <= 0.95);
  CHECK(r.R7 >= 0.37);
  CHECK(r.R7 <= 0.60);
  // Ue = g·σ/(E1 + E2) exactly at ĉ = ê = 1
  CHECK(r.R0 > p.g_cutometer * p.suction / (p.E_e + p.E_c + p.E_v));
}

TEST_CASE("cutometer: more collagen is firmer (R0 falls); less elastin lowers R5 and R7") {
  const Parameters p = default_parameters();
  const CutometerReading ref = cutometer(1.0, 1.0, p);
  const CutometerReading firm = cutometer(1.1, 1.0, p);
  const CutometerReading lax = cutometer(1.0, 0.6, p);
  CHECK(firm.R0 < ref.R0);
  CHECK(firm.R7 == Approx(ref.R7).epsilon(0.05));  // new collagen leaves elastic ratios ~unchanged
  CHECK(lax.R5 < ref.R5);
  CHECK(lax.R7 < ref.R7);
}

TEST_CASE("cutometer: depth weights fall as exp(-z/lambda_c) and cover only the dermis") {
  const Parameters p = default_parameters();
  const Grid g = make_uniform_grid(p.z_bottom, 0.1);
  const std::vector<double> w = cutometer_weights(g, p, false);
  double total = 0.0;
  for (double x : w) total += x;
  CHECK(total == Approx(1.0));
  CHECK(w[0] / w[1] == Approx(std::exp(0.1 / p.lambda_c)));
  CHECK(w[25] == 0.0);  // 2.5 mm: hypodermis
}
