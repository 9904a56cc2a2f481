// The report page's assets, embedded into the binary at build time (cmake/embed_text.cmake).
#include "citsim/report/html_report.hpp"
#include "citsim/report_assets.hpp"

namespace citsim {

ReportAssets embedded_report_assets() {
  return {embedded::report_page, embedded::report_style, embedded::report_script,
          embedded::uplot_script, embedded::uplot_style};
}

}  // namespace citsim
