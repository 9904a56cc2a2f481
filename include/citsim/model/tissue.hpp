// The resting tissue: layers, vascular density, age and laxity (docs/model.md §1), and the rates
// derived from each point's resting composition so that untreated tissue is at rest (§3).
#pragma once

#include <array>
#include <string_view>

#include "citsim/model/parameters.hpp"
#include "citsim/model/protocol.hpp"
#include "citsim/model/species.hpp"

namespace citsim {

enum class Layer { Papillary, Reticular, Hypodermis };

/// Depth interval of a layer below the dermal–epidermal junction [mm].
struct LayerBounds {
  double top, bottom;
};
LayerBounds layer_bounds(Layer layer, const Parameters& p);
std::string_view to_string(Layer layer);

/// `0.5·(1 + tanh((z − z_b)/w))`: 0 above a boundary, 1 below it.
double smooth_step(double z, double z_boundary, double width);

/// Homeostatic composition at one point.
struct RestingComposition {
  double C_tot;   ///< total collagen [mg/cm³]
  double q3;      ///< type III share
  double E;       ///< elastin [mg/cm³]
  double F_rest;  ///< resting fibroblasts [relative]
};

/// Age factors of docs/model.md §1 (1 at `age_ref`, floored).
double age_factor_collagen(const Parameters& p, double age);
double age_factor_elastin(const Parameters& p, double age);
double age_factor_synthesis(const Parameters& p, double age);

/// Resting composition at depth z for a patient of age `age` with the given laxity cause
/// (laxity multiplies the homeostasis itself, so lax tissue is at rest too: docs/model.md).
RestingComposition resting_composition(double z, const Parameters& p, double age, LaxityCause laxity);

/// The reticular table values (0D's single point).
RestingComposition reticular_composition(const Parameters& p, double age, LaxityCause laxity);

/// Raw vascular profile (before normalisation) and the normalised v(z) = raw/mean over the dermis.
double raw_vascular_density(double z, const Parameters& p);
double vascular_dermis_mean(const Parameters& p);  ///< exact mean of the raw profile over 0..z_reticular
double vascular_density(double z, const Parameters& p);
double max_vascular_density(const Parameters& p);  ///< v_max over the domain

/// Share of the point exposed to UV after-care (the top `uv_depth`, smoothly).
double uv_exposure(double z, const Parameters& p);

/// Loop gain of the resting inflammatory loop at vascular density v; rest is stable iff < 1.
double loop_gain(const Parameters& p, double v);

/// Parameters with the patient's modifiers applied (smoker, keloid, anticoagulant). Age is not
/// applied here: it can drift during a run (see `site_rates`).
Parameters patient_parameters(const Parameters& base, const Patient& patient);

/// The values a patient's run actually uses, for reporting (`<name>_effective` in the output):
/// patient modifiers as in `patient_parameters`, plus the age factors on σ_T and on the layers'
/// collagen and elastin, the laxity factors, and the anticoagulant's platelet factor on c_plt.
Parameters effective_parameters(const Parameters& base, const Patient& patient);

/// The derived resting state and rates of one point (docs/model.md §3, "derived at start-up").
struct DerivedRest {
  double C3, C1, Cx, S, k_t3, p_C, p_E;
};
DerivedRest derive_rest(const RestingComposition& c, const Parameters& p);

/// Everything the kinetics needs to know about one point besides the state.
struct SiteRates {
  double F_rest;   ///< resting fibroblasts
  double q3;       ///< f3_0: resting type III share of synthesis
  double v;        ///< normalised vascular density
  double p_C;      ///< collagen production per fibroblast [mg/cm³/day]
  double p_E;      ///< elastin production per fibroblast [mg/cm³/day]
  double k_t3;     ///< collagen III turnover [1/day]
  double C_rest;   ///< resting total collagen C3 + C1 + Cx [mg/cm³], the reference of the deficit
  double sigma_T;  ///< TGF-β gain of synthesis, with patient and age factors
  double P_uv;     ///< extra MMP production from UV [1/day]
  double kappa_keloid;
};

/// A point of the domain: where it is and its resting tissue at the start of the run.
struct Site {
  double z;                       ///< depth [mm]
  RestingComposition rest;        ///< at the patient's age when the run starts
  double v;
  double uv;                      ///< UV exposure share 0..1
  bool reticular_table = false;   ///< 0D: composition is the reticular table, not z-blended
};

/// Rates at a site at time t (with `aging_drift`, the patient is `age + t/365` and p_C, p_E follow
/// the drifting composition while k_t3 stays at its start value).
SiteRates site_rates(const Site& site, const Parameters& patient_params, const Patient& patient,
                     bool aging_drift, double t);

/// The resting state of a site at the start of the run: zero inflammation, F = F_rest, matrix at
/// its homeostatic split between C3, C1 and Cx.
SpeciesVector resting_state(const Site& site, const Parameters& p);

}  // namespace citsim
