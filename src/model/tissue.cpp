// Resting tissue (docs/model.md §1) and derived resting rates (docs/model.md §3).
#include "citsim/model/tissue.hpp"

#include <algorithm>
#include <cmath>

namespace citsim {
namespace {

/// Fine grid for exact depth means of smooth profiles (independent of the simulation grid).
constexpr int kFineIntervals = 20000;

/// Blend three layer values across the two smooth boundaries.
double blend(double z, const Parameters& p, double pap, double ret, double hyp) {
  const double s1 = smooth_step(z, p.z_papillary, p.w_transition);
  const double s2 = smooth_step(z, p.z_reticular, p.w_transition);
  return pap + (ret - pap) * s1 + (hyp - ret) * s2;
}

double bump(double z, double centre, double width) {
  const double x = (z - centre) / width;
  return std::exp(-x * x);
}

double floored_factor(double slope, double floor, double age, double age_ref) {
  return std::max(floor, 1.0 - slope * (age - age_ref));
}

struct LaxityFactors {
  double C, E_papillary, E_reticular, E_hypodermis;
};

LaxityFactors laxity_factors(const Parameters& p, LaxityCause laxity) {
  switch (laxity) {
    case LaxityCause::Aging: return {1.0, 1.0, 1.0, 1.0};
    case LaxityCause::Postpartum: return {p.postpartum_C, 1.0, p.postpartum_E_reticular, 1.0};
    case LaxityCause::WeightLoss:
      return {p.weight_loss_C, p.weight_loss_E, p.weight_loss_E, p.weight_loss_E};
  }
  return {1.0, 1.0, 1.0, 1.0};
}

}  // namespace

LayerBounds layer_bounds(Layer layer, const Parameters& p) {
  switch (layer) {
    case Layer::Papillary: return {0.0, p.z_papillary};
    case Layer::Reticular: return {p.z_papillary, p.z_reticular};
    case Layer::Hypodermis: return {p.z_reticular, p.z_bottom};
  }
  return {0.0, 0.0};
}

std::string_view to_string(Layer layer) {
  switch (layer) {
    case Layer::Papillary: return "papillary";
    case Layer::Reticular: return "reticular";
    case Layer::Hypodermis: return "hypodermis";
  }
  return "?";
}

double smooth_step(double z, double z_boundary, double width) {
  return 0.5 * (1.0 + std::tanh((z - z_boundary) / width));
}

double age_factor_collagen(const Parameters& p, double age) {
  return floored_factor(p.age_C_slope, p.age_C_floor, age, p.age_ref);
}
double age_factor_elastin(const Parameters& p, double age) {
  return floored_factor(p.age_E_slope, p.age_E_floor, age, p.age_ref);
}
double age_factor_synthesis(const Parameters& p, double age) {
  return floored_factor(p.age_sigma_slope, p.age_sigma_floor, age, p.age_ref);
}

RestingComposition resting_composition(double z, const Parameters& p, double age,
                                       LaxityCause laxity) {
  const LaxityFactors lax = laxity_factors(p, laxity);
  const double fc = age_factor_collagen(p, age) * lax.C;
  const double fe = age_factor_elastin(p, age);
  return {
      fc * blend(z, p, p.C_papillary, p.C_reticular, p.C_hypodermis),
      blend(z, p, p.q3_papillary, p.q3_reticular, p.q3_hypodermis),
      fe * blend(z, p, lax.E_papillary * p.E_papillary, lax.E_reticular * p.E_reticular,
                 lax.E_hypodermis * p.E_hypodermis),
      blend(z, p, p.F_rest_papillary, p.F_rest_reticular, p.F_rest_hypodermis),
  };
}

RestingComposition reticular_composition(const Parameters& p, double age, LaxityCause laxity) {
  const LaxityFactors lax = laxity_factors(p, laxity);
  return {age_factor_collagen(p, age) * lax.C * p.C_reticular, p.q3_reticular,
          age_factor_elastin(p, age) * lax.E_reticular * p.E_reticular, p.F_rest_reticular};
}

double raw_vascular_density(double z, const Parameters& p) {
  const double pap = p.v_base + (p.v_subpapillary - p.v_base) * bump(z, p.z_subpapillary, p.plexus_width);
  const double ret = p.v_base + (p.v_deep - p.v_base) * bump(z, p.z_deep, p.plexus_width);
  return blend(z, p, pap, ret, p.v_hypodermis);
}

double vascular_dermis_mean(const Parameters& p) {
  // Composite Simpson on a fine grid: "exact" next to any simulation grid.
  const int n = kFineIntervals;
  const double h = p.z_reticular / n;
  double sum = raw_vascular_density(0.0, p) + raw_vascular_density(p.z_reticular, p);
  for (int i = 1; i < n; ++i) sum += (i % 2 ? 4.0 : 2.0) * raw_vascular_density(i * h, p);
  return sum * h / 3.0 / p.z_reticular;
}

double vascular_density(double z, const Parameters& p) {
  return raw_vascular_density(z, p) / vascular_dermis_mean(p);
}

double max_vascular_density(const Parameters& p) {
  double vmax = 0.0;
  const double h = p.z_bottom / kFineIntervals;
  for (int i = 0; i <= kFineIntervals; ++i) vmax = std::max(vmax, raw_vascular_density(i * h, p));
  return vmax / vascular_dermis_mean(p);
}

double uv_exposure(double z, const Parameters& p) {
  return 1.0 - smooth_step(z, p.uv_depth, p.w_transition);
}

double loop_gain(const Parameters& p, double v) {
  return v * (p.s_N * p.a_N / (p.K_N * p.mu_N * p.delta_Cp) +
              p.s_M * p.a_M1 / (p.K_M * (p.k_12 + p.mu_M) * p.delta_Cp));
}

Parameters patient_parameters(const Parameters& base, const Patient& patient) {
  Parameters p = base;
  if (patient.smoker) p.sigma_T *= base.smoker_sigma;
  if (patient.keloid_tendency) p.sigma_T *= base.keloid_sigma;
  p.kappa_keloid = patient.keloid_tendency ? base.kappa_keloid : 0.0;
  if (patient.anticoagulant) p.c_inj *= base.anticoag_c_inj;
  return p;
}

Parameters effective_parameters(const Parameters& base, const Patient& patient) {
  Parameters p = patient_parameters(base, patient);
  const double age = patient.age;
  p.sigma_T *= age_factor_synthesis(base, age);
  if (patient.anticoagulant) p.c_plt *= 1.0 + base.anticoag_platelet;
  const LaxityFactors lax = laxity_factors(base, patient.laxity_cause);
  const double fc = age_factor_collagen(base, age) * lax.C;
  const double fe = age_factor_elastin(base, age);
  p.C_papillary *= fc;
  p.C_reticular *= fc;
  p.C_hypodermis *= fc;
  p.E_papillary *= fe * lax.E_papillary;
  p.E_reticular *= fe * lax.E_reticular;
  p.E_hypodermis *= fe * lax.E_hypodermis;
  return p;
}

DerivedRest derive_rest(const RestingComposition& c, const Parameters& p) {
  DerivedRest r{};
  const double ratio = p.k_x / p.k_tx;
  r.C3 = c.q3 * c.C_tot;
  r.C1 = (1.0 - c.q3) * c.C_tot / (1.0 + ratio);
  r.Cx = ratio * r.C1;
  r.S = (p.k_x + p.k_t1) * r.C1 / (1.0 - c.q3);
  r.k_t3 = c.C_tot > 0.0 ? r.S / c.C_tot : 0.0;
  r.p_C = r.S / (c.F_rest * (1.0 - c.C_tot / p.C_max));
  r.p_E = p.k_E0 * c.E / c.F_rest;
  return r;
}

SiteRates site_rates(const Site& site, const Parameters& pp, const Patient& patient,
                     bool aging_drift, double t) {
  const DerivedRest start = derive_rest(site.rest, pp);
  DerivedRest now = start;
  double age = patient.age;
  if (aging_drift) {
    age += t / 365.0;
    const RestingComposition c =
        site.reticular_table ? reticular_composition(pp, age, patient.laxity_cause)
                             : resting_composition(site.z, pp, age, patient.laxity_cause);
    now = derive_rest(c, pp);
  }
  SiteRates s{};
  s.F_rest = site.rest.F_rest;
  s.q3 = site.rest.q3;
  s.v = site.v;
  s.p_C = now.p_C;
  s.p_E = now.p_E;
  s.k_t3 = start.k_t3;
  s.C_rest = now.C3 + now.C1 + now.Cx;
  s.sigma_T = pp.sigma_T * age_factor_synthesis(pp, age);
  s.P_uv = pp.a_UV * patient.sun_exposure * site.uv;
  s.kappa_keloid = pp.kappa_keloid;
  return s;
}

SpeciesVector resting_state(const Site& site, const Parameters& p) {
  const DerivedRest r = derive_rest(site.rest, p);
  SpeciesVector u = SpeciesVector::Zero();
  u[F] = site.rest.F_rest;
  u[C3] = r.C3;
  u[C1] = r.C1;
  u[Cx] = r.Cx;
  u[E] = site.rest.E;
  return u;
}

}  // namespace citsim
