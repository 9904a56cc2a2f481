// citsim sweep: run a sweep spec (threads, MPI ranks or one shard of a job array), resumable.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/io/output_lock.hpp"
#include "citsim/sweep/analysis.hpp"
#include "citsim/sweep/mpi_runner.hpp"
#include "citsim/sweep/runner.hpp"
#include "citsim/sweep/shard.hpp"
#include "citsim/sweep/spec.hpp"
#include "citsim/sweep/store.hpp"
#include "command_files.hpp"
#include "commands.hpp"
#include "config_edits.hpp"
#include "limit_warning.hpp"
#include "numeric_options.hpp"
#include "progress.hpp"

namespace citsim::cli {
namespace {

namespace fs = std::filesystem;
using namespace citsim::sweep;

struct SweepArgs {
  std::string spec, output, shard, sensitivity;
  std::vector<std::string> sets, unsets;
  int threads = 0;
  bool restart = false, quiet = false, mpi = false, ignore_limits = false;
};

std::int64_t count_failed(const std::string& path) {
  std::int64_t n = 0;
  for (std::int8_t s : read_status(path)) n += s == static_cast<std::int8_t>(RunStatus::Failed) ? 1 : 0;
  return n;
}

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

int run_sweep(const SweepArgs& a, const CancelFlag* cancel) {
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
  Shard shard;
  if (!a.shard.empty()) shard = parse_shard(a.shard);
  else if (const auto s = shard_from_slurm(whole)) shard = *s;
  const std::string out = shard_path(whole, shard);
  const StoreLayout layout = make_layout(plan.spec, plan.design, shard);
  const std::string work_path = out + ".partial";
  const int threads = a.threads > 0 ? a.threads
                      : mpi        ? 1
                                   : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // 3. Rank 0: limits, then what is left to do. Workers only need the plan.
  std::unique_ptr<WorkFile> work;
  std::optional<OutputLock> lock;  // held until the final file is in place and the work file gone
  std::vector<std::int64_t> pending;
  bool complete = false;
  bool work_is_new = false;  // created by this command, so nothing of an earlier one is in it
  if (root) {
    try {
      std::error_code ec;
      // Neither file may replace the spec, the base config or its parameter table; one sweep at a
      // time writes them (two would interleave their runs in the work file).
      const RunConfig base = parse_config(plan.spec.base_text, plan.spec.base_path, plan.spec.base_sets);
      check_files({{out, a.output.empty() ? "the output, the spec's output" : "the output, -o"},
                   {work_path, "its work file"}},
                  files_read_by(plan.spec, base));
      lock.emplace(out, "sweep");
      if (a.restart) {
        // Only files this sweep could have written (never a device or a directory given as -o),
        // through a symbolic link to the file it names.
        for (const std::string& p : {out, work_path})
          if (fs::is_regular_file(p, ec)) fs::remove(resolve_output_path(p), ec);
      }
      // Limits before any run: every thread holds one run (of the base config; axes that change
      // the grid are not foreseen); the work file and the final file exist together at the end.
      const OnLimit on = on_limit(a.ignore_limits);
      warn_limit(check_memory(base, estimate_run(base),
                              static_cast<int>(std::min<std::int64_t>(threads, std::max<std::int64_t>(1, layout.rows()))), on));
      if (!fs::exists(out, ec) && !fs::exists(work_path, ec))
        warn_limit(check_output(out, store_bytes(layout, true) + store_bytes(layout, false),
                                fmt::format("the sweep ({} runs; its work file, then the final file beside it)", layout.rows()),
                                "shorten the series (series.dt, series.readouts), run fewer runs, or choose another -o", on));
      if (fs::exists(out, ec)) {
        std::string why;
        if (!same_sweep(read_layout(out), layout, &why))
          throw IoError(fmt::format("'{}' holds another sweep ({}); remove it, choose another -o, or run with --restart",
                                    out, why));
        complete = true;
        std::remove(work_path.c_str());  // left over if a kill came between rename and removal
      } else {
        work_is_new = !fs::exists(work_path, ec);
        work = std::make_unique<WorkFile>(work_path, layout);
        pending = work->pending();
      }
    } catch (...) {
      if (mpi) run_mpi(*mpi, plan, {}, threads, {});  // release the workers, then report
      throw;
    }
  }
  if (root && !quiet) {
    if (complete)
      fmt::print("{}: complete ({} runs); nothing to do\n", out, layout.rows());
    else
      fmt::print("sweep {}: {} design, {} run(s){}{}, {} to do, {} {}\n", a.spec, to_string(plan.design.spec().kind),
                 layout.total_runs,
                 shard.count > 1 ? fmt::format(", shard {}/{} has {}", shard.index, shard.count, layout.rows()) : "",
                 work && work->finished() > 0 ? fmt::format(", {} already done", work->finished()) : "", pending.size(),
                 mpi ? mpi->size() : threads, mpi ? "MPI ranks" : "thread(s)");
    // A batch log is a file or a pipe (fully buffered): without this the line is lost when the
    // job is killed (time limit, SIGKILL), and it is the line that says what a resumed job skipped.
    std::fflush(stdout);
  }

  // 4. The runs, each written as it finishes.
  const auto started = std::chrono::steady_clock::now();
  ProgressBar bar("sweep", !quiet);
  std::int64_t done = 0, failed_now = 0;
  const auto total = static_cast<double>(pending.size());
  const RecordSink sink = [&](RunRecord&& rec) {
    failed_now += rec.status == RunStatus::Failed ? 1 : 0;
    work->write(rec);
    bar.update(static_cast<double>(++done), total);
  };
  try {
    if (mpi)
      run_mpi(*mpi, plan, pending, threads, sink, cancel);
    else if (!complete)
      run_threads(plan, pending, threads, sink, cancel);
  } catch (const ConfigError&) {
    // The threads could not be started (thread_start_failure): a work file this command created
    // and no run reached is no state worth resuming.
    if (work && work_is_new && work->finished() == 0) {
      work->close();
      std::remove(work_path.c_str());
    }
    throw;
  } catch (const Interrupted&) {
    // Every finished run is in the work file (flushed as it was written); close it and say so.
    bar.finish();
    if (!root)
      throw Interrupted(fmt::format("rank {}: its run in progress is left to a resumed sweep", mpi->rank()));
    const std::int64_t finished = work->finished();
    work->close();
    throw Interrupted(fmt::format("{} of {} runs done ({} in this session); run the same command to resume",
                                  finished, layout.rows(), done));
  }
  bar.finish();
  if (!root) return kExitOk;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // 5. The final file, then the work file goes.
  int code = kExitOk;
  if (!complete) {
    work->close();
    const FinalSummary sum = write_final(out, layout, {work_path});
    std::remove(work_path.c_str());
    if (!quiet) {
      fmt::print("{} run(s) in {:.1f} s ({:.3f} s a run, {} {}); {} ok, {} failed\n", done, seconds,
                 done > 0 ? seconds / static_cast<double>(done) : 0.0, mpi ? mpi->size() : threads,
                 mpi ? "ranks" : "thread(s)", sum.ok, sum.failed);
      fmt::print("wrote {}\n", out);
    }
    code = report_failed_runs(out, sum.failed);
  } else {
    code = report_failed_runs(out, count_failed(out));
  }
  if (!quiet && shard.count == 1) print_sensitivity(layout, out);
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
  return run_sweep(a, cancel);
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
            return run_sweep(*args, cancel);
          },
          {}, {}, {}};
}

}  // namespace citsim::cli
