// citsim merge: join the shard files of a job-array sweep into the whole sweep's file.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "citsim/errors.hpp"
#include "citsim/io/atomic_file.hpp"
#include "citsim/io/limits.hpp"
#include "citsim/sweep/store.hpp"
#include "commands.hpp"
#include "limit_warning.hpp"

namespace citsim::cli {
namespace {

using namespace citsim::sweep;

struct MergeArgs {
  std::vector<std::string> shards;
  std::string output;
  const AtomicFile* into = nullptr;  ///< the staged file to write into (else output), see isolated.hpp
  bool virtual_datasets = false, quiet = false, ignore_limits = false;
};

int run_merge(const MergeArgs& a, const CancelFlag* cancel) {
  const auto started = std::chrono::steady_clock::now();
  // 1. The whole sweep's layout from the first shard; write_final checks the rest against it.
  StoreLayout layout = read_layout(a.shards.front());
  for (const std::string& s : a.shards) {
    read_layout(s);  // each is a sweep file (IoError naming it otherwise) before its status is read
    const std::vector<std::int8_t> status = read_status(s);
    std::int64_t pending = 0;
    for (std::int8_t x : status) pending += x == 0 ? 1 : 0;
    if (pending > 0)
      throw IoError(fmt::format("'{}' has {} unfinished run(s); run its shard again to finish it (it resumes)", s, pending));
  }
  layout.shard = Shard{0, 1};
  throw_if_cancelled(cancel, "merge interrupted before writing; nothing written");
  warn_limit(check_output(a.output, store_bytes(layout, false, a.virtual_datasets),
                          fmt::format("the merged sweep ({} runs{})", layout.total_runs, a.virtual_datasets ? ", virtual" : ""),
                          "free space, choose another -o, or merge with --virtual", on_limit(a.ignore_limits)));
  // 2. One file with every run, in run order (into the staged file the parent commits, if given).
  const FinalSummary sum = a.into != nullptr ? write_final(*a.into, layout, a.shards, a.virtual_datasets)
                                             : write_final(a.output, layout, a.shards, a.virtual_datasets);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!a.quiet) {
    fmt::print("merged {} shard(s), {} runs ({} ok, {} failed) in {:.2f} s: wrote {}{}\n", a.shards.size(),
               layout.total_runs, sum.ok, sum.failed, seconds, a.output,
               a.virtual_datasets ? " (virtual datasets: keep the shard files beside it)" : "");
    const SensitivityTable t = read_sensitivity(a.into != nullptr ? a.into->path() : a.output);
    if (!t.method.empty())
      fmt::print("\n{} sensitivity, ranked:\n{}", t.method == "morris" ? "Morris" : "Sobol",
                 format_sensitivity(t, layout.param_names, layout.outcome_names));
  }
  // The merged file is the complete record either way; the exit code tells a job script that
  // chains `sweep --shard` and `merge` whether every run succeeded.
  return report_failed_runs(a.output, sum.failed);
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* sub = app.add_subcommand("merge", "Join the shard files of a sweep (citsim sweep --shard i/N) into one file");
  sub->add_option("shards", args->shards, "Shard files, every shard of the sweep once, any order")->required();
  sub->add_option("-o,--output", args->output, "The whole sweep's HDF5 file")->required();
  sub->add_flag("--virtual", args->virtual_datasets,
                "Write virtual datasets that read the shard files instead of copying them");
  sub->add_flag(kIgnoreLimitsFlag, args->ignore_limits, kIgnoreLimitsHelp);
  sub->add_flag("-q,--quiet", args->quiet, "No summary");
  return {sub, [args](const CancelFlag* cancel) { return run_merge(*args, cancel); },
          [args] {
            std::vector<NamedFile> in;
            for (const std::string& s : args->shards) in.push_back({s, "a shard"});
            return in;
          },
          [args] { return NamedFile{args->output, "the merged file, -o"}; },
          [args](const AtomicFile* into) { args->into = into; }};
}

}  // namespace citsim::cli
