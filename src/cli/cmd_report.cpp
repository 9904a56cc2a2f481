// `citsim report`: read run files, render the page, write it atomically.
#include "cmd_report.hpp"

#include <fmt/format.h>
#include <filesystem>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/report/html_report.hpp"
#include "citsim/report/run_file.hpp"
#include "citsim/version.hpp"

namespace citsim::cli {

namespace {

namespace fs = std::filesystem;

/// "results/presets/pen_2mm.h5" -> "pen_2mm".
std::string default_label(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

int cmd_report(const ReportArgs& args, const CancelFlag* cancel) {
  // 1. Labels: given, or the file names.
  std::vector<std::string> labels = args.labels;
  if (labels.empty())
    for (const std::string& r : args.runs) labels.push_back(default_label(r));
  if (labels.size() != args.runs.size())
    throw IoError(fmt::format("--label: {} labels for {} runs (give one per run, or none)", labels.size(),
                              args.runs.size()));

  // 2. Read every run (a bad one stops here, before anything is written), once the page can be.
  check_writable(args.output);
  std::vector<RunFile> runs;
  for (const std::string& r : args.runs) {
    throw_if_cancelled(cancel, "report interrupted while reading the runs; nothing written");
    runs.push_back(read_run_file(r));
  }

  // 3. Render and write.
  const std::string page = render_report(runs, labels, embedded_report_assets(), std::string("citsim ") + kVersion);
  throw_if_cancelled(cancel, "report interrupted before writing; nothing written");
  if (args.into != nullptr) write_text(*args.into, page);
  else write_file_atomically(args.output, page);
  if (!args.quiet)
    fmt::print("report of {} run(s): {} ({:.0f} kB, works offline)\n", runs.size(), args.output,
               static_cast<double>(page.size()) / 1024.0);
  return 0;
}

}  // namespace citsim::cli
