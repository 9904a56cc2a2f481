// citsim sweep: run a sweep spec (threads, MPI ranks or one shard of a job array), resumable.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <thread>

#include "citsim/errors.hpp"
#include "citsim/sweep/analysis.hpp"
#include "citsim/sweep/mpi_runner.hpp"
#include "citsim/sweep/run_sweep.hpp"
#include "citsim/sweep/runner.hpp"
#include "citsim/sweep/shard.hpp"
#include "citsim/sweep/spec.hpp"
#include "commands.hpp"
#include "config_edits.hpp"
#include "limit_warning.hpp"
#include "numeric_options.hpp"
#include "progress.hpp"

namespace citsim::cli {
namespace {

using namespace citsim::sweep;

struct SweepArgs {
  std::string spec, output, shard, sensitivity;
  std::vector<std::string> sets, unsets;
  int threads = 0;
  bool restart = false, quiet = false, mpi = false, ignore_limits = false;
};

void print_sensitivity(const StoreLayout& layout, const std::string& path) {
  if (layout.design.kind != DesignKind::Morris && layout.design.kind != DesignKind::Saltelli) return;
  const SensitivityTable t = read_sensitivity(path);
  fmt::print("\n{} sensitivity ({}), ranked:\n{}", t.method == "morris" ? "Morris" : "Sobol",
             t.method == "morris" ? "mu* = mean |elementary effect| per whole range" : "ST total, S1 first order, 95 % half-widths",
             format_sensitivity(t, layout.param_names, layout.outcome_names));
}

/// "results/x.shard-*-of-4.h5": the shell pattern of every shard file.
std::string shard_glob(const std::string& whole, std::int64_t count) {
  std::string p = shard_path(whole, Shard{0, count});
  const auto at = p.rfind(".shard-0-of-");
  return p.replace(at, 9, ".shard-*-");
}

int sweep_command(const SweepArgs& a, const CancelFlag* cancel) {
  // 1. MPI when a launcher started us (or --mpi); only rank 0 speaks and writes.
  std::unique_ptr<MpiSession> mpi;
  if (a.mpi || mpi_launched()) mpi = std::make_unique<MpiSession>();
  const bool root = !mpi || mpi->rank() == 0;
  const bool quiet = a.quiet || !root;

  // 2. The spec, the design and this process's shard.
  SpecOverrides o;
  o.sets = a.sets;
  if (a.sensitivity == "morris") o.design_kind = "morris";
  else if (a.sensitivity == "sobol") o.design_kind = "saltelli";
  SweepPlan plan = make_plan(load_sweep_spec(a.spec, o));
  const std::string whole = a.output.empty() ? plan.spec.output : a.output;
  SweepOptions options;
  if (!a.shard.empty()) options.shard = parse_shard(a.shard);
  else if (const auto s = shard_from_slurm(whole)) options.shard = *s;
  const Shard shard = options.shard;
  options.output = shard_path(whole, shard);
  options.output_role = a.output.empty() ? "the output, the spec's output" : "the output, -o";
  options.another_output = "another -o";
  options.restart_hint = "run with --restart";
  options.restart = a.restart;
  options.on_limit = on_limit(a.ignore_limits);
  options.threads = a.threads > 0 ? a.threads
                    : mpi        ? 1
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = options.threads;

  // 3. Workers only compute: rank 0 hands them runs and writes every record.
  if (!root) {
    try {
      run_mpi(*mpi, plan, {}, threads, {}, cancel);
    } catch (const Interrupted&) {
      throw Interrupted(fmt::format("rank {}: its run in progress is left to a resumed sweep", mpi->rank()));
    }
    return kExitOk;
  }

  // 4. Rank 0 (or the only process): the sweep library runs it, this command says what happens.
  ProgressBar bar("sweep", !quiet);
  SweepHooks hooks;
  hooks.warn = [](const std::string& finding) { warn_limit(finding); };
  hooks.start = [&](const SweepStart& s) {
    if (quiet) return;
    if (s.complete)
      fmt::print("{}: complete ({} runs); nothing to do\n", options.output, s.layout->rows());
    else
      fmt::print("sweep {}: {} design, {} run(s){}{}, {} to do, {} {}\n", a.spec, to_string(plan.design.spec().kind),
                 s.layout->total_runs,
                 shard.count > 1 ? fmt::format(", shard {}/{} has {}", shard.index, shard.count, s.layout->rows()) : "",
                 s.already_done > 0 ? fmt::format(", {} already done", s.already_done) : "", s.to_do,
                 mpi ? mpi->size() : threads, mpi ? "MPI ranks" : "thread(s)");
    // A batch log is a file or a pipe (fully buffered): without this the line is lost when the
    // job is killed (time limit, SIGKILL), and it is the line that says what a resumed job skipped.
    std::fflush(stdout);
  };
  hooks.progress = [&](std::int64_t done, std::int64_t to_do) {
    bar.update(static_cast<double>(done), static_cast<double>(to_do));
  };
  bool workers_released = !mpi;  // every rank waits in run_mpi until rank 0 gets there
  if (mpi)
    hooks.execute = [&](std::span<const std::int64_t> runs, const RecordSink& sink) {
      workers_released = true;
      run_mpi(*mpi, plan, runs, threads, sink, cancel);
    };
  SweepSummary sum;
  try {
    sum = run_sweep(plan, options, hooks, cancel);
  } catch (const Interrupted& e) {
    bar.finish();
    if (!workers_released) run_mpi(*mpi, plan, {}, threads, {});
    throw Interrupted(fmt::format("{}; run the same command to resume", e.what()));
  } catch (...) {
    if (!workers_released) run_mpi(*mpi, plan, {}, threads, {});  // release the workers, then report
    throw;
  }
  if (!workers_released) run_mpi(*mpi, plan, {}, threads, {}, cancel);  // complete: nothing to hand out
  bar.finish();

  // 5. What was done.
  if (!quiet && !sum.was_complete) {
    fmt::print("{} run(s) in {:.1f} s ({:.3f} s a run, {} {}); {} ok, {} failed\n", sum.done, sum.seconds,
               sum.done > 0 ? sum.seconds / static_cast<double>(sum.done) : 0.0, mpi ? mpi->size() : threads,
               mpi ? "ranks" : "thread(s)", sum.ok, sum.failed);
    fmt::print("wrote {}\n", options.output);
  }
  const int code = report_failed_runs(options.output, sum.failed);
  const StoreLayout layout = make_layout(plan.spec, plan.design, shard);
  if (!quiet && shard.count == 1) print_sensitivity(layout, options.output);
  if (!quiet && shard.count > 1)
    fmt::print("when all {} shards are done: citsim merge -o {} {}\n", shard.count, whole,
               shard_glob(whole, shard.count));
  return code;
}

}  // namespace

int report_failed_runs(const std::string& path, std::int64_t failed) {
  if (failed == 0) return kExitOk;
  fmt::print(stderr, "warning: {} run(s) failed; their messages are in {}:/sweep/message\n", failed, path);
  return kExitRunsFailed;
}

int run_global_sensitivity(const std::string& spec, const std::string& method, const std::string& output,
                           const std::vector<std::string>& sets, int threads, bool quiet, bool ignore_limits,
                           const CancelFlag* cancel) {
  SweepArgs a;
  a.spec = spec;
  a.sensitivity = method;
  a.output = output;
  a.sets = sets;
  a.threads = threads;
  a.quiet = quiet;
  a.ignore_limits = ignore_limits;
  return sweep_command(a, cancel);
}

Command add_sweep_command(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sub = app.add_subcommand("sweep", "Run a parameter sweep (grid, Latin hypercube, Sobol, Morris, Saltelli)");
  sub->add_option("spec", args->spec, "Sweep spec (TOML): base config, axes, design, outcomes")->required();
  sub->add_option("-o,--output", args->output, "Output HDF5 (default: the spec's output)");
  sub->add_option("--set", args->sets, "Override a base config value for every run: dotted.key=value (repeatable)");
  add_unset_option(sub, args->unsets, "the base config");
  sub->add_option("-j,--threads", args->threads,
                  "Runs at once (default: all cores; under MPI: per rank, 1; at most 4 per hardware thread)")
      ->check(thread_count());
  sub->add_option("--shard", args->shard,
                  "Run shard i of N (i/N, from 0) into OUT.shard-i-of-N.h5; default in a SLURM array: "
                  "i = SLURM_ARRAY_TASK_ID, N = CITSIM_SHARDS (or the array's size)");
  sub->add_option("--sensitivity", args->sensitivity, "Global sensitivity design over the axes' ranges")
      ->check(CLI::IsMember({"morris", "sobol"}));
  sub->add_flag("--restart", args->restart, "Discard earlier results of this output and start again");
  sub->add_flag("--mpi", args->mpi, "Use MPI even if no launcher variables are set");
  sub->add_flag(kIgnoreLimitsFlag, args->ignore_limits, kIgnoreLimitsHelp);
  sub->add_flag("-q,--quiet", args->quiet, "No progress bar and no summary");
  sub->footer(
      "\nA killed or interrupted sweep resumes: run the same command again. SIGINT/SIGTERM keep every\n"
      "finished run and exit 130/143; exit 4 means the sweep is complete but some runs failed (their\n"
      "messages are in /sweep/message). Results do not depend on -j, MPI ranks or shards. Examples:\n"
      "  citsim sweep configs/sweeps/needle_density.toml -j 2\n"
      "  mpirun -n 4 citsim sweep configs/sweeps/needle_density.toml\n"
      "  citsim sweep configs/sweeps/needle_density.toml --shard 0/4   (then citsim merge)\n"
      "  citsim sweep configs/sweeps/gsa_default.toml --sensitivity morris");
  return {sub,
          [args](const CancelFlag* cancel) {
            args->sets = config_edits(args->unsets, args->sets);
            args->unsets.clear();
            return sweep_command(*args, cancel);
          },
          {}, {}, {}};
}

}  // namespace citsim::cli
