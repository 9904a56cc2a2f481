#include "citsim/sweep/run_sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "citsim/errors.hpp"
#include "citsim/io/config.hpp"
#include "citsim/io/file_rules.hpp"
#include "citsim/io/output_lock.hpp"

namespace citsim::sweep {
namespace {

namespace fs = std::filesystem;

/// A sweep spec, its base config and the base's parameter table: no output may replace them.
std::vector<NamedFile> files_read_by(const SweepSpec& spec, const RunConfig& base) {
  std::vector<NamedFile> files{{spec.path, "the sweep spec"}, {spec.base_path, "the base config of the spec"}};
  if (!base.parameter_file.empty())
    files.push_back({base.parameter_file, "the parameter table (model.parameter_file)"});
  return files;
}

void warn(const SweepHooks& hooks, const std::optional<std::string>& finding) {
  if (finding && hooks.warn) hooks.warn(*finding);
}

std::int64_t count_status(const std::string& path, RunStatus status) {
  std::int64_t n = 0;
  for (std::int8_t s : read_status(path)) n += s == static_cast<std::int8_t>(status) ? 1 : 0;
  return n;
}

}  // namespace

SweepSummary run_sweep(const SweepPlan& plan, const SweepOptions& o, const SweepHooks& hooks,
                       const CancelFlag* cancel) {
  if (o.threads < 1)
    throw ConfigError("sweep", 0, "threads", std::to_string(o.threads), "must be at least 1");
  const std::string& out = o.output;
  const std::string work_path = out + ".partial";
  const StoreLayout layout = make_layout(plan.spec, plan.design, o.shard);
  SweepSummary summary;
  summary.path = out;

  // 1. The files: neither may replace the spec, the base config or its parameter table, and one
  //    sweep at a time writes them (two would interleave their runs in the work file).
  std::error_code ec;
  const RunConfig base = parse_config(plan.spec.base_text, plan.spec.base_path, plan.spec.base_sets);
  check_files({{out, o.output_role}, {work_path, "its work file"}}, files_read_by(plan.spec, base));
  const OutputLock lock(out, "sweep");  // held until the final file is in place and the work file gone
  if (o.restart) {
    // Only files this sweep could have written (never a device or a directory given as output),
    // through a symbolic link to the file it names.
    for (const std::string& p : {out, work_path})
      if (fs::is_regular_file(p, ec)) fs::remove(resolve_output_path(p), ec);
  }

  // 2. Limits before any run: every thread holds one run (of the base config; axes that change the
  //    grid are not foreseen); the work file and the final file exist together at the end.
  warn(hooks, check_memory(base, estimate_run(base),
                           static_cast<int>(std::min<std::int64_t>(o.threads, std::max<std::int64_t>(1, layout.rows()))),
                           o.on_limit));
  if (!fs::exists(out, ec) && !fs::exists(work_path, ec))
    warn(hooks, check_output(out, store_bytes(layout, true) + store_bytes(layout, false),
                             fmt::format("the sweep ({} runs; its work file, then the final file beside it)", layout.rows()),
                             fmt::format("shorten the series (series.dt, series.readouts), run fewer runs, or choose {}",
                                         o.another_output),
                             o.on_limit));

  // 3. What is left to do: nothing if the file is there, else what the work file lacks.
  std::unique_ptr<WorkFile> work;
  std::vector<std::int64_t> pending;
  bool work_is_new = false;  // created by this call, so nothing of an earlier one is in it
  if (fs::exists(out, ec)) {
    std::string why;
    if (!same_sweep(read_layout(out), layout, &why))
      throw IoError(fmt::format("'{}' holds another sweep ({}); remove it, choose {}, or {}", out, why,
                                o.another_output, o.restart_hint));
    summary.was_complete = true;
    std::remove(work_path.c_str());  // left over if a kill came between rename and removal
  } else {
    work_is_new = !fs::exists(work_path, ec);
    work = std::make_unique<WorkFile>(work_path, layout);
    pending = work->pending();
  }
  if (hooks.start) hooks.start(SweepStart{&layout, summary.was_complete, work ? work->finished() : 0,
                                          static_cast<std::int64_t>(pending.size())});
  if (summary.was_complete) {
    summary.ok = count_status(out, RunStatus::Ok);
    summary.failed = count_status(out, RunStatus::Failed);
    return summary;
  }

  // 4. The runs, each written as it finishes.
  const auto started = std::chrono::steady_clock::now();
  const auto to_do = static_cast<std::int64_t>(pending.size());
  const RecordSink sink = [&](RunRecord&& rec) {
    work->write(rec);
    ++summary.done;
    if (hooks.progress) hooks.progress(summary.done, to_do);
  };
  try {
    if (hooks.execute) hooks.execute(pending, sink);
    else run_threads(plan, pending, o.threads, sink, cancel);
  } catch (const ConfigError&) {
    // The threads could not be started (thread_start_failure): a work file this call created and
    // no run reached is no state worth resuming.
    if (work_is_new && work->finished() == 0) {
      work->close();
      std::remove(work_path.c_str());
    }
    throw;
  } catch (const Interrupted&) {
    // Every finished run is in the work file (flushed as it was written); close it and say so.
    const std::int64_t finished = work->finished();
    work->close();
    throw Interrupted(fmt::format("{} of {} runs done ({} in this session)", finished, layout.rows(), summary.done));
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // 5. The final file, then the work file goes.
  work->close();
  const FinalSummary sum = write_final(out, layout, {work_path});
  std::remove(work_path.c_str());
  summary.ok = sum.ok;
  summary.failed = sum.failed;
  return summary;
}

}  // namespace citsim::sweep
