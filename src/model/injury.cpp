// Needle channels, injured fractions and the injury jump (docs/model.md §2).
#include "citsim/model/injury.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace citsim {
namespace {

constexpr int kFineIntervals = 4000;

/// 1 − exp(−ρ·π·r²/100): the covered fraction of randomly placed discs (ρ per cm² → per mm²).
double covered_fraction(double density, double radius) {
  return -std::expm1(-density * std::numbers::pi * radius * radius / 100.0);
}

template <class F>
double fine_mean(F f, double top, double bottom) {
  if (bottom <= top) return 0.0;
  // midpoint rule on a fine grid: robust at the kink where the channel ends
  const double h = (bottom - top) / kFineIntervals;
  double sum = 0.0;
  for (int i = 0; i < kFineIntervals; ++i) sum += f(top + (i + 0.5) * h);
  return sum / kFineIntervals;
}

}  // namespace

double roller_density(int passes, const Parameters& p) {
  return passes * p.roller_needles / (std::numbers::pi * p.roller_diameter * p.roller_width);
}

ChannelInjury::ChannelInjury(const Session& s, const Parameters& p)
    : d_eff_((s.device == Device::Pen ? p.eta_pen : p.eta_roller) * s.needle_length),
      d_derm_(std::clamp(d_eff_ - p.epidermis, 0.0, p.z_bottom)),
      density_(s.density),
      r0_(p.channel_closure * s.needle_diameter * (1.0 + p.blunt_widening * (1.0 - s.sharpness))),
      tip_(s.tip_length),
      halo_(p.halo),
      z_plexus_(p.z_subpapillary) {}

double ChannelInjury::channel_radius(double z) const {
  if (z >= d_derm_ || z < 0.0) return 0.0;
  return r0_ * std::min(1.0, (d_derm_ - z) / tip_);
}

double ChannelInjury::injured_radius(double z) const { return channel_radius(z) * (1.0 + halo_); }

double ChannelInjury::channel_fraction(double z) const {
  return covered_fraction(density_, channel_radius(z));
}

double ChannelInjury::injured_fraction(double z) const {
  return covered_fraction(density_, injured_radius(z));
}

double ChannelInjury::mean_channel_fraction(double top, double bottom) const {
  return fine_mean([this](double z) { return channel_fraction(z); }, top, bottom);
}

double ChannelInjury::mean_injured_fraction(double top, double bottom) const {
  return fine_mean([this](double z) { return injured_fraction(z); }, top, bottom);
}

void apply_injury(SpeciesVector& u, InjuryFractions f, double v, const Session& session,
                  const Parameters& p, bool anticoagulant) {
  const double phi = f.injured, phi_ch = f.channel;
  u[D] += phi * (1.0 - u[D]);
  for (int s : {F, Mf, C3, C1, Cx, E}) u[s] *= (1.0 - phi_ch);
  u[Cp] += p.c_inj * phi;
  u[T] += p.c_plt * phi * v * (1.0 + (anticoagulant ? p.anticoag_platelet : 0.0));
  if (session.sterility == Sterility::NonSterile) u[B] += p.b_inoc * phi;
}

}  // namespace citsim
