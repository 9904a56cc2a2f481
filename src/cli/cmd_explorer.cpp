// `citsim explorer -o explorer.html`: writes the explorer page (README, "The explorer"), built
// into the binary: the model compiled to WebAssembly, its script and uPlot, in one file that
// opens from file:// with no network.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/io/limits.hpp"
#include "commands.hpp"
#include "citsim/explorer_build.hpp"  // kExplorerMissing: why this build has no page
#ifdef CITSIM_EXPLORER_BUILT
#include "citsim/explorer_page.hpp"
#endif

namespace citsim::cli {

namespace {

struct ExplorerArgs {
  std::string output = "explorer.html";
  bool quiet = false;
};

#ifdef CITSIM_EXPLORER_BUILT
constexpr std::string_view kPage = embedded::explorer_page;
#else
constexpr std::string_view kPage;
#endif

int run_explorer(const ExplorerArgs& a) {
  if (kPage.empty())
    throw IoError(fmt::format("citsim explorer: this citsim was built without the explorer page: {}", kExplorerMissing));
  check_writable(a.output);
  write_file_atomically(a.output, kPage);
  if (!a.quiet)
    fmt::print("explorer page: {} ({:.0f} kB, works offline; open it in a browser)\n", a.output,
               static_cast<double>(kPage.size()) / 1024.0);
  return kExitOk;
}

}  // namespace

Command add_explorer_command(CLI::App& app) {
  auto args = std::make_shared<ExplorerArgs>();
  CLI::App* sub = app.add_subcommand(
      "explorer", "Write the explorer: the model live in one offline HTML page, with controls, for a class");
  sub->add_option("-o,--output", args->output, "HTML file to write")->capture_default_str();
  sub->add_flag("-q,--quiet", args->quiet, "No summary line");
  return {sub, [args](const CancelFlag*) { return run_explorer(*args); }, {}, {}, {}};
}

}  // namespace citsim::cli
