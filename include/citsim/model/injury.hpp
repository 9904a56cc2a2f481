// Needle channels and what one session does to the tissue (docs/model.md §2).
#pragma once

#include "citsim/model/parameters.hpp"
#include "citsim/model/protocol.hpp"
#include "citsim/model/species.hpp"

namespace citsim {

/// The channels one session leaves: their reach and radius with depth.
class ChannelInjury {
 public:
  ChannelInjury(const Session& session, const Parameters& p);

  double d_eff() const { return d_eff_; }    ///< penetration below the skin surface [mm]
  double d_derm() const { return d_derm_; }  ///< reach below the junction, capped at the bottom [mm]
  double density() const { return density_; }  ///< channels per cm²
  bool reached_plexus() const { return d_derm_ > z_plexus_; }  ///< pinpoint bleeding

  double channel_radius(double z) const;  ///< r(z) [mm]
  double injured_radius(double z) const; ///< r_inj(z) = r(z)·(1 + halo) [mm]
  /// Channel fraction φ_ch(z): matrix and cells destroyed.
  double channel_fraction(double z) const;
  /// Injured-zone fraction φ(z): releases damage signals.
  double injured_fraction(double z) const;
  /// Means of the two fractions over [top, bottom], on a fine grid (exact for any sim grid).
  double mean_channel_fraction(double top, double bottom) const;
  double mean_injured_fraction(double top, double bottom) const;

 private:
  double d_eff_, d_derm_, density_, r0_, tip_, halo_, z_plexus_;
};

/// Channels per cm² made by `passes` of a roller drum (docs/model.md §2).
double roller_density(int passes, const Parameters& p);

/// The injured fractions at one point.
struct InjuryFractions {
  double channel;  ///< φ_ch
  double injured;  ///< φ
};

/// The instantaneous jump of docs/model.md §2's table at one point with vascular density v.
/// `p` holds the patient's parameters (c_inj already raised for an anticoagulant).
void apply_injury(SpeciesVector& u, InjuryFractions f, double v, const Session& session,
                  const Parameters& p, bool anticoagulant);

}  // namespace citsim
