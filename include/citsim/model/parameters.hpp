// The one parameter table of citsim (docs/model.md §1–§5).
//
// `Parameters` is a plain struct the kernels read (`p.k_D`). `parameter_table()` lists every field
// once with its ASCII name, unit, group, default, allowed range and source; the TOML loader, the
// HDF5 writer, `citsim params` and the docs all read that table, so there is no second list.
#pragma once

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace citsim {

/// Every numeric model value. Units and sources live in `parameter_table()`.
struct Parameters {
  // --- tissue (docs/model.md §1) ---
  double epidermis, z_papillary, z_reticular, z_bottom, w_transition;
  double C_papillary, C_reticular, C_hypodermis;
  double q3_papillary, q3_reticular, q3_hypodermis;
  double E_papillary, E_reticular, E_hypodermis;
  double F_rest_papillary, F_rest_reticular, F_rest_hypodermis;
  double v_base, v_subpapillary, z_subpapillary, v_deep, z_deep, plexus_width, v_hypodermis;
  // --- spatial levels (docs/model.md §1, §4) ---
  double width_2d, width_3d, striae_width, striae_collagen, striae_elastin;
  // --- age and laxity (docs/model.md §1) ---
  double age_ref, age_C_slope, age_E_slope, age_sigma_slope, age_C_floor, age_E_floor,
      age_sigma_floor;
  double postpartum_C, postpartum_E_reticular, weight_loss_C, weight_loss_E;
  // --- injury (docs/model.md §2) ---
  double eta_pen, eta_roller, channel_closure, blunt_widening, halo;
  double roller_needles, roller_diameter, roller_width;
  double c_inj, c_plt, b_inoc, anticoag_platelet, anticoag_c_inj;
  // --- kinetics (docs/model.md §3) ---
  double k_D, lambda_M, k_D0;
  double r_B, k_Bi, K_Bi, k_BN, k_BM;
  double s_N, K_N, w_D, w_B, mu_N;
  double s_M, K_M, mu_M;
  double k_12, a_eff, K_eff, a_Ca, K_Ca, k_back, K_Cp;
  double a_D, a_N, a_M1, a_B, K_I, delta_Cp;
  double a_M2, a_aN, delta_a;
  double a_TM, a_TF, K_auto, beta_T, delta_T;
  double r_h, r_F, K_TF, F_max;
  double k_myo, K_myo, mu_Mf, K_surv;
  double sigma_T, K_TC, K_CpC, C_max, sigma_fill;
  double beta_Mf, Delta_f3, f3_Mf;
  double k_x, k_t1, k_tx, xi, d_P;
  double k_E0, sigma_E, d_EN, d_EM;
  double a_PN, a_PM, a_PF, K_PCp, delta_MMP;
  double a_UV, uv_depth;
  // --- patient modifiers (docs/model.md §3) ---
  double kappa_keloid, keloid_sigma, smoker_sigma;
  // --- transport (docs/model.md §4) ---
  double D_Cp, D_Ca, D_T, D_B, D_N, D_M1, D_M2, D_F, D_Mf, chi_F, chi_Mf;
  // --- readouts (docs/model.md §5) ---
  double lambda_c, kappa_x, kappa_3, E_e, E_c, E_v, E_p, eta_visc, g_cutometer, suction, t_on,
      t_off, age_cutometer_ref;
  double K_erythema, erythema_depth, Mf_scar, scar_warning;
};

/// Which config section a parameter belongs to: `[tissue]` takes `Tissue`, `[model.parameters]`
/// takes every other group.
enum class ParameterGroup { Tissue, Injury, Kinetics, Patient, Transport, Readout };

std::string_view to_string(ParameterGroup g);

/// One row of the parameter table.
struct ParameterSpec {
  std::string_view name;         ///< ASCII name as in docs/model.md §3 (`lambda_M`, `delta_Cp`)
  std::string_view unit;         ///< "-" for dimensionless
  ParameterGroup group;
  double default_value;
  double min;                    ///< allowed range, inclusive; every value in it gives finite
  double max;                    ///< readouts (a quantity a readout divides by starts above 0)
  std::string_view source;       ///< literature source, or "calibrated in a–b", or a definition
  double Parameters::*field;     ///< where the value lives in `Parameters`
};

/// The table, in the order of docs/model.md §3.
std::span<const ParameterSpec> parameter_table();

/// Whether `x` is an allowed value: finite and in [spec.min, spec.max]. The one range check of
/// configs, parameter tables, sweeps, calibration and sensitivities.
bool in_range(const ParameterSpec& spec, double x);

/// The table row called `name` (exact, case-sensitive: docs/model.md §3 has k_Bi and K_Bi), or nullptr.
const ParameterSpec* find_parameter(std::string_view name);

/// Every parameter at its default.
Parameters default_parameters();

/// The table name closest to `name` by edit distance (for "did you mean" messages).
std::string nearest_parameter_name(std::string_view name);

/// Edit distance (Levenshtein), shared by every "did you mean" suggestion.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace citsim
