// Assembles a run: config → column model → simulation with a recording observer → readouts.
#include "citsim/run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

#include "citsim/errors.hpp"
#include "citsim/model/channel_pattern.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/problem_schema.hpp"
#include "citsim/readouts/cutometer.hpp"
#include "citsim/readouts/layer_means.hpp"
#include "citsim/readouts/outcomes.hpp"

namespace citsim {
namespace {

/// Times closer than this are one record time [day].
constexpr double kTimeEps = 1e-9;

void sort_unique(std::vector<double>& t) {
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end(),
                      [](double a, double b) { return std::abs(a - b) <= kTimeEps * std::max(1.0, std::abs(a)); }),
          t.end());
}

/// k·step for k = 0, 1, ... while ≤ end (multiplied, never accumulated).
void add_multiples(std::vector<double>& t, double start, double step, double end) {
  if (!(step > 0.0)) return;
  for (long k = 0;; ++k) {
    const double x = start + static_cast<double>(k) * step;
    if (x > end + kTimeEps) break;
    t.push_back(std::min(x, end));
  }
}

bool is_zero_d(const RunConfig& c) { return c.level == ModelLevel::ZeroD; }
bool is_field(const RunConfig& c) { return c.level == ModelLevel::TwoD || c.level == ModelLevel::ThreeD; }
bool is_closure(const RunConfig& c) {
  return c.level == ModelLevel::OneD && c.numerics.closure != ColumnClosure::MeanField;
}

/// Depth weights spread over `columns` identical columns (FieldGrid order: depth fastest).
std::vector<double> spread(const std::vector<double>& w, std::size_t columns) {
  if (columns == 1) return w;
  std::vector<double> out;
  out.reserve(w.size() * columns);
  for (std::size_t c = 0; c < columns; ++c)
    for (double x : w) out.push_back(x / static_cast<double>(columns));
  return out;
}

/// Sessions that differ only in their time make the same channels (ChannelInjury does not read
/// the time), so a course of identical sessions evaluates the injured fractions once: each cell
/// mean is a 4000-point quadrature, 6 % of a default 1D run and a third of a 0D one.
bool same_needle(const Session& a, const Session& b) {
  return a.device == b.device && a.needle_length == b.needle_length && a.density == b.density &&
         a.passes == b.passes && a.needle_diameter == b.needle_diameter &&
         a.tip_length == b.tip_length && a.sharpness == b.sharpness && a.sterility == b.sterility;
}

/// Records layer means and readouts at every record time; profiles at profile times. In 2D/3D
/// the state holds `columns` depth columns: means run over all of them, profiles are lateral
/// means and the whole field is kept at profile times.
class Recorder final : public ColumnObserver {
 public:
  Recorder(const ColumnModel& model, const RunConfig& config, std::vector<double> profile_t,
           const ProgressFn& progress, const CancelFlag* cancel, std::size_t columns = 1)
      : m_(model), cfg_(config), profile_t_(std::move(profile_t)), columns_(columns), progress_(progress),
        cancel_(cancel) {
    const bool zd = is_zero_d(config);
    layers_ = reported_layers(m_.grid, m_.params, zd);
    for (LayerWeights& l : layers_) l.w = spread(l.w, columns_);
    cut_w_ = spread(cutometer_weights(m_.grid, m_.params, zd), columns_);
    top_w_ = zd ? std::vector<double>{1.0}
                : spread(interval_weights(m_.grid, 0.0, m_.params.erythema_depth), columns_);
    dermis_w_ = layers_.back().w;
    for (const Site& s : m_.sites) v_.push_back(s.v);
    rest_ = resting_column(m_);
    phi_max_.assign(m_.sites.size(), 0.0);
    reference_ = reference_stiffness();
    result.layers.resize(layers_.size());
    for (std::size_t l = 0; l < layers_.size(); ++l) result.layers[l].name = layers_[l].name;
  }

  void record(double t, const ColumnState& u) override {
    result.time.push_back(t);
    const std::vector<SiteRates> rates = rates_at(t);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const SpeciesVector mean = weighted_mean(u, layers_[l].w);
      for (int s = 0; s < kSpeciesCount; ++s) result.layers[l].species[static_cast<std::size_t>(s)].push_back(mean[s]);
      const LayerSynthesis syn = layer_synthesis(u, rates, m_.params, layers_[l].w);
      result.layers[l].synthesis.push_back(syn.rate);
      result.layers[l].type3_share.push_back(syn.type3_share);
    }
    const CutometerReading r = cutometer(u, cut_w_, reference_, m_.params);
    R0.push_back(r.R0);
    R2.push_back(r.R2);
    R5.push_back(r.R5);
    R6.push_back(r.R6);
    R7.push_back(r.R7);
    erythema_.push_back(erythema(u, v_, top_w_, m_.params));
    tensile_.push_back(any_session_ ? tensile_strength(u, rest_, phi_max_, dermis_w_, m_.params) : 1.0);
    if (!have_before_) {  // untreated so far: pre-treatment is the current state
      t_before_ = t;
      capture_before(u);
    }
    if (next_profile_ < profile_t_.size() && std::abs(profile_t_[next_profile_] - t) <= kTimeEps * std::max(1.0, t)) {
      result.profile_time.push_back(t);
      const std::size_t nz = m_.grid.size();
      for (int s = 0; s < kSpeciesCount; ++s) {
        auto& profile = result.profiles[static_cast<std::size_t>(s)];
        for (std::size_t i = 0; i < nz; ++i) {
          double sum = 0.0;
          for (std::size_t c = 0; c < columns_; ++c) sum += u[c * nz + i][s];
          profile.push_back(sum / static_cast<double>(columns_));
        }
        if (columns_ > 1)
          for (const auto& x : u) result.fields[static_cast<std::size_t>(s)].push_back(x[s]);
      }
      ++next_profile_;
    }
  }

  void before_session(std::size_t k, double t, const ColumnState& u) override {
    if (k == 0) {
      t_before_ = t;
      capture_before(u);
    }
    const auto& cells = m_.sessions[k].cells;
    // 0D/1D: the dermis weighted by the largest injured fraction; 2D/3D: the channel cores.
    for (std::size_t i = 0; i < cells.size(); ++i)
      phi_max_[i] = std::max(phi_max_[i], columns_ > 1 ? cells[i].channel : cells[i].injured);
    any_session_ = true;
  }

  void progress(double t) override {
    // Outside the parallel kinetics: an exception thrown here unwinds the driver cleanly.
    if (cancel_ && cancel_->load(std::memory_order_relaxed))
      throw Interrupted(fmt::format("run interrupted at day {:.4g} of {:g}", t, cfg_.protocol.end_days));
    if (progress_) progress_(t, cfg_.protocol.end_days);
  }

  RunResult result;
  std::vector<double> R0, R2, R5, R6, R7, erythema_, tensile_;
  double R0_before = 0.0, C_before = 0.0, E_before = 0.0;
  std::vector<LayerSeries> pre_treatment;

 private:
  std::vector<SiteRates> rates_at(double t) const {
    std::vector<SiteRates> rates(m_.sites.size());
    for (std::size_t i = 0; i < rates.size(); ++i)
      rates[i] = site_rates(m_.sites[i], m_.params, m_.patient, m_.aging_drift, t);
    return rates;
  }

  void capture_before(const ColumnState& u) {
    R0_before = cutometer(u, cut_w_, reference_, m_.params).R0;
    const std::vector<SiteRates> rates = rates_at(t_before_);
    pre_treatment.clear();
    for (const LayerWeights& l : layers_) {
      LayerSeries snap;
      snap.name = l.name;
      const SpeciesVector mean = weighted_mean(u, l.w);
      for (int s = 0; s < kSpeciesCount; ++s) snap.species[static_cast<std::size_t>(s)] = {mean[s]};
      const LayerSynthesis syn = layer_synthesis(u, rates, m_.params, l.w);
      snap.synthesis = {syn.rate};
      snap.type3_share = {syn.type3_share};
      pre_treatment.push_back(std::move(snap));
    }
    const SpeciesVector d = weighted_mean(u, dermis_w_);
    C_before = d[C3] + d[C1] + d[Cx];
    E_before = d[E];
    have_before_ = true;
  }

  /// The same tissue at rest at age 25, laxity `aging`, no patient modifiers (docs/model.md §5).
  MatrixStiffness reference_stiffness() const {
    ColumnModel ref = m_;
    ref.params = cfg_.parameters;
    for (std::size_t i = 0; i < ref.sites.size(); ++i) {
      Site& s = ref.sites[i];
      s.rest = is_zero_d(cfg_) ? reticular_composition(ref.params, ref.params.age_cutometer_ref, LaxityCause::Aging)
                               : resting_composition(s.z, ref.params, ref.params.age_cutometer_ref, LaxityCause::Aging);
    }
    return matrix_stiffness(resting_column(ref), cut_w_, ref.params);
  }

  const ColumnModel& m_;
  const RunConfig& cfg_;
  std::vector<LayerWeights> layers_;
  std::vector<double> cut_w_, top_w_, dermis_w_, v_, phi_max_;
  std::vector<double> profile_t_;
  std::size_t columns_ = 1;
  std::size_t next_profile_ = 0;
  ColumnState rest_;
  MatrixStiffness reference_{};
  bool any_session_ = false, have_before_ = false;
  double t_before_ = 0.0;
  const ProgressFn& progress_;
  const CancelFlag* cancel_;
};

Series series(std::string name, std::string units, std::string long_name, std::vector<double> v) {
  return {std::move(name), std::move(units), std::move(long_name), std::move(v)};
}

}  // namespace

const Series& RunResult::readout(const std::string& name) const {
  for (const auto& s : readouts)
    if (s.name == name) return s;
  throw std::out_of_range("no readout " + name);
}

const LayerSeries& RunResult::layer(const std::string& name) const {
  for (const auto& l : layers)
    if (l.name == name) return l;
  throw std::out_of_range("no layer " + name);
}

void require_finite_readouts(const RunResult& r) {
  for (const Series& s : r.readouts)
    for (std::size_t k = 0; k < s.values.size(); ++k)
      if (!std::isfinite(s.values[k]))
        throw NumericalError(fmt::format("readout {} = {} at day {:g} (level {}): not finite; the readouts are not "
                                         "defined for this combination of parameters",
                                         s.name, s.values[k], r.time[k], to_string(r.level)));
}

ColumnModel build_column_model(const RunConfig& cfg) {
  ColumnModel m;
  const Parameters& base = cfg.parameters;
  m.params = patient_parameters(base, cfg.patient);
  m.patient = cfg.patient;
  m.aging_drift = cfg.aging_drift;
  const double age = cfg.patient.age;
  const LaxityCause lax = cfg.patient.laxity_cause;
  if (is_zero_d(cfg)) {
    // One well-mixed point with the reticular composition, v = 1 (docs/model.md §4).
    m.level_name = "0d";
    m.transport = false;
    m.grid.dz = base.z_reticular - base.z_papillary;
    m.grid.centre = {0.5 * (base.z_papillary + base.z_reticular)};
    Site s;
    s.z = m.grid.centre[0];
    s.rest = reticular_composition(base, age, lax);
    s.v = 1.0;
    // UV acts on the top uv_depth: the point gets the reticular mean of that exposure.
    constexpr int n = 4000;
    double uv = 0.0;
    for (int k = 0; k < n; ++k)
      uv += uv_exposure(base.z_papillary + (k + 0.5) * m.grid.dz / n, base);
    s.uv = uv / n;
    s.reticular_table = true;
    m.sites = {s};
  } else {
    m.level_name = "1d";
    m.grid = make_uniform_grid(base.z_bottom, cfg.numerics.dz);
    const double v_mean = vascular_dermis_mean(base);
    for (double z : m.grid.centre) {
      Site s;
      s.z = z;
      s.rest = resting_composition(z, base, age, lax);
      s.v = raw_vascular_density(z, base) / v_mean;
      s.uv = uv_exposure(z, base);
      m.sites.push_back(s);
    }
  }
  for (const Session& session : cfg.protocol.sessions) {
    const auto same = std::find_if(m.sessions.begin(), m.sessions.end(), [&](const SessionInjury& s) {
      return same_needle(s.session, session);
    });
    if (same != m.sessions.end()) {
      m.sessions.push_back({session, same->cells});
      continue;
    }
    const ChannelInjury inj(session, m.params);
    SessionInjury si{session, {}};
    if (is_zero_d(cfg)) {
      si.cells.push_back({inj.mean_channel_fraction(base.z_papillary, base.z_reticular),
                          inj.mean_injured_fraction(base.z_papillary, base.z_reticular)});
    } else {
      for (std::size_t i = 0; i < m.grid.size(); ++i)
        si.cells.push_back({inj.mean_channel_fraction(m.grid.top(i), m.grid.bottom(i)),
                            inj.mean_injured_fraction(m.grid.top(i), m.grid.bottom(i))});
    }
    m.sessions.push_back(std::move(si));
  }
  return m;
}

ShellClosureModel build_shell_closure_model(const RunConfig& cfg) {
  ShellClosureModel sm;
  sm.column = build_column_model(cfg);
  sm.shells = cfg.numerics.closure_shells;
  const bool slits = cfg.numerics.closure == ColumnClosure::CoreSurroundSlits;
  for (const SessionInjury& s : sm.column.sessions) {
    const ChannelInjury inj(s.session, sm.column.params);
    // The densities of the 2D and 3D channel patterns (docs/model.md §2), ρ per cm² → per mm².
    const double rho = inj.density() / 100.0;
    const ChannelLattice l = slits ? ChannelLattice{ChannelShape::Slits, rho * std::numbers::pi * inj.injured_radius(0.0) / 2.0}
                                   : ChannelLattice{ChannelShape::Cylinders, rho};
    // A real session's channels are a Poisson pattern: its empty-space distribution.
    sm.distances.push_back(l.density > 0.0 ? poisson_distances(l, distance_bin(l)) : DistanceHistogram{1.0, {1.0}});
  }
  return sm;
}

FieldModel build_field_model(const RunConfig& cfg) {
  FieldModel fm;
  ColumnModel& m = fm.cells;
  const Parameters& base = cfg.parameters;
  m.params = patient_parameters(base, cfg.patient);
  m.patient = cfg.patient;
  m.aging_drift = cfg.aging_drift;
  const bool three_d = cfg.level == ModelLevel::ThreeD;
  m.level_name = three_d ? "3d" : "2d";
  const double width = three_d ? base.width_3d : base.width_2d;
  try {
    fm.field = make_field_grid(width, three_d ? width : 0.0, cfg.numerics.dx, base.z_bottom, cfg.numerics.dz);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(cfg.source_path, 0, "numerics.dx", fmt::format("{:g}", cfg.numerics.dx),
                      fmt::format("{} (lower dx or raise width_2d/width_3d)", e.what()));
  }
  const FieldGrid& g = fm.field;
  m.grid = g.depth;
  const double v_mean = vascular_dermis_mean(base);
  std::vector<Site> column;
  for (double z : g.depth.centre) {
    Site s;
    s.z = z;
    s.rest = resting_composition(z, base, cfg.patient.age, cfg.patient.laxity_cause);
    s.v = raw_vascular_density(z, base) / v_mean;
    s.uv = uv_exposure(z, base);
    column.push_back(s);
  }
  // Striae: a band of dermis across the middle of the domain, along y in 3D (docs/model.md §1).
  const double mid = 0.5 * g.width_x();
  for (std::size_t iy = 0; iy < g.ny; ++iy)
    for (std::size_t ix = 0; ix < g.nx; ++ix) {
      const bool striae = std::abs(g.x_centre(ix) - mid) < 0.5 * base.striae_width;
      for (Site s : column) {
        if (striae && s.z < base.z_reticular) {
          s.rest.C_tot *= base.striae_collagen;
          s.rest.E *= base.striae_elastin;
        }
        m.sites.push_back(s);
      }
    }
  for (std::size_t k = 0; k < cfg.protocol.sessions.size(); ++k) {
    const Session& session = cfg.protocol.sessions[k];
    const ChannelInjury inj(session, m.params);
    ChannelPattern pattern = draw_channels(inj, g, cfg.seed, k);
    m.sessions.push_back({session, field_fractions(inj, pattern, g)});
    fm.channels.push_back(std::move(pattern));
  }
  return fm;
}

std::vector<double> profile_times(const RunConfig& c) {
  std::vector<double> t;
  const double end = c.protocol.end_days;
  add_multiples(t, 0.0, c.output.profile_dt, end);
  for (const Session& s : c.protocol.sessions) t.push_back(s.time);
  t.push_back(end);
  sort_unique(t);
  return t;
}

std::vector<double> record_times(const RunConfig& c) {
  std::vector<double> t = profile_times(c);
  const double end = c.protocol.end_days;
  add_multiples(t, 0.0, c.output.dt, end);
  for (const Session& s : c.protocol.sessions)
    add_multiples(t, s.time, c.output.dense_dt, std::min(end, s.time + c.output.dense_days));
  sort_unique(t);
  return t;
}

RunResult run_simulation(const RunConfig& cfg, const ProgressFn& progress, const CancelFlag* cancel) {
  const auto started = std::chrono::steady_clock::now();
  throw_if_cancelled(cancel, "run interrupted before it started");
  require_valid(cfg);  // a problem filled in as a struct is checked as a config is
  const bool field = is_field(cfg);
  const FieldModel field_model = field ? build_field_model(cfg) : FieldModel{};
  const bool closure = is_closure(cfg);
  const ShellClosureModel closure_model = closure ? build_shell_closure_model(cfg) : ShellClosureModel{};
  const ColumnModel model = field     ? field_model.cells
                            : closure ? closure_model.column
                                      : build_column_model(cfg);
  const std::vector<double> times = record_times(cfg);
  Recorder rec(model, cfg, profile_times(cfg), progress, cancel, field ? field_model.field.columns() : 1);
  SimulationStats stats;
  if (field) {
    ColumnState state = resting_column(model);
    stats = simulate_field(field_model, cfg.numerics, 0.0, times, state, rec);
  } else if (closure) {
    ShellClosureState state = resting_shell_closure(model, closure_model.shells);
    stats = simulate_shell_closure(closure_model, cfg.numerics, 0.0, times, state, rec);
  } else {
    ColumnState state = resting_column(model);
    stats = simulate_column(model, cfg.numerics, 0.0, times, state, rec);
  }

  RunResult r = std::move(rec.result);
  if (field) {
    const FieldGrid& g = field_model.field;
    for (std::size_t ix = 0; ix < g.nx; ++ix) r.x.push_back(g.x_centre(ix));
    if (g.ny > 1)
      for (std::size_t iy = 0; iy < g.ny; ++iy) r.y.push_back(g.y_centre(iy));
    r.channels = field_model.channels;
  }
  r.level = cfg.level;
  r.stats = stats;
  r.base = cfg.parameters;
  r.effective = effective_parameters(cfg.parameters, cfg.patient);
  r.warnings = cfg.warnings;
  r.z = model.grid.centre;
  for (const auto& l : r.layers) r.layer_names.push_back(l.name);
  r.pre_treatment_R0 = rec.R0_before;
  r.pre_treatment = rec.pre_treatment;

  // Readouts relative to the pre-treatment state are formed once the whole trajectory is known.
  const LayerSeries& dermis = r.layer("dermis");
  std::vector<double> C_dermis(r.time.size());
  for (std::size_t k = 0; k < r.time.size(); ++k)
    C_dermis[k] = dermis.species[C3][k] + dermis.species[C1][k] + dermis.species[Cx][k];
  const double t_first = cfg.protocol.sessions.empty() ? r.time.back() : cfg.protocol.sessions.front().time;
  std::vector<double> scar = scar_index(r.time, dermis.species[Mf], t_first, model.params);

  r.readouts = {
      series("R0", "mm", "virtual Cutometer R0: final deformation Uf (firmness; smaller is firmer)", rec.R0),
      series("R2", "1", "virtual Cutometer R2 = Ua/Uf (gross elasticity)", rec.R2),
      series("R5", "1", "virtual Cutometer R5 = Ur/Ue (net elasticity)", rec.R5),
      series("R6", "1", "virtual Cutometer R6 = Uv/Ue (viscoelastic share)", rec.R6),
      series("R7", "1", "virtual Cutometer R7 = Ur/Uf (biological elasticity)", rec.R7),
      series("firmness_gain", "percent", "percent fall of R0 from the pre-treatment value", percent_fall(rec.R0, rec.R0_before)),
      series("erythema", "1", "erythema <v h(Cp)>/<v> over the top of the dermis, 0-1", rec.erythema_),
      series("tensile_strength", "1", "tensile strength of the injured dermis relative to rest", rec.tensile_),
      series("collagen_induction", "percent", "percent change of dermal collagen C3+C1+Cx from pre-treatment", percent_change(C_dermis, rec.C_before)),
      series("elastin_change", "percent", "percent change of dermal elastin from pre-treatment", percent_change(dermis.species[E], rec.E_before)),
      series("scar_index", "day", "integral of max(0, dermal Mf - Mf_scar) from the first session", scar),
  };

  require_finite_readouts(r);

  // Scar warning: more than scar_warning days per session so far (docs/model.md §5).
  std::size_t done = 0;
  for (std::size_t k = 0; k < r.time.size(); ++k) {
    while (done < cfg.protocol.sessions.size() && cfg.protocol.sessions[done].time <= r.time[k]) ++done;
    if (done > 0 && scar[k] > model.params.scar_warning * static_cast<double>(done)) {
      r.warnings.push_back(fmt::format(
          "scar index {:.1f} days after {} session(s) at day {:.1f} exceeds {:.0f} days per session: "
          "myofibroblasts persist (risk of hypertrophic scarring)",
          scar[k], done, r.time[k], model.params.scar_warning));
      break;
    }
  }

  // Sessions: reach and layer means of both fractions (exact, from the channel geometry).
  const auto layer_bounds_of = [&](const std::string& name) -> LayerBounds {
    if (name == "dermis") return {0.0, cfg.parameters.z_reticular};
    for (Layer l : {Layer::Papillary, Layer::Reticular, Layer::Hypodermis})
      if (to_string(l) == name) return layer_bounds(l, cfg.parameters);
    return {0.0, 0.0};
  };
  for (const Session& s : cfg.protocol.sessions) {
    const auto same = std::find_if(r.sessions.begin(), r.sessions.end(), [&](const SessionRecord& done) {
      return same_needle(done.session, s);
    });
    if (same != r.sessions.end()) {
      SessionRecord copy = *same;
      copy.session = s;
      r.sessions.push_back(std::move(copy));
      continue;
    }
    const ChannelInjury inj(s, model.params);
    SessionRecord rec_s{s, inj.d_eff(), inj.d_derm(), inj.reached_plexus(), {}, {}};
    for (const auto& name : r.layer_names) {
      const LayerBounds b = layer_bounds_of(name);
      rec_s.phi.push_back(inj.mean_injured_fraction(b.top, b.bottom));
      rec_s.phi_ch.push_back(inj.mean_channel_fraction(b.top, b.bottom));
    }
    r.sessions.push_back(std::move(rec_s));
  }

  // Resting tissue over depth, as the model derived it.
  std::vector<double> v, Fr, Cr, q3, Er, uv, pC, pE, kt3, Sr;
  // In 2D/3D the first column (x = dx/2, outside a centred striae band) stands for all.
  for (std::size_t i = 0; i < model.grid.size(); ++i) {
    const Site& s = model.sites[i];
    const DerivedRest d = derive_rest(s.rest, model.params);
    v.push_back(s.v);
    Fr.push_back(s.rest.F_rest);
    Cr.push_back(s.rest.C_tot);
    q3.push_back(s.rest.q3);
    Er.push_back(s.rest.E);
    uv.push_back(s.uv);
    pC.push_back(d.p_C);
    pE.push_back(d.p_E);
    kt3.push_back(d.k_t3);
    Sr.push_back(d.S);
  }
  r.tissue = {
      series("v", "1", "normalised vascular density (mean 1 over the dermis)", v),
      series("F_rest", "1", "resting fibroblast density", Fr),
      series("C_rest", "mg/cm^3", "resting total collagen", Cr),
      series("q3", "1", "resting type III share of collagen", q3),
      series("E_rest", "mg/cm^3", "resting elastin", Er),
      series("uv", "1", "share exposed to UV after-care", uv),
      series("p_C", "mg/cm^3/day", "derived collagen production per fibroblast", pC),
      series("p_E", "mg/cm^3/day", "derived elastin production per fibroblast", pE),
      series("k_t3", "1/day", "derived collagen III turnover", kt3),
      series("S_rest", "mg/cm^3/day", "resting collagen synthesis", Sr),
  };
  r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace citsim
