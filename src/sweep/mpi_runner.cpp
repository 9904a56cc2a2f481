// MPI work distribution: rank 0 coordinates and writes, every rank computes (see mpi_runner.hpp).
#include "citsim/sweep/mpi_runner.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#ifdef CITSIM_WITH_MPI
#include <mpi.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "citsim/threads.hpp"
#endif

namespace citsim::sweep {

bool mpi_launched() {
  // Set by Open MPI's mpirun, by PMI-2 launchers (srun --mpi=pmi2, MPICH) and by PMIx ones.
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

#ifdef CITSIM_WITH_MPI

namespace {

constexpr int kTagReady = 1;   // worker -> 0: give me a run
constexpr int kTagResult = 2;  // worker -> 0: a record, give me the next run
constexpr int kTagWork = 3;    // 0 -> worker: a run index, or -1: stop
constexpr int kTagStopped = 4; // worker -> 0: interrupted, my run abandoned; I send nothing more

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(fmt::format("MPI {} failed (error {})", what, rc));
}

/// This thread's OpenMP regions on one thread: one run per rank or thread.
class OneOmpThread {
 public:
  OneOmpThread() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneOmpThread() { omp_set_num_threads(saved_); }
  OneOmpThread(const OneOmpThread&) = delete;
  OneOmpThread& operator=(const OneOmpThread&) = delete;

 private:
  int saved_;
};

void worker(const SweepPlan& plan, const CancelFlag* cancel) {
  const OneOmpThread one;
  check(MPI_Send(nullptr, 0, MPI_CHAR, 0, kTagReady, MPI_COMM_WORLD), "MPI_Send");
  for (;;) {
    std::int64_t run = -1;
    check(MPI_Recv(&run, 1, MPI_INT64_T, 0, kTagWork, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
    if (run < 0) return;
    std::vector<char> bytes;
    try {
      bytes = serialize(evaluate_run(plan, run, cancel));
    } catch (const Interrupted&) {
      // Rank 0 stops handing out runs and no longer counts on this rank; the run stays pending.
      check(MPI_Send(nullptr, 0, MPI_CHAR, 0, kTagStopped, MPI_COMM_WORLD), "MPI_Send");
      throw;
    }
    check(MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD), "MPI_Send");
  }
}

void coordinator(const MpiSession& session, const SweepPlan& plan, std::span<const std::int64_t> runs, int threads,
                 const RecordSink& sink, const CancelFlag* cancel) {
  std::mutex mutex;
  std::size_t next = 0;
  std::deque<RunRecord> local_done;
  int local_active = threads;
  bool stopping = false;   // a rank was interrupted: hand out no more runs
  bool abandoned = false;  // a run was started and not finished
  const auto take = [&]() -> std::int64_t {
    std::lock_guard lock(mutex);
    if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) stopping = true;
    return next < runs.size() && !stopping ? runs[next++] : -1;
  };
  std::vector<std::thread> pool;
  std::optional<ConfigError> start_failure;
  const auto compute = [&] {
    const OneOmpThread one;
    try {
      for (std::int64_t r; (r = take()) >= 0;) {
        RunRecord rec = evaluate_run(plan, r, cancel);
        std::lock_guard lock(mutex);
        local_done.push_back(std::move(rec));
      }
    } catch (const Interrupted&) {
      std::lock_guard lock(mutex);
      stopping = abandoned = true;
    }
    std::lock_guard lock(mutex);
    --local_active;
  };
  try {
    for (int t = 0; t < threads; ++t) pool.emplace_back(compute);
  } catch (const std::system_error& e) {
    // Hand out no run (the workers are told to stop when they ask), let the threads started
    // finish theirs, then report.
    start_failure = thread_start_failure(static_cast<int>(pool.size()), threads, e);
    std::lock_guard lock(mutex);
    stopping = true;
    local_active -= threads - static_cast<int>(pool.size());
  }

  int remote_active = session.size() - 1;
  std::vector<char> buffer;
  for (;;) {
    bool progressed = false;
    int flag = 0;
    MPI_Status st;
    check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (flag) {
      progressed = true;
      int count = 0;
      check(MPI_Get_count(&st, MPI_CHAR, &count), "MPI_Get_count");
      buffer.resize(static_cast<std::size_t>(count));
      check(MPI_Recv(buffer.data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
            "MPI_Recv");
      if (st.MPI_TAG == kTagStopped) {
        std::lock_guard lock(mutex);
        stopping = abandoned = true;
        --remote_active;  // that rank waits for nothing more
      } else {
        if (st.MPI_TAG == kTagResult) sink(deserialize(buffer));
        const std::int64_t run = take();
        check(MPI_Send(&run, 1, MPI_INT64_T, st.MPI_SOURCE, kTagWork, MPI_COMM_WORLD), "MPI_Send");
        if (run < 0) --remote_active;
      }
    }
    for (;;) {
      std::unique_lock lock(mutex);
      if (local_done.empty()) break;
      RunRecord rec = std::move(local_done.front());
      local_done.pop_front();
      lock.unlock();
      sink(std::move(rec));
      progressed = true;
    }
    bool finished = false;
    {
      std::lock_guard lock(mutex);
      finished = remote_active == 0 && local_active == 0 && local_done.empty();
    }
    if (finished) break;
    if (!progressed) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  for (auto& t : pool) t.join();
  if (start_failure) throw *start_failure;
  if (abandoned || next < runs.size())
    throw Interrupted("sweep interrupted; the runs in progress were abandoned");
}

}  // namespace

bool mpi_available() { return true; }

MpiSession::MpiSession() {
  int provided = 0;
  // Only the main thread calls MPI; compute threads never do.
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() { MPI_Finalize(); }

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

void run_mpi(const MpiSession& session, const SweepPlan& plan, std::span<const std::int64_t> runs, int threads,
             const RecordSink& sink, const CancelFlag* cancel) {
  if (session.rank() != 0) {
    worker(plan, cancel);
    throw_if_cancelled(cancel, "sweep rank interrupted");
    return;
  }
  try {
    coordinator(session, plan, runs, std::max(1, threads), sink, cancel);
  } catch (const Interrupted&) {
    throw;  // every rank has been released: no abort needed
  } catch (const std::exception& e) {
    // The other ranks wait for work: nothing but an abort releases them.
    std::fprintf(stderr, "error: %s\n", e.what());
    session.abort(2);
  }
}

#else

bool mpi_available() { return false; }

MpiSession::MpiSession() {
  throw std::runtime_error("this citsim was built without MPI (CITSIM_WITH_MPI=OFF)");
}
MpiSession::~MpiSession() = default;
void MpiSession::abort(int code) const { std::_Exit(code); }

void run_mpi(const MpiSession&, const SweepPlan&, std::span<const std::int64_t>, int, const RecordSink&,
             const CancelFlag*) {
  throw std::runtime_error("this citsim was built without MPI (CITSIM_WITH_MPI=OFF)");
}

#endif

}  // namespace citsim::sweep
