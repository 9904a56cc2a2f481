// citsim: the command line.
//
//   citsim run CONFIG [-o OUT] [--set key=value]... [--quiet] [--ignore-limits]
//   citsim check CONFIG [--set key=value]... [--ignore-limits]
//   citsim params
//
//   citsim validate [--targets FILE] [--scenarios DIR] [--set key=value]...
//   citsim calibrate [--targets FILE] [--free NAME[:LO:HI]]... [--set key=value]... [-o FILE]
//   citsim sensitivity [CONFIG] [--param NAME]... [--readout NAME]... [-o FILE.h5]
//   citsim sweep SPEC [-o OUT] [--shard i/N] [--sensitivity morris|sobol];  citsim merge SHARD... -o OUT
//   citsim report RUN.h5 [RUN2.h5 ...] [-o report.html] [--label NAME]...
//   citsim explorer [-o explorer.html]
//
// Exit codes: 0 ok, 1 a validation target failed, 2 bad input (config, files), 3 numerical failure,
// 4 a sweep (or merge) finished but some of its runs failed, 130 / 143 interrupted by SIGINT / SIGTERM,
// 128 + N by another signal N (src/cli/interrupt.hpp).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstdint>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <set>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/io/hdf5_file.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/io/run_output.hpp"
#include "citsim/io/xdmf.hpp"
#include "citsim/model/injury.hpp"
#include "citsim/model/tissue.hpp"
#include "citsim/run.hpp"
#include "citsim/threads.hpp"
#include "citsim/calibration/calibrate.hpp"
#include "citsim/ensemble/bands.hpp"
#include "citsim/io/ensemble_file.hpp"
#include "citsim/io/parameter_file.hpp"
#include "citsim/validation/metrics.hpp"
#include "citsim/version.hpp"
#include "command_files.hpp"
#include "commands.hpp"
#include "config_edits.hpp"
#include "interrupt.hpp"
#include "isolated.hpp"
#include "limit_warning.hpp"
#include "numeric_options.hpp"
#include "cmd_report.hpp"
#include "config_edits.hpp"
#include "progress.hpp"

namespace {

using namespace citsim;

using cli::kExitBadInput;
using cli::kExitNumerical;

void print_warnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) fmt::print(stderr, "warning: {}\n", w);
}

/// The resolved protocol: what each session does (docs/model.md §2).
void print_protocol(const RunConfig& cfg) {
  const Parameters pp = patient_parameters(cfg.parameters, cfg.patient);
  fmt::print("config    {}\nlevel     {}   patient: age {:g}, laxity {}{}{}{}\n", cfg.source_path,
             to_string(cfg.level), cfg.patient.age, to_string(cfg.patient.laxity_cause),
             cfg.patient.smoker ? ", smoker" : "", cfg.patient.keloid_tendency ? ", keloid tendency" : "",
             cfg.patient.anticoagulant ? ", anticoagulant" : "");
  fmt::print("sessions  {} (run ends at day {:g})\n", cfg.protocol.sessions.size(), cfg.protocol.end_days);
  if (cfg.protocol.sessions.empty()) return;
  fmt::print("{:>3} {:>7} {:>7} {:>6} {:>8} {:>7} {:>7} {:>8} {:>8} {:>6}  {}\n", "#", "day", "device",
             "L mm", "ch/cm2", "d_eff", "d_derm", "phi_derm", "phich_d", "bleed", "needle");
  int k = 0;
  for (const Session& s : cfg.protocol.sessions) {
    const ChannelInjury inj(s, pp);
    fmt::print("{:>3} {:>7.1f} {:>7} {:>6.2f} {:>8.1f} {:>7.3f} {:>7.3f} {:>8.4f} {:>8.4f} {:>6}  d={:g} tip={:g} s={:g} {}\n",
               ++k, s.time, to_string(s.device), s.needle_length, s.density, inj.d_eff(), inj.d_derm(),
               inj.mean_injured_fraction(0.0, pp.z_reticular), inj.mean_channel_fraction(0.0, pp.z_reticular),
               inj.reached_plexus() ? "yes" : "no", s.needle_diameter, s.tip_length, s.sharpness,
               to_string(s.sterility));
  }
}

int cmd_run(const std::string& config_path, const std::vector<std::string>& sets, const std::string& out,
            bool quiet, int threads, bool ignore_limits, const std::string& ensemble_path, const CancelFlag* cancel) {
  // 1. Read and validate the config (nothing is written if it is bad).
  RunConfig cfg = load_config(config_path, sets);
  cfg.numerics.threads = threads;
  const std::string path = out.empty() ? cfg.output.path : out;
  if (!quiet) print_warnings(cfg.warnings);
  // The output (and a 2D/3D run's sidecar) must not replace the config or its parameter table.
  std::vector<NamedFile> outputs{{path, out.empty() ? "the output, output.path" : "the output, -o"}};
  if (cfg.level == ModelLevel::TwoD || cfg.level == ModelLevel::ThreeD)
    outputs.push_back({xdmf_path(path), "its XDMF sidecar"});
  // The ensemble of --bands, read before any work.
  std::optional<ParameterEnsemble> ensemble;
  std::vector<NamedFile> inputs = cli::files_read_by(cfg);
  if (!ensemble_path.empty()) {
    ensemble = read_ensemble_file(ensemble_path);
    inputs.push_back({ensemble_path, "the parameter ensemble, --ensemble"});
  }
  check_files(outputs, inputs);

  // 2. Limits: memory and disk it will need, and a writable output, before any work.
  const RunEstimate estimate = estimate_run(cfg);
  const OnLimit on = cli::on_limit(ignore_limits);
  cli::warn_limit(check_memory(cfg, estimate, 1, on));
  cli::warn_limit(check_output(path, estimate.file_bytes, "the run's file (" + estimate.grid + ", uncompressed bound)",
                               "raise output.profile_dt or output.dt, coarsen the grid, or choose another -o", on));

  // 3. Integrate, with a progress bar on a terminal.
  cli::ProgressBar bar("citsim " + to_string(cfg.level), !quiet);
  RunResult result;
  try {
    result = run_simulation(cfg, [&bar](double t, double end) { bar.update(t, end); }, cancel);
    throw_if_cancelled(cancel, "run interrupted after the integration");
  } catch (const Interrupted& e) {
    throw Interrupted(fmt::format("{}; {} not written", e.what(), path));
  }
  bar.finish();

  // 4. With --bands: the same config once per member of the ensemble, quantiles over them.
  std::optional<EnsembleBands> bands;
  if (ensemble) {
    cli::ProgressBar members("bands", !quiet);
    try {
      bands = ensemble_bands(cfg, *ensemble, kBandQuantiles, threads, cancel,
                             [&members](int done, int total) { members.update(done, total); });
    } catch (const Interrupted& e) {
      throw Interrupted(fmt::format("{}; {} not written", e.what(), path));
    }
    members.finish();
  }

  // 5. Write the file atomically (a signal during the write is honoured once it is complete).
  write_run(path, result, cfg, bands ? &*bands : nullptr);

  // 6. Summarise.
  if (!quiet) {
    for (std::size_t i = cfg.warnings.size(); i < result.warnings.size(); ++i)
      fmt::print(stderr, "warning: {}\n", result.warnings[i]);
    const std::size_t last = result.time.size() - 1;
    fmt::print("citsim {} run of {} session(s), day 0 to {:g}: {:.3f} s, {} split steps, {} kinetics steps\n",
               to_string(cfg.level), cfg.protocol.sessions.size(), cfg.protocol.end_days,
               result.wall_seconds, result.stats.split_steps, result.stats.kinetics_steps);
    fmt::print("  at day {:g}: firmness gain {:+.2f} %  (R0 {:.4f} -> {:.4f} mm)\n", result.time[last],
               result.readout("firmness_gain").values[last], result.pre_treatment_R0,
               result.readout("R0").values[last]);
    fmt::print("              collagen induction {:+.2f} %, elastin change {:+.2f} %, R7 {:.3f}\n",
               result.readout("collagen_induction").values[last],
               result.readout("elastin_change").values[last], result.readout("R7").values[last]);
    if (bands) {
      int failed = 0;
      for (const std::string& f : bands->failures) failed += f.empty() ? 0 : 1;
      fmt::print("  bands of {} members ({} failed){}:\n", bands->failures.size(), failed,
                 bands->held.empty() ? "" : fmt::format(", held at the config: {}", fmt::join(bands->held, ", ")));
      const std::size_t nt = bands->time.size();
      for (const ReadoutBand& b : bands->readouts)
        if (b.name == "firmness_gain" || b.name == "collagen_induction")
          fmt::print("    {:<20} 90 % band at day {:g}: [{:+.2f}, {:+.2f}] %, median {:+.2f} %\n", b.name,
                     bands->time[last], b.values[nt - 1], b.values[4 * nt + nt - 1], b.values[2 * nt + nt - 1]);
    }
    fmt::print("  wrote {}\n", path);
  }
  return 0;
}

int cmd_check(const std::string& config_path, const std::vector<std::string>& sets, bool ignore_limits) {
  const RunConfig cfg = load_config(config_path, sets);
  print_warnings(cfg.warnings);
  print_protocol(cfg);
  const Parameters& p = cfg.parameters;
  fmt::print("rest      loop gain G(v_max) = {:.3f} (must be < 1)\n",
             loop_gain(p, max_vascular_density(p)));
  fmt::print("output    {} (every {:g} d, every {:g} d for {:g} d after sessions)\n", cfg.output.path,
             cfg.output.dt, cfg.output.dense_dt, cfg.output.dense_days);

  // What the run will need against what there is; refused here as `run` would refuse it.
  const RunEstimate e = estimate_run(cfg);
  const auto memory = available_memory();
  const auto disk = available_disk(cfg.output.path);
  fmt::print("needs     {}: {} record times, {} profile times\n", e.grid, e.record_times, e.profile_times);
  fmt::print("          memory ≈ {} (peak; {} model and state, {} results){}\n", format_bytes(e.memory_bytes),
             format_bytes(e.model_bytes), format_bytes(e.stored_bytes),
             memory ? fmt::format("; {} available ({})", format_bytes(memory->bytes), memory->source) : "");
  fmt::print("          file   ≤ {} (uncompressed bound){}\n", format_bytes(e.file_bytes),
             disk ? fmt::format("; {} available ({})", format_bytes(disk->bytes), disk->source) : "");
  const OnLimit on = cli::on_limit(ignore_limits);
  cli::warn_limit(check_memory(cfg, e, 1, on));
  cli::warn_limit(check_disk(cfg.output.path, e.file_bytes, "the run's file (" + e.grid + ", uncompressed bound)",
                             "raise output.profile_dt or output.dt, coarsen the grid, or set output.path elsewhere", on));
  fmt::print("ok\n");
  return 0;
}

int cmd_validate(const std::string& targets_path, std::string scenario_dir, const std::vector<std::string>& sets,
                 bool quiet, int threads, const CancelFlag* cancel) {
  // 1. Read the targets; scenarios sit beside them unless told otherwise.
  const std::vector<Target> targets = load_targets(targets_path);
  scenario_dir = cli::scenario_dir(targets_path, scenario_dir);

  // 2. Evaluate every target, several at once (scenario runs are shared between targets; --set
  //    applies to each; a signal stops the runs under way).
  ScenarioRunner runner(scenario_dir, {}, sets, cancel);
  cli::ProgressBar bar("validate", !quiet);
  std::vector<TargetOutcome> outcomes;
  try {
    outcomes = evaluate_targets(targets, runner, threads, [&](int done, int total) { bar.update(done, total); });
  } catch (const Interrupted&) {
    throw Interrupted("validation interrupted; nothing was checked");
  }
  bar.finish();

  // 3. Report them in the file's order; the first target without a value stops here, as it would alone.
  int failed = 0;
  fmt::print("{:<27} {:>10}  {:<19} {:<5} {}\n", "target", "value", "interval", "", "source / note");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    if (outcomes[i].error) std::rethrow_exception(outcomes[i].error);
    const MetricValue& m = outcomes[i].metric;
    failed += m.pass ? 0 : 1;
    const std::string source = t.source.substr(0, t.source.find(" [")).substr(0, 60);
    fmt::print("{:<27} {:>10.4g}  [{:>7.4g}, {:>7.4g}] {:<5} {}{}\n", t.id, m.value, t.lo, t.hi,
               m.pass ? "pass" : "FAIL", source, m.note.empty() ? "" : "  (" + m.note + ")");
  }
  fmt::print("{} of {} targets pass ({} scenario runs)\n", targets.size() - failed, targets.size(),
             runner.runs());
  return failed == 0 ? 0 : 1;
}

/// A range end in 4 significant digits rounded into the range (the minimum up, the maximum down),
/// so that a value copied from the table is accepted: k_tx's minimum 0.000126602… printed as
/// 0.0001266 was refused.
std::string range_end(double x, bool lower) {
  if (x == 0.0 || !std::isfinite(x)) return fmt::format("{:g}", x);
  for (int digits = 4; digits < 17; ++digits) {
    const double scale = std::pow(10.0, digits - 1 - static_cast<int>(std::floor(std::log10(std::abs(x)))));
    const double rounded = (lower ? std::ceil(x * scale) : std::floor(x * scale)) / scale;
    const std::string text = fmt::format("{:.{}g}", rounded, digits);
    const double back = std::strtod(text.c_str(), nullptr);
    if (lower ? back >= x : back <= x) return text;
  }
  return fmt::format("{}", x);
}

int cmd_params() {
  fmt::print("{:<22} {:>12} {:<12} {:<10} {:<23} {}\n", "name", "value", "unit", "group", "allowed", "source");
  for (const ParameterDefault& d : parameter_defaults()) {
    const ParameterSpec& s = *d.spec;
    const bool own_source = !d.fitted || d.source.rfind("docs/model.md", 0) == 0;
    const std::string source = own_source ? d.source : fmt::format("{} (model default {:g})", d.source, s.default_value);
    fmt::print("{:<22} {:>12.6g} {:<12} {:<10} [{:<9}, {:>9}] {}\n", s.name, d.value, s.unit,
               to_string(s.group), range_end(s.min, true), range_end(s.max, false), source);
  }
  return 0;
}

// A loss evaluation runs every scenario (seconds): these bound a fit to months, not forever
// (NLopt takes a count <= 0 as no limit at all).
constexpr std::int64_t kMaxEvaluations = 1'000'000;
constexpr std::int64_t kMaxStarts = 1000;

struct CalibrateArgs {
  std::string targets, scenarios, output;
  std::vector<std::string> free, sets;
  int max_evaluations = 300, starts = 1;
  std::uint64_t seed = 1;
  bool quiet = false;
  int threads = 0;
};

int cmd_calibrate(const CalibrateArgs& a, const CancelFlag* cancel) {
  // 1. Targets, scenarios and the parameters to fit.
  const std::vector<Target> targets = load_targets(a.targets);
  const std::string scenarios = cli::scenario_dir(a.targets, a.scenarios);
  CalibrationOptions options;
  if (!a.free.empty()) {
    options.free.clear();
    for (const std::string& f : a.free) options.free.push_back(parse_free_parameter(f));
  }
  options.max_evaluations = a.max_evaluations;
  options.starts = a.starts;
  options.seed = a.seed;
  options.overrides = a.sets;
  options.threads = a.threads;
  options.cancel = cancel;  // a signal stops the runs under way

  // 2. Minimise the loss from the values the scenarios run with, once the table can be written:
  //    it must not replace the targets, a scenario or a parameter table the scenarios read.
  const RunConfig first = starting_config(targets, scenarios, options.overrides);
  check_files({{a.output, "the parameter table to write, -o"}},
              cli::files_read_by(a.targets, targets, scenarios, options.overrides));
  check_writable(a.output);
  const Parameters start = first.parameters;
  cli::ProgressBar bar("calibrate", !a.quiet);
  const int budget = options.max_evaluations * std::max(1, options.starts) + 1;
  constexpr const char* kStopped = "calibration interrupted; the parameter table was not written";
  CalibrationResult r;
  try {
    r = calibrate(targets, scenarios, start, options, [&](int n, double, double best) {
      throw_if_cancelled(cancel, kStopped);  // polled after every loss evaluation
      bar.update(n, budget);
      if (!a.quiet && !cli::stderr_is_terminal() && n % 10 == 0)
        fmt::print(stderr, "calibrate: {} evaluations, best loss {:.6g}\n", n, best);
    });
  } catch (const Interrupted&) {
    throw Interrupted(kStopped);  // a run stopped inside a loss evaluation
  } catch (const NumericalError&) {
    // NLopt turns an exception in the objective into its own failure: say what it was.
    throw_if_cancelled(cancel, kStopped);
    throw;
  }
  bar.finish();

  // 3. Report what moved and how every target stands.
  fmt::print("loss {:.6g} -> {:.6g} after {} evaluations\n", r.start_loss, r.loss, r.evaluations);
  fmt::print("{:<10} {:>12} {:>12} {:>9}  {}\n", "parameter", "start", "fitted", "change", "range");
  for (const FreeParameter& f : options.free) {
    const double p0 = start.*find_parameter(f.name)->field, p1 = r.fitted.*find_parameter(f.name)->field;
    fmt::print("{:<10} {:>12.6g} {:>12.6g} {:>+8.1f}%  [{:g}, {:g}]{}\n", f.name, p0, p1,
               p0 != 0.0 ? 100.0 * (p1 / p0 - 1.0) : 0.0, f.lo, f.hi, f.log_scale ? " log" : "");
  }
  int failed = 0;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    failed += r.metrics[i].pass ? 0 : 1;
    fmt::print("  {:<27} {:>10.4g}  [{:g}, {:g}] {}\n", targets[i].id, r.metrics[i].value, targets[i].lo,
               targets[i].hi, r.metrics[i].pass ? "pass" : "FAIL");
  }

  // 4. Write the table: every free parameter with unit and provenance.
  const std::vector<FittedValue> values = fitted_parameter_table(first, targets, a.targets, options, r);
  write_parameter_file(a.output, values,
                       fmt::format("citsim's fitted parameter table, written by `citsim calibrate --targets {} "
                                   "--seed {} --starts {} --max-evals {}` (citsim {}).\n"
                                   "Loss {:.6g} (from {:.6g}), {} of {} targets pass. Use it with model.parameter_file, or\n"
                                   "rebuild with it as configs/parameters.toml to make it the default.",
                                   a.targets, a.seed, a.starts, a.max_evaluations, kVersion, r.loss,
                                   r.start_loss, targets.size() - failed, targets.size()));
  fmt::print("wrote {} (use it with --set model.parameter_file={}, or rebuild with it as configs/parameters.toml)\n",
             a.output, a.output);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  skip_hdf5_cleanup_at_exit();  // before any HDF5 call: a failed close must not crash the exit
  CLI::App app{"citsim: simulator of collagen-induction therapy (microneedling).\n"
               "Injury, inflammation, fibroblasts, collagen III then I, elastin, cross-linking and\n"
               "remodeling over a course of sessions; firmness and elasticity by a virtual Cutometer.",
               "citsim"};
  app.set_version_flag("--version", std::string("citsim ") + kVersion);
  // Command-line mistakes read like every other error ("error: runs: File does not exist: x.h5").
  app.failure_message([](const CLI::App* a, const CLI::Error& e) { return "error: " + CLI::FailureMessage::simple(a, e); });
  app.require_subcommand(1);
  app.footer("\nExamples:\n"
             "  citsim run configs/default.toml                    six pen sessions, 1D, to results/default.h5\n"
             "  citsim run configs/default.toml --set model.level=0d -o results/0d.h5\n"
             "  citsim run configs/default.toml --set patient.age=65 --set model.parameters.k_tx=0.001\n"
             "  citsim check configs/default.toml                  validate, print the resolved sessions\n"
             "  citsim params                                      every parameter with unit and source\n"
             "  citsim validate                                    check the calibration targets\n"
             "  citsim sensitivity --top 10                        the parameters that matter most\n"
             "  citsim report results/default.h5 -o report.html    interactive page (offline)\n"
             "  citsim explorer -o explorer.html                   the model live in a page, for a class\n"
             "\nExit codes: 0 ok, 1 a validation target failed, 2 bad input, 3 numerical failure,\n"
             "4 a sweep or merge finished with failed runs, 130 interrupted (SIGINT), 143 terminated (SIGTERM),\n"
             "128 + N stopped by another signal N (129 SIGHUP, ...).");

  std::string config_path, out;
  std::vector<std::string> sets, unsets;
  bool quiet = false, ignore_limits = false;
  int threads = 0;

  auto* run = app.add_subcommand("run", "Run a config and write its HDF5 file");
  run->add_option("config", config_path, "TOML config file")->required();
  run->add_option("-o,--output", out, "Output file (default: [output] path of the config)");
  run->add_option("--set", sets, "Override a config value: dotted.key=value (repeatable)");
  cli::add_unset_option(run, unsets, "the config");
  run->add_flag("-q,--quiet", quiet, "No progress bar and no summary");
  run->add_option("-j,--threads", threads,
                  "Threads (default: one for 0D and 1D, all cores for 2D and 3D fields; "
                  "at most 4 per hardware thread; results do not depend on it)")
      ->check(cli::thread_count());
  run->add_flag(kIgnoreLimitsFlag, ignore_limits, cli::kIgnoreLimitsHelp);
  bool bands_flag = false;
  std::string ensemble_path;
  auto* bands_opt = run->add_flag("--bands", bands_flag,
                "Also run the config once per member of a parameter ensemble and write every readout's "
                "quantiles (0.05 0.25 0.5 0.75 0.95) under /bands (docs/uncertainty.md)");
  run->add_option("--ensemble", ensemble_path, "The parameter ensemble of --bands (an ensemble file)")
      ->check(CLI::ExistingFile)
      ->needs(bands_opt);

  auto* check = app.add_subcommand("check", "Validate a config and print the resolved protocol");
  check->add_option("config", config_path, "TOML config file")->required();
  check->add_option("--set", sets, "Override a config value: dotted.key=value (repeatable)");
  cli::add_unset_option(check, unsets, "the config");
  check->add_flag(kIgnoreLimitsFlag, ignore_limits, "Report the limits a run would exceed as warnings, as run --ignore-limits would");

  app.add_subcommand("params", "Print the parameter table: name, default, unit, range, source");

  std::string targets_path = "configs/validation/targets.toml", scenario_dir;
  auto* validate = app.add_subcommand(
      "validate", "Run the calibration scenarios and check every target (exit 1 if any fails)");
  validate->add_option("--targets", targets_path, "Targets file")->capture_default_str();
  validate->add_option("--scenarios", scenario_dir,
                       "Directory of scenario configs (default: the targets file's directory)");
  std::vector<std::string> validate_sets, validate_unsets;
  validate->add_option("--set", validate_sets, "Override a value in every scenario: dotted.key=value (repeatable)");
  cli::add_unset_option(validate, validate_unsets, "every scenario");
  validate->add_flag("-q,--quiet", quiet, "No progress bar");
  validate->add_option("-j,--threads", threads,
                       "Scenario runs at once (default: all cores; at most 4 per hardware thread; results do not depend on it)")
      ->check(cli::thread_count());

  CalibrateArgs cal;
  cal.targets = "configs/validation/targets.toml";
  // Never the built-in table by default: configs/parameters.toml is tracked and compiled in, and a
  // fit is replaced there only on purpose (-o configs/parameters.toml, then a rebuild).
  cal.output = "results/parameters.fitted.toml";
  auto* calib = app.add_subcommand("calibrate", "Fit free parameters to the calibration targets (NLopt BOBYQA)");
  calib->add_option("--targets", cal.targets, "Targets file")->capture_default_str();
  calib->add_option("--scenarios", cal.scenarios, "Scenario configs (default: beside the targets)");
  calib->add_option("-o,--output", cal.output,
                    "Parameter table to write (use it with --set model.parameter_file=FILE; "
                    "configs/parameters.toml is the built-in one)")
      ->capture_default_str();
  calib->add_option("--free", cal.free, "Parameter to fit, NAME or NAME:LO:HI (repeatable; default: the calibrated set of docs/model.md §3)");
  calib->add_option("--max-evals", cal.max_evaluations, "Loss evaluations per start")
      ->check(cli::whole_number(1, kMaxEvaluations))
      ->capture_default_str();
  calib->add_option("--starts", cal.starts, "Starting points: the current values, then seeded random ones")
      ->check(cli::whole_number(1, kMaxStarts))
      ->capture_default_str();
  calib->add_option("--seed", cal.seed, "Seed of the random starts")
      ->check(cli::whole_number(0, std::numeric_limits<std::int64_t>::max()))
      ->capture_default_str();
  calib->add_option("--set", cal.sets, "Override a value in every scenario: dotted.key=value (repeatable)");
  std::vector<std::string> calib_unsets;
  cli::add_unset_option(calib, calib_unsets, "every scenario");
  calib->add_flag("-q,--quiet", cal.quiet, "No progress");
  calib->add_option("-j,--threads", threads,
                    "Scenario runs at once in a loss evaluation (default: all cores; at most 4 per hardware "
                    "thread; the fit does not depend on it)")
      ->check(cli::thread_count());

  const cli::Command sensitivity_cmd = cli::add_sensitivity_command(app);
  const cli::Command sweep_cmd = cli::add_sweep_command(app);
  const cli::Command merge_cmd = cli::add_merge_command(app);
  const cli::Command ensemble_cmd = cli::add_ensemble_command(app);
  cli::ReportArgs rep;
  auto* report = app.add_subcommand("report", "Write one self-contained interactive HTML page of runs (overlaid)");
  report->add_option("runs", rep.runs, "citsim run files (.h5)")->required()->check(CLI::ExistingFile);
  report->add_option("-o,--output", rep.output, "HTML file to write")->capture_default_str();
  report->add_option("--label", rep.labels, "Name of each run in legends, in order (default: file names)");
  report->add_flag("-q,--quiet", rep.quiet, "No summary line");
  const cli::Command explorer_cmd = cli::add_explorer_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (threads > 0) omp_set_num_threads(threads);

  // SIGINT/SIGTERM from here on only raise a flag the work polls (src/cli/interrupt.hpp).
  const cli::SignalGuard signals;
  const CancelFlag* cancel = signals.flag();
  // Whatever ends the work after a signal (Interrupted, or an error a library made of it), the
  // exit is the interruption's: 128 + signal, one line on stderr.
  const auto interrupted = [&](const std::string& what) {
    fmt::print(stderr, "citsim: interrupted by {}: {}\n", signals.signal_name(), what);
    return signals.exit_code();
  };
  const auto work = [&]() -> int {
    try {
      check_omp_num_threads();  // OpenMP's own thread count, held to -j's bound
      int code = 0;
      // --unset first: a key the config gives is removed, then --set may give its alternative.
      const std::vector<std::string> edits = cli::config_edits(unsets, sets);
      if (run->parsed()) {
        if (bands_flag && ensemble_path.empty())
          throw ConfigError("--bands", 0, "", "",
                            "needs --ensemble FILE, a parameter ensemble (docs/uncertainty.md)");
        code = cmd_run(config_path, edits, out, quiet, threads, ignore_limits, bands_flag ? ensemble_path : "", cancel);
      }
      else if (check->parsed()) code = cmd_check(config_path, edits, ignore_limits);
      else if (validate->parsed())
        code = cmd_validate(targets_path, scenario_dir, cli::config_edits(validate_unsets, validate_sets), quiet,
                            threads, cancel);
      else if (calib->parsed()) {
        cal.sets = cli::config_edits(calib_unsets, cal.sets);
        cal.threads = threads;
        code = cmd_calibrate(cal, cancel);
      }
      else if (sensitivity_cmd.app->parsed()) code = sensitivity_cmd.run(cancel);
      else if (sweep_cmd.app->parsed()) code = sweep_cmd.run(cancel);
      else if (merge_cmd.app->parsed()) code = merge_cmd.run(cancel);
      else if (ensemble_cmd.app->parsed()) code = ensemble_cmd.run(cancel);
      else if (report->parsed()) code = cli::cmd_report(rep, cancel);
      else if (explorer_cmd.app->parsed()) code = explorer_cmd.run(cancel);
      else code = cmd_params();
      if (signals.signal() != 0) return interrupted("the signal came after the work was done; its output is complete");
      return code;
    } catch (const Interrupted& e) {
      return interrupted(e.what());
    } catch (const ConfigError& e) {
      if (signals.signal() != 0) return interrupted(e.what());
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitBadInput;
    } catch (const IoError& e) {
      if (signals.signal() != 0) return interrupted(e.what());
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitBadInput;
    } catch (const NumericalError& e) {
      if (signals.signal() != 0) return interrupted(e.what());
      fmt::print(stderr, "error: {}\n", e.what());
      return kExitNumerical;
    } catch (const std::bad_alloc&) {
      // The limits checked before work missed it: still a message and the bad-input code, not an abort.
      fmt::print(stderr, "error: out of memory (std::bad_alloc): the grid, the output cadence or the number of runs "
                         "is too large for this machine; `citsim check` shows a run's estimate\n");
      return kExitBadInput;
    }
  };
  // Reading HDF5 files from elsewhere can crash libhdf5 itself: done in a child (isolated.hpp).
  // The child writes into a staged file that this process commits.
  if (merge_cmd.app->parsed())
    return cli::run_isolated(
        [&](const AtomicFile* into) {
          merge_cmd.write_into(into);
          return work();
        },
        merge_cmd.inputs(), merge_cmd.output(), signals);
  if (report->parsed()) {
    std::vector<NamedFile> runs;
    for (const std::string& r : rep.runs) runs.push_back({r, "a run file"});
    return cli::run_isolated(
        [&](const AtomicFile* into) {
          rep.into = into;
          return work();
        },
        runs, {rep.output, "the page, -o"}, signals);
  }
  return work();
}
