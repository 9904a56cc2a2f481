// Patient and treatment protocol as plain data (docs/model.md §1, §2, §6).
#pragma once

#include <string>
#include <vector>

namespace citsim {

enum class LaxityCause { Aging, Postpartum, WeightLoss };
enum class Device { Pen, Roller };
enum class Sterility { Sterile, NonSterile };

struct Patient {
  double age = 40.0;  ///< [year]
  LaxityCause laxity_cause = LaxityCause::Aging;
  bool smoker = false;
  bool keloid_tendency = false;
  bool anticoagulant = false;
  double sun_exposure = 0.0;  ///< 0–1: after-care without sun protection
  bool pregnant = false;
  bool breastfeeding = false;
  bool active_skin_infection = false;
};

/// One needling session (docs/model.md §2). Defaults are docs/model.md §6's professional pen.
struct Session {
  double time = 0.0;  ///< [day]
  Device device = Device::Pen;
  double needle_length = 2.0;    ///< L [mm]
  double density = 250.0;        ///< ρ [channels/cm²]; for rollers derived from `passes`
  int passes = 0;                ///< roller passes (0 for pens)
  double needle_diameter = 0.25; ///< d_n at the base [mm]
  double tip_length = 0.3;       ///< ℓ_tip [mm]
  double sharpness = 1.0;        ///< s ∈ (0, 1], 1 = new needle
  Sterility sterility = Sterility::Sterile;
};

struct Protocol {
  std::vector<Session> sessions;  ///< sorted by time, strictly increasing
  double end_days = 365.0;        ///< absolute end time [day]
  bool allow_contraindicated = false;
};

std::string to_string(LaxityCause c);
std::string to_string(Device d);
std::string to_string(Sterility s);

}  // namespace citsim
