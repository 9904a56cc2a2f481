// The parameter table (docs/model.md §1–§5): name, unit, group, default, allowed range, source.
#include "citsim/model/parameters.hpp"

#include <algorithm>
#include <cctype>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace citsim {
namespace {

constexpr double ln2 = std::numbers::ln2;

using G = ParameterGroup;
using P = Parameters;

// clang-format off
constexpr std::array kTable = {
  // ---- tissue: docs/model.md §1, abdomen at the reference age 40 ----
  ParameterSpec{"epidermis", "mm", G::Tissue, 0.10, 0.0, 1.0, "docs/model.md §1; abdominal epidermis (Gibney et al. 2010; Sim et al. 2014)", &P::epidermis},
  ParameterSpec{"z_papillary", "mm", G::Tissue, 0.40, 0.01, 5.0, "papillary/reticular boundary: upper fifth of the dermis (docs/model.md §1)", &P::z_papillary},
  ParameterSpec{"z_reticular", "mm", G::Tissue, 2.10, 0.02, 10.0, "dermis/hypodermis boundary: dermis 2.1 mm by ultrasound (Gibney et al. 2010)", &P::z_reticular},
  ParameterSpec{"z_bottom", "mm", G::Tissue, 2.90, 0.03, 20.0, "domain bottom in the hypodermis (docs/model.md §1)", &P::z_bottom},
  ParameterSpec{"w_transition", "mm", G::Tissue, 0.02, 1e-4, 0.5, "width of the tanh step between layers (docs/model.md §1)", &P::w_transition},
  ParameterSpec{"width_2d", "mm", G::Tissue, 4.0, 0.01, 100.0, "width of the 2D cross-section, periodic at the sides (docs/model.md §4)", &P::width_2d},
  ParameterSpec{"width_3d", "mm", G::Tissue, 2.0, 0.01, 100.0, "side of the square 3D patch, periodic at the sides (docs/model.md §4)", &P::width_3d},
  ParameterSpec{"striae_width", "mm", G::Tissue, 0.0, 0.0, 100.0, "width of a striae band across the middle of a 2D/3D domain, 0 = none (docs/model.md §1)", &P::striae_width},
  ParameterSpec{"striae_collagen", "-", G::Tissue, 0.6, 0.0, 1.0, "collagen factor in the striae band (docs/model.md §1)", &P::striae_collagen},
  ParameterSpec{"striae_elastin", "-", G::Tissue, 0.3, 0.0, 1.0, "elastin factor in the striae band (docs/model.md §1)", &P::striae_elastin},
  ParameterSpec{"C_papillary", "mg/cm^3", G::Tissue, 180.0, 0.0, 399.0, "collagen 70-80 % of dermal dry weight (docs/model.md §1)", &P::C_papillary},
  ParameterSpec{"C_reticular", "mg/cm^3", G::Tissue, 230.0, 1.0, 399.0, "collagen 70-80 % of dermal dry weight (docs/model.md §1); above 0: the Cutometer's reference", &P::C_reticular},
  ParameterSpec{"C_hypodermis", "mg/cm^3", G::Tissue, 30.0, 0.0, 399.0, "docs/model.md §1", &P::C_hypodermis},
  ParameterSpec{"q3_papillary", "-", G::Tissue, 0.25, 0.0, 0.9, "type I about 80 % of dermal collagen in young skin (docs/model.md §1); below 1: resting synthesis is set by type I turnover", &P::q3_papillary},
  ParameterSpec{"q3_reticular", "-", G::Tissue, 0.15, 0.0, 0.9, "docs/model.md §1; below 1: resting synthesis is set by type I turnover", &P::q3_reticular},
  ParameterSpec{"q3_hypodermis", "-", G::Tissue, 0.20, 0.0, 0.9, "docs/model.md §1; below 1: resting synthesis is set by type I turnover", &P::q3_hypodermis},
  ParameterSpec{"E_papillary", "mg/cm^3", G::Tissue, 6.0, 0.0, 100.0, "elastin 2-4 % of dermal dry weight (docs/model.md §1)", &P::E_papillary},
  ParameterSpec{"E_reticular", "mg/cm^3", G::Tissue, 10.0, 0.1, 100.0, "docs/model.md §1; above 0: the Cutometer's and elastin_change's reference", &P::E_reticular},
  ParameterSpec{"E_hypodermis", "mg/cm^3", G::Tissue, 1.0, 0.0, 100.0, "docs/model.md §1", &P::E_hypodermis},
  ParameterSpec{"F_rest_papillary", "-", G::Tissue, 1.5, 1e-3, 10.0, "resting fibroblasts relative to the reticular dermis (docs/model.md §1)", &P::F_rest_papillary},
  ParameterSpec{"F_rest_reticular", "-", G::Tissue, 1.0, 1e-3, 10.0, "unit of cell density (docs/model.md §1)", &P::F_rest_reticular},
  ParameterSpec{"F_rest_hypodermis", "-", G::Tissue, 0.3, 1e-3, 10.0, "docs/model.md §1", &P::F_rest_hypodermis},
  ParameterSpec{"v_base", "-", G::Tissue, 0.8, 0.0, 10.0, "raw vascular density of the dermis between the plexuses (docs/model.md §1)", &P::v_base},
  ParameterSpec{"v_subpapillary", "-", G::Tissue, 1.6, 0.0, 10.0, "raw peak at the subpapillary plexus (docs/model.md §1)", &P::v_subpapillary},
  ParameterSpec{"z_subpapillary", "mm", G::Tissue, 0.15, 0.0, 5.0, "depth of the subpapillary plexus; deeper needles bleed (docs/model.md §1, §2)", &P::z_subpapillary},
  ParameterSpec{"v_deep", "-", G::Tissue, 1.2, 0.0, 10.0, "raw peak at the deep plexus (docs/model.md §1)", &P::v_deep},
  ParameterSpec{"z_deep", "mm", G::Tissue, 2.0, 0.0, 10.0, "depth of the deep plexus (docs/model.md §1)", &P::z_deep},
  ParameterSpec{"plexus_width", "mm", G::Tissue, 0.10, 1e-3, 2.0, "Gaussian width of both plexus bumps (docs/model.md §1)", &P::plexus_width},
  ParameterSpec{"v_hypodermis", "-", G::Tissue, 0.6, 0.0, 10.0, "raw vascular density of the hypodermis (docs/model.md §1)", &P::v_hypodermis},
  ParameterSpec{"age_ref", "year", G::Tissue, 40.0, 0.0, 120.0, "age at which the tissue table holds (docs/model.md §1)", &P::age_ref},
  ParameterSpec{"age_C_slope", "1/year", G::Tissue, 0.006, 0.0, 0.05, "collagen score -25 % from 25-34 to 65-74 y (Sibilla data in Reilly et al. 2021)", &P::age_C_slope},
  ParameterSpec{"age_E_slope", "1/year", G::Tissue, 0.012, 0.0, 0.05, "elastic recovery falls most with age (Ryu et al. 2008); docs/model.md §1", &P::age_E_slope},
  ParameterSpec{"age_sigma_slope", "1/year", G::Tissue, 0.003, 0.0, 0.05, "type I procollagen -32 % over 80 vs 18-29 y (Varani et al. 2006)", &P::age_sigma_slope},
  ParameterSpec{"age_C_floor", "-", G::Tissue, 0.5, 0.01, 1.0, "docs/model.md §1; above 0: no age removes all collagen", &P::age_C_floor},
  ParameterSpec{"age_E_floor", "-", G::Tissue, 0.3, 0.01, 1.0, "docs/model.md §1; above 0: no age removes all elastin", &P::age_E_floor},
  ParameterSpec{"age_sigma_floor", "-", G::Tissue, 0.4, 0.0, 1.0, "docs/model.md §1", &P::age_sigma_floor},
  ParameterSpec{"postpartum_C", "-", G::Tissue, 0.9, 0.01, 2.0, "postpartum laxity: stretched, fragmented fibres (docs/model.md §1)", &P::postpartum_C},
  ParameterSpec{"postpartum_E_reticular", "-", G::Tissue, 0.6, 0.01, 2.0, "postpartum laxity, reticular elastin (docs/model.md §1)", &P::postpartum_E_reticular},
  ParameterSpec{"weight_loss_C", "-", G::Tissue, 0.85, 0.01, 2.0, "weight-loss laxity (docs/model.md §1)", &P::weight_loss_C},
  ParameterSpec{"weight_loss_E", "-", G::Tissue, 0.8, 0.01, 2.0, "weight-loss laxity (docs/model.md §1)", &P::weight_loss_E},

  // ---- injury: docs/model.md §2 ----
  ParameterSpec{"eta_pen", "-", G::Injury, 0.7, 0.05, 1.0, "pen penetration efficiency, a piston drives the needles (docs/model.md §2); uncertain, sweep it", &P::eta_pen},
  ParameterSpec{"eta_roller", "-", G::Injury, 0.5, 0.05, 1.0, "roller penetration; 0.2-0.35 in excised rat skin (Kalluri et al. 2011), deeper in vivo", &P::eta_roller},
  ParameterSpec{"channel_closure", "-", G::Injury, 0.25, 0.01, 1.0, "channel radius / needle base diameter: skin closes to about half the width (docs/model.md §2)", &P::channel_closure},
  ParameterSpec{"blunt_widening", "-", G::Injury, 0.5, 0.0, 5.0, "r0 grows by this times (1 - sharpness): blunt needles tear (docs/model.md §2)", &P::blunt_widening},
  ParameterSpec{"halo", "-", G::Injury, 1.0, 0.0, 10.0, "injured zone radius = channel radius x (1 + halo) (docs/model.md §2)", &P::halo},
  ParameterSpec{"roller_needles", "-", G::Injury, 192.0, 1.0, 2000.0, "needles on a standard drum (docs/model.md §2)", &P::roller_needles},
  ParameterSpec{"roller_diameter", "cm", G::Injury, 2.0, 0.1, 20.0, "drum diameter (docs/model.md §2)", &P::roller_diameter},
  ParameterSpec{"roller_width", "cm", G::Injury, 2.0, 0.1, 20.0, "drum width (docs/model.md §2)", &P::roller_width},
  ParameterSpec{"c_inj", "-", G::Injury, 3.0, 0.0, 100.0, "damage-associated cytokine release per injured fraction (docs/model.md §2)", &P::c_inj},
  ParameterSpec{"c_plt", "-", G::Injury, 0.5, 0.1, 3.0, "platelet TGF-beta per injured fraction; calibrated in 0.1-3", &P::c_plt},
  ParameterSpec{"b_inoc", "-", G::Injury, 0.05, 0.0, 1.0, "bacterial inoculum per injured fraction, non-sterile needles (docs/model.md §2)", &P::b_inoc},
  ParameterSpec{"anticoag_platelet", "-", G::Injury, 0.5, 0.0, 10.0, "anticoagulant raises the platelet jump by this fraction (docs/model.md §2)", &P::anticoag_platelet},
  ParameterSpec{"anticoag_c_inj", "-", G::Injury, 1.3, 1.0, 10.0, "anticoagulant multiplies c_inj (haematoma) (docs/model.md §3)", &P::anticoag_c_inj},

  // ---- kinetics: docs/model.md §3 ----
  ParameterSpec{"k_D", "1/day", G::Kinetics, 1.5, 0.5, 5.0, "debris clearance by phagocytes; calibrated in 0.5-5", &P::k_D},
  ParameterSpec{"lambda_M", "-", G::Kinetics, 0.5, 0.0, 10.0, "macrophage vs neutrophil debris clearance (docs/model.md §3)", &P::lambda_M},
  ParameterSpec{"k_D0", "1/day", G::Kinetics, 0.37, 0.0, 10.0, "debris decay 0.37/day (Cooper et al. 2015)", &P::k_D0},
  ParameterSpec{"r_B", "1/day", G::Kinetics, 4.0, 0.0, 50.0, "bacterial growth (Reynolds et al. 2006 form)", &P::r_B},
  ParameterSpec{"k_Bi", "1/day", G::Kinetics, 6.0, 0.0, 50.0, "innate bacterial clearance, exceeds r_B (Reynolds et al. 2006)", &P::k_Bi},
  ParameterSpec{"K_Bi", "-", G::Kinetics, 0.2, 1e-6, 10.0, "saturation of innate clearance (Reynolds et al. 2006)", &P::K_Bi},
  ParameterSpec{"k_BN", "1/day", G::Kinetics, 8.0, 0.0, 100.0, "bacterial killing by neutrophils (Reynolds et al. 2006 form)", &P::k_BN},
  ParameterSpec{"k_BM", "1/day", G::Kinetics, 4.0, 0.0, 100.0, "bacterial killing by M1 macrophages (Reynolds et al. 2006 form)", &P::k_BM},
  ParameterSpec{"s_N", "1/day", G::Kinetics, 6.0, 0.0, 100.0, "neutrophil recruitment; peak about day 1 (Engelhardt et al. 1998)", &P::s_N},
  ParameterSpec{"K_N", "-", G::Kinetics, 0.5, 1e-6, 100.0, "half-saturation of neutrophil recruitment (docs/model.md §3)", &P::K_N},
  ParameterSpec{"w_D", "-", G::Kinetics, 4.0, 0.0, 100.0, "debris weight in neutrophil and M1 recruitment (docs/model.md §3)", &P::w_D},
  ParameterSpec{"w_B", "-", G::Kinetics, 2.0, 0.0, 100.0, "bacterial weight in neutrophil recruitment (docs/model.md §3)", &P::w_B},
  ParameterSpec{"mu_N", "1/day", G::Kinetics, 1.0, 0.01, 20.0, "1.02/day, tissue half-life about 16 h (Cooper et al. 2015)", &P::mu_N},
  ParameterSpec{"s_M", "1/day", G::Kinetics, 1.2, 0.0, 100.0, "monocyte/macrophage recruitment (docs/model.md §3)", &P::s_M},
  ParameterSpec{"K_M", "-", G::Kinetics, 0.5, 1e-6, 100.0, "half-saturation of macrophage recruitment (docs/model.md §3)", &P::K_M},
  ParameterSpec{"mu_M", "1/day", G::Kinetics, 0.14, 0.1, 0.6, "macrophage removal 0.2/day (Waugh & Sherratt 2006) to 0.6/day (Jin et al. 2011); calibrated in 0.1-0.6", &P::mu_M},
  ParameterSpec{"k_12", "1/day", G::Kinetics, 0.12, 0.05, 0.5, "M1 to M2 switch; calibrated in 0.05-0.5 (M1 peaks days 1-3, M2 about day 6)", &P::k_12},
  ParameterSpec{"a_eff", "-", G::Kinetics, 0.5, 0.1, 4.0, "efferocytosis speeds the switch; calibrated in 0.1-4", &P::a_eff},
  ParameterSpec{"K_eff", "1/day", G::Kinetics, 0.5, 1e-6, 100.0, "scale of apoptotic neutrophil flux mu_N*N (docs/model.md §3)", &P::K_eff},
  ParameterSpec{"a_Ca", "-", G::Kinetics, 1.5, 0.0, 100.0, "IL-10 speeds the switch (docs/model.md §3)", &P::a_Ca},
  ParameterSpec{"K_Ca", "-", G::Kinetics, 0.5, 1e-6, 100.0, "half-saturation of IL-10 on the switch (docs/model.md §3)", &P::K_Ca},
  ParameterSpec{"k_back", "1/day", G::Kinetics, 0.3, 0.0, 100.0, "M2 back to M1 under pro-inflammatory cytokines (docs/model.md §3)", &P::k_back},
  ParameterSpec{"K_Cp", "-", G::Kinetics, 1.0, 1e-6, 100.0, "half-saturation of the back-switch (docs/model.md §3)", &P::K_Cp},
  ParameterSpec{"a_D", "1/day", G::Kinetics, 20.0, 0.0, 1000.0, "cytokine release by debris (docs/model.md §3)", &P::a_D},
  ParameterSpec{"a_N", "1/day", G::Kinetics, 0.2, 0.0, 0.5, "cytokine release by neutrophils; calibrated in 0-0.5 under G(v_max) < 1", &P::a_N},
  ParameterSpec{"a_M1", "1/day", G::Kinetics, 0.3, 0.0, 0.5, "cytokine release by M1; calibrated in 0-0.5 under G(v_max) < 1", &P::a_M1},
  ParameterSpec{"a_B", "1/day", G::Kinetics, 6.0, 0.0, 1000.0, "cytokine release by bacteria (docs/model.md §3)", &P::a_B},
  ParameterSpec{"K_I", "-", G::Kinetics, 0.5, 1e-6, 100.0, "IL-10 inhibition of cytokine release (docs/model.md §3)", &P::K_I},
  ParameterSpec{"delta_Cp", "1/day", G::Kinetics, 12.0, 0.1, 1000.0, "cytokine half-life about 1.4 h (docs/model.md §3)", &P::delta_Cp},
  ParameterSpec{"a_M2", "1/day", G::Kinetics, 3.0, 0.0, 1000.0, "IL-10 release by M2 (docs/model.md §3)", &P::a_M2},
  ParameterSpec{"a_aN", "-", G::Kinetics, 1.0, 0.0, 1000.0, "IL-10 from apoptotic neutrophils (docs/model.md §3)", &P::a_aN},
  ParameterSpec{"delta_a", "1/day", G::Kinetics, 8.0, 0.1, 1000.0, "IL-10 decay (docs/model.md §3)", &P::delta_a},
  ParameterSpec{"a_TM", "1/day", G::Kinetics, 8.0, 1.0, 20.0, "TGF-beta from M2; calibrated in 1-20", &P::a_TM},
  ParameterSpec{"a_TF", "1/day", G::Kinetics, 0.3, 0.0, 100.0, "autocrine TGF-beta from fibroblasts (docs/model.md §3)", &P::a_TF},
  ParameterSpec{"K_auto", "-", G::Kinetics, 1.0, 1e-6, 100.0, "half-saturation of autocrine TGF-beta (docs/model.md §3)", &P::K_auto},
  ParameterSpec{"beta_T", "-", G::Kinetics, 0.5, 0.0, 2.0, "myofibroblast TGF-beta relative to fibroblasts; calibrated in 0-2", &P::beta_T},
  ParameterSpec{"delta_T", "1/day", G::Kinetics, 9.1, 0.1, 1000.0, "active TGF-beta half-life 1.8 h (Waugh & Sherratt 2006)", &P::delta_T},
  ParameterSpec{"r_h", "1/day", G::Kinetics, 0.12, 0.0, 10.0, "fibroblast death/homeostatic rate 0.12/day (Jin et al. 2011)", &P::r_h},
  ParameterSpec{"r_F", "1/day", G::Kinetics, 0.9, 0.0, 10.0, "fibroblast growth 0.92/day (Jin et al. 2011)", &P::r_F},
  ParameterSpec{"K_TF", "-", G::Kinetics, 0.2, 0.1, 1.0, "half-saturation of TGF-beta mitogenesis; calibrated in 0.1-1", &P::K_TF},
  ParameterSpec{"F_max", "-", G::Kinetics, 4.0, 1.0, 100.0, "fibroblast carrying capacity / F_rest (docs/model.md §3)", &P::F_max},
  ParameterSpec{"k_myo", "1/day", G::Kinetics, 0.4, 0.0, 10.0, "fibroblast to myofibroblast; calibrated (none before day 5, Betz et al. 1992)", &P::k_myo},
  ParameterSpec{"K_myo", "-", G::Kinetics, 0.8, 1e-6, 100.0, "half-saturation of differentiation; calibrated (Betz et al. 1992)", &P::K_myo},
  ParameterSpec{"mu_Mf", "1/day", G::Kinetics, 0.06, 0.0, 10.0, "myofibroblast apoptosis; calibrated (mostly gone after a month, Betz et al. 1992)", &P::mu_Mf},
  ParameterSpec{"K_surv", "-", G::Kinetics, 0.5, 1e-6, 100.0, "TGF-beta survival signal for myofibroblasts (docs/model.md §3)", &P::K_surv},
  ParameterSpec{"sigma_T", "-", G::Kinetics, 12.0, 2.0, 30.0, "TGF-beta gain of collagen synthesis; calibrated in 2-30 (synthesis peaks about day 7)", &P::sigma_T},
  ParameterSpec{"K_TC", "-", G::Kinetics, 0.2, 0.1, 1.0, "half-saturation of TGF-beta on synthesis; calibrated in 0.1-1", &P::K_TC},
  ParameterSpec{"K_CpC", "-", G::Kinetics, 2.0, 1e-6, 100.0, "inflammation suppresses synthesis (docs/model.md §3)", &P::K_CpC},
  ParameterSpec{"C_max", "mg/cm^3", G::Kinetics, 400.0, 1.0, 2000.0, "collagen packing limit (docs/model.md §3)", &P::C_max},
  ParameterSpec{"sigma_fill", "-", G::Kinetics, 16.0, 0.0, 50.0, "synthesis gain per unit matrix deficit below rest: channels fill with granulation tissue within weeks (Gurtner et al. 2008); set by the channel_core_refill target (docs/model.md §3)", &P::sigma_fill},
  ParameterSpec{"beta_Mf", "-", G::Kinetics, 1.0, 0.5, 3.0, "myofibroblast synthesis relative to fibroblasts; calibrated in 0.5-3", &P::beta_Mf},
  ParameterSpec{"Delta_f3", "-", G::Kinetics, 0.25, 0.0, 1.0, "extra type III share under TGF-beta: early wound collagen up to ~30 % type III", &P::Delta_f3},
  ParameterSpec{"f3_Mf", "-", G::Kinetics, 0.25, 0.1, 0.5, "type III share made by myofibroblasts; calibrated in 0.1-0.5", &P::f3_Mf},
  ParameterSpec{"k_x", "1/day", G::Kinetics, 0.03, 1e-5, 10.0, "cross-links mature over weeks to months (docs/model.md §3)", &P::k_x},
  ParameterSpec{"k_t1", "1/day", G::Kinetics, ln2 / 30.0, 1e-5, 10.0, "immature collagen turnover about 30 days (Buganza Tepole & Kuhl)", &P::k_t1},
  ParameterSpec{"k_tx", "1/day", G::Kinetics, ln2 / 1825.0, ln2 / (15.0 * 365.0), ln2 / 365.0, "mature collagen half-life about 5 y; 1-15 y (Verzijl et al. 2000): sweep it", &P::k_tx},
  ParameterSpec{"xi", "-", G::Kinetics, 0.3, 0.0, 1.0, "cross-linked collagen resists MMPs (docs/model.md §3)", &P::xi},
  ParameterSpec{"d_P", "1/day", G::Kinetics, 0.005, 0.001, 0.05, "collagen degradation per unit MMP; calibrated in 0.001-0.05", &P::d_P},
  ParameterSpec{"k_E0", "1/day", G::Kinetics, 1.0 / (74.0 * 365.0), 0.0, 1.0, "elastin residence time 74 years (Shapiro et al. 1991)", &P::k_E0},
  ParameterSpec{"sigma_E", "-", G::Kinetics, 0.5, 0.0, 100.0, "TGF-beta gain of elastin synthesis; total elastin about unchanged after needling (El-Domyati 2015)", &P::sigma_E},
  ParameterSpec{"d_EN", "1/day", G::Kinetics, 0.002, 0.0, 10.0, "elastase from neutrophils (docs/model.md §3)", &P::d_EN},
  ParameterSpec{"d_EM", "1/day", G::Kinetics, 0.001, 0.0, 10.0, "elastase from M1 macrophages (docs/model.md §3)", &P::d_EM},
  ParameterSpec{"a_PN", "1/day", G::Kinetics, 1.0, 0.0, 1000.0, "MMP from neutrophils (docs/model.md §3)", &P::a_PN},
  ParameterSpec{"a_PM", "1/day", G::Kinetics, 1.0, 0.0, 1000.0, "MMP from M1 macrophages (docs/model.md §3)", &P::a_PM},
  ParameterSpec{"a_PF", "1/day", G::Kinetics, 0.5, 0.0, 1000.0, "MMP from cytokine-stimulated fibroblasts (docs/model.md §3)", &P::a_PF},
  ParameterSpec{"K_PCp", "-", G::Kinetics, 1.0, 1e-6, 100.0, "half-saturation of fibroblast MMP (docs/model.md §3)", &P::K_PCp},
  ParameterSpec{"delta_MMP", "1/day", G::Kinetics, 1.5, 0.01, 1000.0, "MMP activity decay (docs/model.md §3)", &P::delta_MMP},
  ParameterSpec{"a_UV", "1/day", G::Kinetics, 0.05, 0.0, 10.0, "UVB raises MMPs below the erythema dose (Fisher et al. 1996)", &P::a_UV},
  ParameterSpec{"uv_depth", "mm", G::Kinetics, 0.5, 0.0, 5.0, "UV acts on the top 0.5 mm of the dermis (docs/model.md §3)", &P::uv_depth},

  // ---- patient modifiers: docs/model.md §3 ----
  ParameterSpec{"kappa_keloid", "-", G::Patient, 0.7, 0.0, 0.99, "keloid tendency slows myofibroblast apoptosis (about 6x more Mf at day 60)", &P::kappa_keloid},
  ParameterSpec{"keloid_sigma", "-", G::Patient, 1.5, 0.1, 10.0, "keloid tendency multiplies sigma_T (docs/model.md §3)", &P::keloid_sigma},
  ParameterSpec{"smoker_sigma", "-", G::Patient, 0.7, 0.1, 10.0, "smoking: in-vivo type I -18 %, type III -22 % (Knuutinen et al. 2002)", &P::smoker_sigma},

  // ---- transport: docs/model.md §4 ----
  ParameterSpec{"D_Cp", "mm^2/day", G::Transport, 0.3, 0.0, 10.0, "cytokine diffusivity (docs/model.md §4)", &P::D_Cp},
  ParameterSpec{"D_Ca", "mm^2/day", G::Transport, 0.3, 0.0, 10.0, "IL-10 diffusivity (docs/model.md §4)", &P::D_Ca},
  ParameterSpec{"D_T", "mm^2/day", G::Transport, 0.3, 0.002, 2.4, "TGF-beta diffusivity; published 0.002-2.4: sweep it (docs/model.md §4)", &P::D_T},
  ParameterSpec{"D_B", "mm^2/day", G::Transport, 0.01, 0.0, 10.0, "bacterial spread (docs/model.md §4)", &P::D_B},
  ParameterSpec{"D_N", "mm^2/day", G::Transport, 0.08, 0.0, 10.0, "neutrophil motility (docs/model.md §4)", &P::D_N},
  ParameterSpec{"D_M1", "mm^2/day", G::Transport, 0.02, 0.0, 10.0, "macrophage motility (docs/model.md §4)", &P::D_M1},
  ParameterSpec{"D_M2", "mm^2/day", G::Transport, 0.02, 0.0, 10.0, "macrophage motility (docs/model.md §4)", &P::D_M2},
  ParameterSpec{"D_F", "mm^2/day", G::Transport, 0.01, 0.0, 10.0, "fibroblast motility toward the resting profile (docs/model.md §4)", &P::D_F},
  ParameterSpec{"D_Mf", "mm^2/day", G::Transport, 0.01, 0.0, 10.0, "myofibroblast motility (docs/model.md §4)", &P::D_Mf},
  ParameterSpec{"chi_F", "mm^2/day", G::Transport, 0.01, 0.0, 10.0, "fibroblast chemotaxis up grad T, per unit T (docs/model.md §4)", &P::chi_F},
  ParameterSpec{"chi_Mf", "mm^2/day", G::Transport, 0.01, 0.0, 10.0, "myofibroblast chemotaxis up grad T, per unit T (docs/model.md §4)", &P::chi_Mf},

  // ---- readouts: docs/model.md §5 ----
  ParameterSpec{"lambda_c", "mm", G::Readout, 1.0, 0.01, 10.0, "depth weighting of the 2 mm Cutometer probe, exp(-z/lambda_c) (docs/model.md §5)", &P::lambda_c},
  ParameterSpec{"kappa_x", "-", G::Readout, 4.0, 1.0, 10.0, "stiffness of cross-linked relative to immature type I collagen: 3-week wounds hold near-normal collagen at 20-30 % of normal strength (Levenson et al. 1965)", &P::kappa_x},
  ParameterSpec{"kappa_3", "-", G::Readout, 0.5, 0.0, 10.0, "stiffness of type III relative to type I collagen (docs/model.md §5)", &P::kappa_3},
  ParameterSpec{"E_e", "-", G::Readout, 0.3, 1e-6, 100.0, "elastic-fibre modulus; calibrated to young Cutometer ranges (docs/model.md §5)", &P::E_e},
  ParameterSpec{"E_c", "-", G::Readout, 0.7, 1e-6, 100.0, "collagen modulus (docs/model.md §5)", &P::E_c},
  ParameterSpec{"E_v", "-", G::Readout, 5.0, 1e-6, 100.0, "viscoelastic arm modulus (docs/model.md §5)", &P::E_v},
  ParameterSpec{"E_p", "-", G::Readout, 0.15, 0.0, 100.0, "plastic share against immediate retraction (docs/model.md §5)", &P::E_p},
  ParameterSpec{"eta_visc", "s", G::Readout, 11.5, 1e-6, 1000.0, "matrix viscosity (docs/model.md §5)", &P::eta_visc},
  ParameterSpec{"g_cutometer", "mm/mbar", G::Readout, 3.2e-3, 1e-9, 1.0, "probe geometry factor (docs/model.md §5)", &P::g_cutometer},
  ParameterSpec{"suction", "mbar", G::Readout, 450.0, 1.0, 1000.0, "Cutometer suction, 2 mm probe (docs/model.md §5)", &P::suction},
  ParameterSpec{"t_on", "s", G::Readout, 2.0, 0.01, 100.0, "suction on (docs/model.md §5)", &P::t_on},
  ParameterSpec{"t_off", "s", G::Readout, 2.0, 0.01, 100.0, "suction off (docs/model.md §5)", &P::t_off},
  ParameterSpec{"age_cutometer_ref", "year", G::Readout, 25.0, 0.0, 120.0, "Cutometer reference: the same tissue at rest at age 25 (docs/model.md §5)", &P::age_cutometer_ref},
  ParameterSpec{"K_erythema", "-", G::Readout, 0.5, 1e-6, 100.0, "erythema = <v h(Cp, K)>/<v> (docs/model.md §5)", &P::K_erythema},
  ParameterSpec{"erythema_depth", "mm", G::Readout, 0.4, 0.01, 5.0, "erythema is seen in the top 0.4 mm of the dermis (docs/model.md §5)", &P::erythema_depth},
  ParameterSpec{"Mf_scar", "-", G::Readout, 0.05, 0.0, 10.0, "myofibroblast level counted by the scar index (docs/model.md §5)", &P::Mf_scar},
  ParameterSpec{"scar_warning", "day", G::Readout, 25.0, 0.0, 1000.0, "scar index per session above which a warning is given (docs/model.md §5)", &P::scar_warning},
};
// clang-format on

}  // namespace

std::string_view to_string(ParameterGroup g) {
  switch (g) {
    case G::Tissue: return "tissue";
    case G::Injury: return "injury";
    case G::Kinetics: return "kinetics";
    case G::Patient: return "patient";
    case G::Transport: return "transport";
    case G::Readout: return "readout";
  }
  return "?";
}

std::span<const ParameterSpec> parameter_table() { return kTable; }

bool in_range(const ParameterSpec& spec, double x) { return std::isfinite(x) && x >= spec.min && x <= spec.max; }

const ParameterSpec* find_parameter(std::string_view name) {
  for (const auto& s : kTable)
    if (s.name == name) return &s;
  return nullptr;
}

Parameters default_parameters() {
  Parameters p{};
  for (const auto& s : kTable) p.*s.field = s.default_value;
  return p;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      // a case-only difference costs less than a different letter
      const std::size_t sub = diag + (a[i - 1] == b[j - 1] ? 0 : (same ? 0 : 1));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, sub});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string nearest_parameter_name(std::string_view name) {
  std::string_view best;
  std::size_t best_d = std::numeric_limits<std::size_t>::max();
  for (const auto& s : kTable) {
    const std::size_t d = edit_distance(name, s.name);
    if (d < best_d) {
      best_d = d;
      best = s.name;
    }
  }
  return std::string(best);
}

}  // namespace citsim
