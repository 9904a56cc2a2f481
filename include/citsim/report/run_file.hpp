// A citsim run file read back for reporting: the datasets and attributes of
// docs/file-format.md that `citsim report` shows, read with the HDF5 C API.
#pragma once

#include <string>
#include <vector>

namespace citsim {

/// One variable over a dimension (or two): values row-major, with its units and long name.
struct NamedSeries {
  std::string name;
  std::string units;
  std::string long_name;
  std::vector<double> values;
};

/// One column of /sessions: numbers (integers read as numbers) or text.
struct SessionColumn {
  std::string name;
  std::string units;
  std::string long_name;
  std::vector<double> numbers;       ///< empty for text columns
  std::vector<std::string> strings;  ///< empty for number columns
};

/// One parameter as /parameters holds it: base value, the value the run used (if the patient
/// changed it), unit. Derived per-depth rates (p_C, p_E, k_t3) are arrays and are not listed.
struct ParameterEntry {
  std::string name;
  double value = 0.0;
  bool has_effective = false;
  double effective = 0.0;
  std::string unit;
};

/// What a report shows of one run.
struct RunFile {
  std::string path;
  std::string citsim_version, model_level, created, config, config_path, warnings;
  double pre_treatment_R0 = 0.0;  ///< [mm]
  std::vector<double> time;          ///< /time [day]
  std::vector<double> z;             ///< /z [mm]
  std::vector<double> profile_time;  ///< /profile_time [day]
  std::vector<NamedSeries> readouts;       ///< /readouts/*, over time
  std::vector<NamedSeries> dermis;         ///< /layers/dermis/*, over time
  std::vector<NamedSeries> profiles;       ///< /profiles/*, (profile_time, z) row-major
  std::vector<NamedSeries> tissue;         ///< /tissue/*, over z
  std::vector<SessionColumn> sessions;     ///< /sessions/* except the `session` index
  std::vector<ParameterEntry> parameters;  ///< /parameters, in file order

  const NamedSeries* readout(const std::string& name) const;
  const NamedSeries* profile(const std::string& name) const;
  const SessionColumn* session_column(const std::string& name) const;
};

/// Reads a run file. Throws IoError naming the file and the missing or unreadable object if it
/// cannot be opened or is not a citsim run (docs/file-format.md), or if shapes disagree.
RunFile read_run_file(const std::string& path);

}  // namespace citsim
