// The self-contained HTML report of one or more runs: the page template, its script and style,
// the vendored plotting library and the runs' data (JSON) in one file that works offline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citsim/report/run_file.hpp"

namespace citsim {

/// The text pieces of the page. `page` holds the placeholders {{TITLE}}, {{HEADING}}, {{STYLE}},
/// {{PLOT_STYLE}}, {{PLOT_LIBRARY}}, {{SCRIPT}} and {{DATA}}, each exactly once.
struct ReportAssets {
  std::string_view page, style, script, plot_library, plot_style;
};

/// The assets built into citsim (src/report/page/ and third_party/uplot/).
ReportAssets embedded_report_assets();

/// The data of one run as a JSON object: what the page plots and tabulates. `label` names the
/// run in legends. Time series with 6 significant digits, depth profiles with 4.
std::string run_json(const RunFile& run, const std::string& label);

/// The page for `runs` (overlaid when several), labelled by `labels` (same length).
/// Throws std::invalid_argument if a placeholder is missing or repeated in the template, or if
/// an asset contains "</script" (it would end its element early).
std::string render_report(const std::vector<RunFile>& runs, const std::vector<std::string>& labels,
                          const ReportAssets& assets, std::string_view generator);

}  // namespace citsim
