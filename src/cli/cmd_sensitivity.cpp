// citsim sensitivity CONFIG [--param NAME]... [--readout NAME]... [--at DAY] [--step H]
//                          [--top N] [-o FILE.h5] [--set key=value]... [--quiet]
// citsim sensitivity SWEEP_SPEC --method morris|sobol [-o FILE.h5] [--set key=value]...
//
// Local: normalised sensitivities S = d ln(outcome)/d ln(parameter) at the configured values,
// ranked, printed and optionally written to HDF5. Morris and Sobol: global indices over the
// ranges of a sweep spec's axes (the sweep machinery, so they resume and shard like a sweep).
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/hdf5_file.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/sweep/outcomes.hpp"
#include "citsim/validation/sensitivity.hpp"
#include "citsim/version.hpp"
#include "command_files.hpp"
#include "commands.hpp"
#include "config_edits.hpp"
#include "limit_warning.hpp"
#include "numeric_options.hpp"
#include "progress.hpp"

namespace citsim::cli {
namespace {

Dataset column(std::string path, std::vector<std::string> dims, DataKind kind, std::string units,
               std::string long_name) {
  Dataset d;
  d.path = std::move(path);
  d.dims = std::move(dims);
  d.kind = kind;
  d.units = std::move(units);
  d.long_name = std::move(long_name);
  return d;
}

constexpr const char* kDefaultConfig = "configs/default.toml";
constexpr const char* kDefaultGlobalSpec = "configs/sweeps/gsa_default.toml";

struct SensitivityArgs {
  std::string config = kDefaultConfig;
  std::string method = "local";
  int threads = 0;
  std::vector<std::string> sets, unsets, readouts;
  std::vector<std::string> output_files;  // one at most (a vector only to explain a repeated -o)
  std::string output_file;
  SensitivityOptions options;
  int top = 0;
  bool quiet = false, ignore_limits = false;
};

FileContents to_file(const SensitivityResult& r, const SensitivityArgs& a) {
  FileContents f;
  std::vector<double> index(r.rows.size()), out_index(r.outputs.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = static_cast<double>(i);
  for (std::size_t k = 0; k < out_index.size(); ++k) out_index[k] = static_cast<double>(k);
  f.dimensions.push_back({"/parameter", index, "1", "rank of the parameter (0: most influential)"});
  f.dimensions.push_back({"/output", out_index, "1", "index of the outcome"});

  Dataset names = column("/parameter_name", {"/parameter"}, DataKind::Strings, "", "parameter-table name");
  Dataset units = column("/parameter_unit", {"/parameter"}, DataKind::Strings, "", "unit of the parameter");
  Dataset values = column("/parameter_value", {"/parameter"}, DataKind::Numbers, "", "configured value (in parameter_unit)");
  Dataset failures = column("/failure", {"/parameter"}, DataKind::Strings, "", "why a row has no sensitivity (empty: it has)");
  Dataset s = column("/sensitivity", {"/parameter", "/output"}, DataKind::Numbers, "1",
                     "normalised local sensitivity d ln(outcome) / d ln(parameter)");
  for (const ParameterSensitivity& row : r.rows) {
    names.strings.push_back(row.name);
    units.strings.push_back(row.unit);
    values.numbers.push_back(row.value);
    failures.strings.push_back(row.failure);
    s.numbers.insert(s.numbers.end(), row.s.begin(), row.s.end());
  }
  Dataset outs = column("/output_name", {"/output"}, DataKind::Strings, "", "readout differentiated");
  outs.strings = r.outputs;
  Dataset base = column("/output_value", {"/output"}, DataKind::Numbers, "percent", "outcome at the configured values");
  base.numbers = r.base;
  f.datasets = {names, units, values, failures, s, outs, base};
  f.groups.push_back({"/",
                      {{"title", std::string("citsim local sensitivities")},
                       {"citsim_version", std::string(kVersion)},
                       {"config", a.config},
                       {"at_day", r.at_day},
                       {"log_step", r.log_step},
                       {"method", std::string("central difference in ln(parameter), one-sided at the edge of the allowed range")},
                       {"runs", static_cast<std::int64_t>(r.runs)}}});
  return f;
}

/// -o / --output names the output file, as in run and sweep. Before, --output named a readout (now
/// --readout): such a value is refused with the new spelling rather than written as a file.
void check_output_option(SensitivityArgs& a) {
  for (const std::string& o : a.output_files) {
    const auto readouts = sweep::readout_names();
    if (std::any_of(readouts.begin(), readouts.end(), [&](const sweep::ReadoutInfo& r) { return r.name == o; }))
      throw ConfigError("citsim sensitivity", 0, "--output", o,
                        fmt::format("-o/--output is the output file (as in citsim run and sweep); the readout to "
                                    "differentiate is --readout {} (earlier versions called it --output)",
                                    o));
  }
  if (a.output_files.size() > 1)
    throw ConfigError("citsim sensitivity", 0, "--output", fmt::format("{}", fmt::join(a.output_files, ", ")),
                      "give one output file (-o FILE.h5); readouts to differentiate are --readout NAME, repeatable");
  if (!a.output_files.empty()) a.output_file = a.output_files.front();
}

int run_sensitivity(SensitivityArgs& a, const CancelFlag* cancel) {
  check_output_option(a);
  if (a.method != "local") {
    if (!a.options.parameters.empty() || !a.readouts.empty() || a.top > 0)
      throw ConfigError("citsim sensitivity", 0, "--method", a.method,
                        "--param, --readout and --top belong to --method local; for morris and sobol "
                        "the sweep spec's axes and outcomes choose them");
    const std::string spec = a.config == kDefaultConfig ? kDefaultGlobalSpec : a.config;
    return run_global_sensitivity(spec, a.method, a.output_file, a.sets, a.threads, a.quiet, a.ignore_limits, cancel);
  }
  if (a.threads > 0) omp_set_num_threads(a.threads);

  // 1. The config, with the outcomes asked for.
  const RunConfig config = load_config(a.config, a.sets);
  if (!a.readouts.empty()) a.options.outputs = a.readouts;
  // Limits: the runs go one per thread; the table file is small but must be writable.
  warn_limit(check_memory(config, estimate_run(config), a.threads > 0 ? a.threads : omp_get_max_threads(),
                          on_limit(a.ignore_limits)));
  if (!a.output_file.empty()) {
    check_files({{a.output_file, "the table, -o"}}, files_read_by(config));
    check_writable(a.output_file);
  }
  a.options.cancel = cancel;

  // 2. Two runs per parameter.
  ProgressBar bar("sensitivity", !a.quiet);
  SensitivityResult r;
  try {
    r = local_sensitivities(config, a.options, [&](int done, int total) { bar.update(done, total); });
  } catch (const Interrupted& e) {
    throw Interrupted(fmt::format("{}; nothing written", e.what()));
  }
  bar.finish();

  // 3. The ranked table.
  fmt::print("local sensitivities S = d ln(outcome) / d ln(parameter) at day {:g} of {} ({} runs, step {:g} in ln p)\n",
             r.at_day, a.config, r.runs, r.log_step);
  fmt::print("{:>4}  {:<18} {:>11} {:<12}", "rank", "parameter", "value", "unit");
  for (std::size_t k = 0; k < r.outputs.size(); ++k) fmt::print(" {:>19}", r.outputs[k]);
  fmt::print("\n{:>4}  {:<18} {:>11} {:<12}", "", "(outcome at values)", "", "");
  for (double b : r.base) fmt::print(" {:>19.4g}", b);
  fmt::print("\n");
  const std::size_t shown = a.top > 0 ? std::min<std::size_t>(a.top, r.rows.size()) : r.rows.size();
  for (std::size_t i = 0; i < shown; ++i) {
    const ParameterSensitivity& row = r.rows[i];
    fmt::print("{:>4}  {:<18} {:>11.4g} {:<12}", i + 1, row.name, row.value, row.unit);
    if (!row.failure.empty()) {
      fmt::print(" not available: {}\n", row.failure);
      continue;
    }
    for (double v : row.s) fmt::print(" {:>+19.4f}", v);
    fmt::print("\n");
  }

  // 4. The file, written atomically.
  if (!a.output_file.empty()) {
    write_hdf5(a.output_file, to_file(r, a));
    fmt::print("wrote {}\n", a.output_file);
  }
  return kExitOk;
}

}  // namespace

Command add_sensitivity_command(CLI::App& app) {
  auto args = std::make_shared<SensitivityArgs>();
  auto* cmd = app.add_subcommand(
      "sensitivity", "Rank every parameter by its local normalised effect on the outcomes");
  cmd->add_option("config", args->config,
                  "TOML config (local), or sweep spec for morris/sobol (default: " + std::string(kDefaultGlobalSpec) + ")")
      ->capture_default_str();
  cmd->add_option("--method", args->method,
                  "local: d ln(outcome)/d ln(parameter) at the values; morris: elementary effects; "
                  "sobol: Saltelli first-order and total indices over the spec's ranges")
      ->check(CLI::IsMember({"local", "morris", "sobol"}))
      ->capture_default_str();
  cmd->add_option("--set", args->sets, "Override a config value: dotted.key=value (repeatable)");
  add_unset_option(cmd, args->unsets, "the config (or the spec's base config)");
  cmd->add_option("--param", args->options.parameters,
                  "Parameter to perturb (repeatable; default: every one with a non-zero value)");
  cmd->add_option("--readout", args->readouts,
                  "Readout to differentiate (repeatable; default: firmness_gain, collagen_induction)");
  cmd->add_option("--at", args->options.at_day, "Day at which outcomes are read (default: the end)")->check(day());
  cmd->add_option("--step", args->options.log_step, "Perturbation in ln(parameter)")->capture_default_str();
  cmd->add_option("--top", args->top, "Print only the N most influential (default: all)")
      ->check(whole_number(0, std::numeric_limits<int>::max()));
  cmd->add_option("-o,--output,--output-file", args->output_files,
                  "Write the table to this HDF5 file (morris/sobol: the sweep file; default: the spec's output)");
  cmd->add_option("-j,--threads", args->threads,
                  "Runs at once (default: all cores; at most 4 per hardware thread; results do not depend on it)")
      ->check(thread_count());
  cmd->add_flag(kIgnoreLimitsFlag, args->ignore_limits, kIgnoreLimitsHelp);
  cmd->add_flag("-q,--quiet", args->quiet, "No progress bar");
  return {cmd,
          [args](const CancelFlag* cancel) {
            args->sets = config_edits(args->unsets, args->sets);
            args->unsets.clear();
            return run_sensitivity(*args, cancel);
          },
          {}, {}, {}};
}

}  // namespace citsim::cli
