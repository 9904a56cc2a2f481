// The problem a run solves, as plain data: patient, protocol, parameters, model level, numerics
// and what to record. `run_simulation` (run.hpp) takes it as it is; io/config.hpp reads it from a
// TOML config, and a program may as well fill it in itself (README, "citsim as a C++ library").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "citsim/model/fitted_parameters.hpp"
#include "citsim/model/parameters.hpp"
#include "citsim/model/protocol.hpp"
#include "citsim/numerics/column_simulation.hpp"

namespace citsim {

enum class ModelLevel { ZeroD, OneD, TwoD, ThreeD };
std::string to_string(ModelLevel l);

/// How the 1D column represents the channels (`numerics.closure`, docs/model.md "When 1D is
/// enough"): their lateral mean, or a core of injured zones beside an uninjured surround,
/// exchanging at the spacing of cylinders (the needles' shape, as in 3D) or of slits (as the
/// 2D cross-section draws them).
enum class ColumnClosure { MeanField, CoreSurround, CoreSurroundSlits };

/// Time stepping and grid (`[numerics]`): the step control of the driver plus the grid.
struct NumericsConfig : StepControl {
  double dz = 0.025;  ///< depth cell size [mm]
  double dx = 0.02;   ///< lateral cell size in 2D and 3D [mm]
  ColumnClosure closure = ColumnClosure::CoreSurround;  ///< 1D only (other levels ignore it)
  /// Shells of the closure's surround, by distance to the nearest channel (closure_shells.hpp),
  /// 1..64; 1: the two-compartment closure (core and one surround). 8: the course's
  /// collagen induction within 0.4 % of 32 shells (docs/model.md).
  int closure_shells = 8;
};

/// What is recorded and where (`[output]`).
struct OutputConfig {
  std::string path = "results/default.h5";
  double dt = 1.0;          ///< record every dt [day]
  double dense_dt = 0.05;   ///< ... and every dense_dt for dense_days after each session [day]
  double dense_days = 5.0;  ///< [day]
  double profile_dt = 7.0;  ///< depth profile snapshots every profile_dt [day] (and at sessions)
};

struct RunConfig {
  std::string source_path;    ///< the config file, for messages
  std::string source_text;    ///< the TOML as given, plus the --set overrides
  Patient patient;
  Protocol protocol;
  Parameters parameters = fitted_defaults();  ///< fitted defaults with `[tissue]` and `[model.parameters]` applied
  std::string parameter_file;  ///< `model.parameter_file` as resolved; empty: the built-in table
  /// The text of the table the parameters started from (that file, or the built-in one), recorded
  /// in every output so a run can be reproduced.
  std::string parameter_table{embedded_parameter_text()};
  std::vector<std::string> overridden;  ///< names of parameters the config set
  ModelLevel level = ModelLevel::OneD;
  bool aging_drift = false;
  std::uint64_t seed = 1;
  NumericsConfig numerics;
  OutputConfig output;
  std::vector<std::string> warnings;  ///< e.g. keloid tendency, anticoagulant
};

}  // namespace citsim
