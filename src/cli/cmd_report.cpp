// `citsim report`: read run files, render the page, write it atomically.
#include "cmd_report.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "citsim/errors.hpp"
#include "citsim/report/html_report.hpp"
#include "citsim/report/run_file.hpp"
#include "citsim/version.hpp"

namespace citsim::cli {

namespace {

namespace fs = std::filesystem;

/// "results/presets/pen_2mm.h5" -> "pen_2mm".
std::string default_label(const std::string& path) { return fs::path(path).stem().string(); }

/// Writes `text` to a temporary name beside `path`, then renames it over `path`.
void write_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec) throw IoError(fmt::format("{}: cannot create its directory ({})", path, ec.message()));
  const std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError(fmt::format("{}: cannot write", tmp));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      throw IoError(fmt::format("{}: write failed", tmp));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw IoError(fmt::format("{}: cannot rename the finished page to it ({})", path, ec.message()));
  }
}

}  // namespace

int cmd_report(const ReportArgs& args, const CancelFlag* cancel) {
  // 1. Labels: given, or the file names.
  std::vector<std::string> labels = args.labels;
  if (labels.empty())
    for (const std::string& r : args.runs) labels.push_back(default_label(r));
  if (labels.size() != args.runs.size())
    throw IoError(fmt::format("--label: {} labels for {} runs (give one per run, or none)", labels.size(),
                              args.runs.size()));

  // 2. Read every run (a bad one stops here, before anything is written).
  std::vector<RunFile> runs;
  for (const std::string& r : args.runs) {
    throw_if_cancelled(cancel, "report interrupted while reading the runs; nothing written");
    runs.push_back(read_run_file(r));
  }

  // 3. Render and write.
  const std::string page = render_report(runs, labels, embedded_report_assets(), std::string("citsim ") + kVersion);
  throw_if_cancelled(cancel, "report interrupted before writing; nothing written");
  write_atomically(args.output, page);
  if (!args.quiet)
    fmt::print("report of {} run(s): {} ({:.0f} kB, works offline)\n", runs.size(), args.output,
               static_cast<double>(page.size()) / 1024.0);
  return 0;
}

}  // namespace citsim::cli
