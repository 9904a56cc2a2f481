#include "citsim/sweep/runner.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "citsim/io/config.hpp"
#include "citsim/run.hpp"
#include "citsim/sweep/outcomes.hpp"
#include "citsim/threads.hpp"

namespace citsim::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Sets OpenMP's thread count for this thread's parallel regions, and restores it.
class OmpThreads {
 public:
  explicit OmpThreads(int n) : saved_(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~OmpThreads() { omp_set_num_threads(saved_); }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int saved_;
};

}  // namespace

SweepPlan make_plan(SweepSpec spec) {
  Design design(spec.design, spec.axes);
  std::vector<double> grid = common_grid(spec.series.dt, spec.series.end);
  return SweepPlan{std::move(spec), std::move(design), std::move(grid)};
}

RunRecord evaluate_run(const SweepPlan& plan, std::int64_t run, const CancelFlag* cancel) {
  const auto started = std::chrono::steady_clock::now();
  const SweepSpec& spec = plan.spec;
  RunRecord rec;
  rec.run = run;
  rec.params = plan.design.values(run);
  std::vector<std::string> sets = spec.base_sets;
  for (std::size_t j = 0; j < rec.params.size(); ++j) {
    const Axis& axis = plan.design.axes()[j];
    for (const std::string& key : axis.unset) sets.push_back(unset_override(key));
    sets.push_back(override_text(axis, rec.params[j]));
  }
  try {
    const RunConfig cfg = parse_config(spec.base_text, spec.base_path, sets);
    const RunResult result = run_simulation(cfg, {}, cancel);
    const double first = cfg.protocol.sessions.empty() ? 0.0 : cfg.protocol.sessions.front().time;
    rec.outcomes = compute_outcomes(result, spec.outcomes, first);
    for (const std::string& r : spec.series.readouts)
      rec.series.push_back(resample(result.time, result.readout(r).values, plan.grid));
    rec.status = RunStatus::Ok;
  } catch (const Interrupted&) {
    throw;  // stopped, not failed: the run stays pending and a resumed sweep does it
  } catch (const std::exception& e) {
    // A failed run is a result too: its message is kept and the sweep goes on.
    rec.status = RunStatus::Failed;
    rec.message = e.what();
    rec.outcomes.assign(spec.outcomes.size(), kNaN);
    rec.series.assign(spec.series.readouts.size(), std::vector<double>(plan.grid.size(), kNaN));
  }
  rec.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return rec;
}

void run_threads(const SweepPlan& plan, std::span<const std::int64_t> runs, int threads, const RecordSink& sink,
                 const CancelFlag* cancel) {
  if (threads < 1) throw std::invalid_argument("run_threads needs at least one thread");
  threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads), runs.size()));
  const auto cancelled = [cancel] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };
  if (threads == 1 || runs.size() <= 1) {
    const OmpThreads one(1);
    for (std::int64_t r : runs) {
      throw_if_cancelled(cancel, "sweep interrupted between runs");
      sink(evaluate_run(plan, r, cancel));  // throws Interrupted if stopped inside the run
    }
    return;
  }
  std::mutex mutex;
  std::condition_variable ready, room;
  std::deque<RunRecord> done;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false}, abandoned{false};
  const std::size_t max_queued = 4 * static_cast<std::size_t>(threads);
  std::exception_ptr worker_error;
  int active = threads;

  const auto work = [&] {
    const OmpThreads one(1);  // one run per thread: no nested parallel regions
    try {
      for (;;) {
        if (stop) break;
        if (cancelled()) {
          // Whether any run is left undone is decided by the index, so no run is counted twice.
          if (next.load() < runs.size()) abandoned = true;
          break;
        }
        const std::size_t i = next.fetch_add(1);
        if (i >= runs.size()) break;
        RunRecord rec;
        try {
          rec = evaluate_run(plan, runs[i], cancel);
        } catch (const Interrupted&) {
          abandoned = true;  // the run stays pending in the work file
          break;
        }
        std::unique_lock lock(mutex);
        room.wait(lock, [&] { return done.size() < max_queued || stop; });
        if (stop) break;
        done.push_back(std::move(rec));
        ready.notify_one();
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!worker_error) worker_error = std::current_exception();
      stop = true;
    }
    std::lock_guard lock(mutex);
    --active;
    ready.notify_one();
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  try {
    for (int t = 0; t < threads; ++t) pool.emplace_back(work);
  } catch (const std::system_error& e) {
    // The threads started finish their run and hand nothing on: no run is half-recorded.
    {
      std::lock_guard lock(mutex);
      stop = true;
    }
    room.notify_all();
    for (auto& t : pool) t.join();
    throw thread_start_failure(static_cast<int>(pool.size()), threads, e);
  }

  std::exception_ptr sink_error;
  for (;;) {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return !done.empty() || active == 0; });
    if (done.empty() && active == 0) break;
    RunRecord rec = std::move(done.front());
    done.pop_front();
    room.notify_one();
    lock.unlock();
    if (sink_error) continue;  // draining after a failed write
    try {
      sink(std::move(rec));
    } catch (...) {
      sink_error = std::current_exception();
      stop = true;
      room.notify_all();
    }
  }
  for (auto& t : pool) t.join();
  if (sink_error) std::rethrow_exception(sink_error);
  if (worker_error) std::rethrow_exception(worker_error);
  if (abandoned) throw Interrupted("sweep interrupted; the runs in progress were abandoned");
}

namespace {

template <class T>
void put(std::vector<char>& out, const T& v) {
  const char* p = reinterpret_cast<const char*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

void put_doubles(std::vector<char>& out, const std::vector<double>& v) {
  put(out, static_cast<std::uint64_t>(v.size()));
  const char* p = reinterpret_cast<const char*>(v.data());
  out.insert(out.end(), p, p + v.size() * sizeof(double));
}

class Cursor {
 public:
  explicit Cursor(std::span<const char> b) : b_(b) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::vector<double> doubles() {
    const auto n = get<std::uint64_t>();
    need(n * sizeof(double));
    std::vector<double> v(n);
    if (n > 0)  // an empty vector's data() may be null, which memcpy must not get
      std::memcpy(v.data(), b_.data() + pos_, n * sizeof(double));
    pos_ += n * sizeof(double);
    return v;
  }
  std::string text() {
    const auto n = get<std::uint64_t>();
    need(n);
    std::string s(b_.data() + pos_, n);
    pos_ += n;
    return s;
  }
  bool at_end() const { return pos_ == b_.size(); }

 private:
  void need(std::size_t n) const {
    if (n > b_.size() - pos_) throw std::invalid_argument("run record: truncated bytes");
  }
  std::span<const char> b_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<char> serialize(const RunRecord& r) {
  std::vector<char> out;
  put(out, r.run);
  put(out, static_cast<std::int8_t>(r.status));
  put(out, static_cast<std::uint64_t>(r.message.size()));
  out.insert(out.end(), r.message.begin(), r.message.end());
  put_doubles(out, r.params);
  put_doubles(out, r.outcomes);
  put(out, static_cast<std::uint64_t>(r.series.size()));
  for (const auto& s : r.series) put_doubles(out, s);
  put(out, r.wall_seconds);
  return out;
}

RunRecord deserialize(std::span<const char> bytes) {
  Cursor c(bytes);
  RunRecord r;
  r.run = c.get<std::int64_t>();
  r.status = static_cast<RunStatus>(c.get<std::int8_t>());
  r.message = c.text();
  r.params = c.doubles();
  r.outcomes = c.doubles();
  const auto n = c.get<std::uint64_t>();
  for (std::uint64_t k = 0; k < n; ++k) r.series.push_back(c.doubles());
  r.wall_seconds = c.get<double>();
  if (!c.at_end()) throw std::invalid_argument("run record: trailing bytes");
  return r;
}

}  // namespace citsim::sweep
