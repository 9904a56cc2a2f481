// citsim ensemble [--targets FILE] [--scenarios DIR] [--free NAME[:LO:HI]]... [--exclude ID]...
//                 [--population N] [--waves N] [--max-evals N] [--seed S] [--set k=v]... [-j N] -o FILE
//
// A parameter ensemble from the calibration targets by ABC-SMC (calibration/abc_smc.hpp),
// written as an ensemble file (io/ensemble_file.hpp) that `citsim run --bands --ensemble` takes.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "citsim/calibration/abc_smc.hpp"
#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/ensemble_file.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/validation/targets.hpp"
#include "citsim/version.hpp"
#include "command_files.hpp"
#include "commands.hpp"
#include "config_edits.hpp"
#include "numeric_options.hpp"
#include "progress.hpp"

namespace citsim::cli {
namespace {

struct EnsembleArgs {
  std::string targets = "configs/validation/targets.toml", scenarios, output = "results/ensemble.toml";
  std::vector<std::string> free, exclude, sets, unsets;
  AbcSmcOptions options;
  int threads = 0;
  bool quiet = false;
};

int run_ensemble(EnsembleArgs& a, const CancelFlag* cancel) {
  // 1. The targets (less those left out), their scenarios and the parameters that vary.
  std::vector<Target> all = load_targets(a.targets), targets;
  for (const std::string& id : a.exclude)
    if (std::none_of(all.begin(), all.end(), [&](const Target& t) { return t.id == id; }))
      throw ConfigError("--exclude", 0, "", id, fmt::format("is no target of {}", a.targets));
  for (const Target& t : all)
    if (std::find(a.exclude.begin(), a.exclude.end(), t.id) == a.exclude.end()) targets.push_back(t);
  if (targets.empty()) throw ConfigError("--exclude", 0, "", "", "leaves no target");
  const std::string scenarios = scenario_dir(a.targets, a.scenarios);
  AbcSmcOptions& o = a.options;
  if (!a.free.empty()) {
    o.free.clear();
    for (const std::string& f : a.free) o.free.push_back(parse_free_parameter(f));
  }
  o.overrides = config_edits(a.unsets, a.sets);
  o.threads = a.threads;
  o.cancel = cancel;

  // 2. Nothing read may be replaced by the output.
  const RunConfig first = starting_config(targets, scenarios, o.overrides);
  check_files({{a.output, "the ensemble to write, -o"}}, files_read_by(a.targets, targets, scenarios, o.overrides));
  check_writable(a.output);

  // 3. The waves, with progress.
  ProgressBar bar("ensemble", !a.quiet);
  AbcSmcResult r;
  try {
    r = abc_smc(targets, scenarios, first.parameters, o, [&](int wave, int evaluations, int accepted) {
      bar.update(evaluations, o.max_evaluations);
      if (!a.quiet && !stderr_is_terminal() && accepted == o.population)
        fmt::print(stderr, "ensemble: wave {} complete after {} evaluations\n", wave, evaluations);
    });
  } catch (const Interrupted&) {
    throw Interrupted(fmt::format("ensemble interrupted; {} not written", a.output));
  }
  bar.finish();

  // 4. The file, with how it was made; then the waves.
  std::string ids, waves;
  for (const Target& t : targets) ids += (ids.empty() ? "" : ", ") + t.id;
  for (std::size_t k = 0; k < r.waves.size(); ++k)
    waves += fmt::format("\n  wave {}: tolerance {:.4g}, {} evaluated, effective size {:.1f}", k, r.waves[k].tolerance,
                         r.waves[k].evaluated, r.waves[k].effective_size);
  r.ensemble.source = fmt::format("ABC-SMC on {} ({} targets: {}), population {}, seed {}; final tolerance {:g}",
                                  a.targets, targets.size(), ids, o.population, o.seed, r.tolerance);
  std::string command = "citsim ensemble --targets " + a.targets;
  if (!a.scenarios.empty()) command += " --scenarios " + a.scenarios;
  for (const std::string& x : a.exclude) command += " --exclude " + x;
  for (const std::string& f : a.free) command += " --free " + f;
  for (const std::string& s : o.overrides) command += " --set " + s;
  command += fmt::format(" --population {} --waves {} --max-evals {} --batch {} --seed {} -o {}", o.population,
                         o.max_waves, o.max_evaluations, o.batch, o.seed, a.output);
  write_ensemble_file(a.output, r.ensemble,
                      fmt::format("citsim parameter ensemble (docs/uncertainty.md), written by citsim {}:\n  {}\n"
                                  "{} evaluations in {} waves:{}",
                                  kVersion, command, r.evaluations, r.waves.size(), waves));
  fmt::print("{} members over {} parameters after {} evaluations in {} waves; final tolerance {:g}{}\n",
             r.ensemble.members.size(), r.ensemble.parameters.size(), r.evaluations, r.waves.size(), r.tolerance,
             r.tolerance == 0.0 ? " (every member meets every target)" : "");
  fmt::print("wrote {} (use it with citsim run --bands --ensemble {})\n", a.output, a.output);
  return 0;
}

}  // namespace

Command add_ensemble_command(CLI::App& app) {
  auto args = std::make_shared<EnsembleArgs>();
  auto* cmd = app.add_subcommand("ensemble", "Build a parameter ensemble from the calibration targets (ABC-SMC)");
  cmd->add_option("--targets", args->targets, "Targets file")->capture_default_str();
  cmd->add_option("--scenarios", args->scenarios, "Scenario configs (default: beside the targets)");
  cmd->add_option("-o,--output", args->output, "Ensemble file to write")->capture_default_str();
  cmd->add_option("--free", args->free,
                  "Parameter that varies, NAME or NAME:LO:HI (repeatable; default: the calibrated set of docs/model.md §3)");
  cmd->add_option("--exclude", args->exclude, "Leave this target out (repeatable)");
  cmd->add_option("--population", args->options.population, "Members of every wave")
      ->check(whole_number(2, 100000))
      ->capture_default_str();
  cmd->add_option("--waves", args->options.max_waves, "Most waves")->check(whole_number(1, 1000))->capture_default_str();
  cmd->add_option("--max-evals", args->options.max_evaluations, "Most parameter sets evaluated over all waves")
      ->check(whole_number(2, 100000000))
      ->capture_default_str();
  cmd->add_option("--batch", args->options.batch, "Parameter sets drawn and evaluated together (the result depends on it, not on -j)")
      ->check(whole_number(1, 100000))
      ->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Seed of the draws")
      ->check(whole_number(0, std::numeric_limits<std::int64_t>::max()))
      ->capture_default_str();
  cmd->add_option("--set", args->sets, "Override a value in every scenario: dotted.key=value (repeatable)");
  add_unset_option(cmd, args->unsets, "every scenario");
  cmd->add_option("-j,--threads", args->threads,
                  "Parameter sets evaluated at once (default: all cores; at most 4 per hardware thread; results do not depend on it)")
      ->check(thread_count());
  cmd->add_flag("-q,--quiet", args->quiet, "No progress");
  return {cmd, [args](const CancelFlag* cancel) { return run_ensemble(*args, cancel); }, {}, {}, {}};
}

}  // namespace citsim::cli
