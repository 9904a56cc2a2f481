// `citsim report RUN.h5 [RUN2.h5 ...] -o report.html`: one self-contained HTML page.
#pragma once

#include <string>
#include <vector>

#include "citsim/cancel.hpp"

namespace citsim {
class AtomicFile;
}

namespace citsim::cli {

struct ReportArgs {
  std::vector<std::string> runs;    ///< run files, overlaid in this order
  std::vector<std::string> labels;  ///< one per run, or empty: the file names without .h5
  std::string output = "report.html";
  const AtomicFile* into = nullptr;  ///< the staged file to write into (else output), see isolated.hpp
  bool quiet = false;
};

/// Reads the runs and writes the page atomically. Throws IoError (exit 2) on a bad run file,
/// a label count that does not match, or an unwritable output.
int cmd_report(const ReportArgs& args, const CancelFlag* cancel = nullptr);

}  // namespace citsim::cli
