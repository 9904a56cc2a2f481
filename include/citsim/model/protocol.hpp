// Patient and treatment protocol as plain data (docs/model.md §1, §2, §6).
#pragma once

#include <cstddef>
#include <optional>
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

/// A course of `count` sessions every `interval_days` from `first_day` (`[protocol.series]`,
/// docs/model.md §6: six sessions every 28 days from day 0).
struct SessionSeries {
  int count = 6;
  double interval_days = 28.0;  ///< [day]
  double first_day = 0.0;       ///< [day]
};

/// The day of session k of a series (multiplied, never accumulated).
double series_day(const SessionSeries& s, std::size_t k);

struct Protocol {
  std::vector<Session> sessions;  ///< sorted by time, strictly increasing
  double end_days = 365.0;        ///< absolute end time [day]
  bool allow_contraindicated = false;
  /// Set when `sessions` were laid out as a series; the schema's protocol.series keys
  /// (problem_schema.hpp) lay them out again from it. Unset: sessions listed one by one.
  std::optional<SessionSeries> series;
};

std::string to_string(LaxityCause c);
std::string to_string(Device d);
std::string to_string(Sterility s);

}  // namespace citsim
