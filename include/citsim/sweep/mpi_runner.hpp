// A sweep over MPI ranks (`mpirun -n N citsim sweep ...`): rank 0 hands out run indices one at a
// time (so slow and fast runs balance), computes runs on its own threads too, and is the only
// rank that writes; the others compute and send their records back. Present only in builds with
// CITSIM_WITH_MPI; `mpi_available()` says which.
#pragma once

#include <span>

#include "citsim/sweep/runner.hpp"

namespace citsim::sweep {

bool mpi_available();

/// True when a launcher (mpirun, mpiexec, srun) started this process as one of several ranks.
bool mpi_launched();

/// MPI_Init on construction, MPI_Finalize on destruction.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Ends every rank at once (after an unrecoverable error on one).
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0, size_ = 1;
};

/// Every rank calls it. Rank 0 passes the runs still to do and receives every record in `sink`;
/// the other ranks' `runs` and `sink` are unused. `threads` compute threads on rank 0 and on
/// each other rank. `cancel` (each rank's own, optional): once set on rank 0 no run is handed
/// out; once set on another rank, that rank abandons its run and tells rank 0, which then stops
/// handing out runs too. Every finished run still reaches the sink, every rank leaves the call
/// (MPI_Finalize stays possible), and each interrupted rank throws Interrupted; rank 0 throws it
/// whenever a run was left undone.
void run_mpi(const MpiSession& session, const SweepPlan& plan, std::span<const std::int64_t> runs,
             int threads, const RecordSink& sink, const CancelFlag* cancel = nullptr);

}  // namespace citsim::sweep
