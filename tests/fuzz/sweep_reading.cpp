#include "sweep_reading.hpp"

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "citsim/errors.hpp"
#include "citsim/sweep/store.hpp"
#include "fuzz_support.hpp"

namespace citsim::fuzz {

void merge_like_cli(const std::string& shard, const std::string& merged) {
  using namespace citsim::sweep;
  StoreLayout layout = read_layout(shard);
  require(layout.shard.count >= 1 && layout.shard.index >= 0 && layout.shard.index < layout.shard.count,
          "read_layout accepted an impossible shard");
  require(layout.total_runs >= 0, "read_layout accepted a negative run count");
  const std::vector<std::int8_t> status = read_status(shard);
  require(static_cast<std::int64_t>(status.size()) == layout.rows(), "the status column does not have the shard's rows");
  for (std::int8_t s : status)
    if (s == 0) return;  // the command refuses shards with unfinished runs here
  layout.shard = Shard{0, 1};
  const FinalSummary sum = write_final(merged, layout, {shard});
  (void)read_sensitivity(merged);
  // A merge of one shard of N writes every run of the sweep; the runs the shard lacks are pending.
  const std::vector<std::int8_t> all = read_status(merged);
  require(static_cast<std::int64_t>(all.size()) == layout.total_runs, "the merged file does not have every run");
  require(sum.ok + sum.failed + sum.pending == layout.total_runs, "the merge summary does not count every run");
}

void require_nothing_open() {
  const ssize_t open = H5Fget_obj_count(static_cast<hid_t>(H5F_OBJ_ALL), H5F_OBJ_ALL);
  require(open == 0, std::to_string(open) + " HDF5 file(s) or object(s) left open");
}

void check_run_file(const RunFile& run) {
  for (const auto* group : {&run.readouts, &run.dermis})
    for (const NamedSeries& s : *group)
      require(s.values.size() == run.time.size(), "accepted a series whose length is not the time axis'");
  for (const NamedSeries& s : run.profiles)
    require(s.values.size() == run.profile_time.size() * run.z.size(), "accepted a profile of the wrong size");
  for (const NamedSeries& s : run.tissue)
    require(s.values.size() == run.z.size(), "accepted a tissue profile of the wrong length");
  for (const char* needed : {"R0", "firmness_gain", "collagen_induction", "elastin_change"})
    require(run.readout(needed) != nullptr, "accepted a run file without a needed readout");
  require(run.session_column("time") != nullptr, "accepted a run file without session times");
  std::size_t rows = 0;
  bool first = true;
  for (const SessionColumn& c : run.sessions) {
    const std::size_t n = c.strings.empty() ? c.numbers.size() : c.strings.size();
    require(first || n == rows, "accepted session columns of different lengths");
    rows = n;
    first = false;
  }
}

}  // namespace citsim::fuzz
