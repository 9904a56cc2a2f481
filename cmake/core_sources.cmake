# The sources of citsim_core (the model, the numerics, the readouts and run_simulation), relative to
# the source tree: one list for the native library (CMakeLists.txt) and the explorer's WebAssembly
# build (src/explorer/CMakeLists.txt), so both compile the same model. The generated fitted
# parameter table is added by each build.
set(CITSIM_CORE_SOURCES
  src/model/parameters.cpp
  src/model/fitted_parameters.cpp
  src/model/protocol.cpp
  src/model/tissue.cpp
  src/model/injury.cpp
  src/model/channel_pattern.cpp
  src/model/kinetics.cpp
  src/numerics/grid.cpp
  src/numerics/tridiagonal.cpp
  src/numerics/mobility.cpp
  src/numerics/transport.cpp
  src/numerics/kinetics_stepper.cpp
  src/numerics/split_step.cpp
  src/numerics/column_simulation.cpp
  src/numerics/closure_exchange.cpp
  src/numerics/closure_shells.cpp
  src/numerics/closure_shell_transport.cpp
  src/numerics/closure_shell_simulation.cpp
  src/numerics/field_grid.cpp
  src/numerics/field_transport.cpp
  src/numerics/field_simulation.cpp
  src/readouts/layer_means.cpp
  src/readouts/cutometer.cpp
  src/readouts/outcomes.cpp
  src/problem.cpp
  src/problem_schema.cpp
  src/run.cpp
  src/threads.cpp
  src/ensemble/parameter_ensemble.cpp
  src/ensemble/bands.cpp)
# What the explorer needs besides the core: the config reader of citsim_io (TOML, ranges, messages)
# and the JSON writer of the report.
set(CITSIM_CONFIG_READER_SOURCES
  src/io/config.cpp
  src/io/toml_structure.cpp
  src/io/parameter_file.cpp
  src/io/atomic_file.cpp
  src/io/file_rules.cpp)
