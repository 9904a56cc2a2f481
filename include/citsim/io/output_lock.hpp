// An output that one process builds over a long time (a sweep's work file, resumed run by run) is
// claimed for that time: two processes writing it at once would interleave their runs or fail
// inside HDF5. The claim is an flock(2) on a lock file beside the output, `<output>.lock`, which
// holds the owner's process id, is released by the kernel whatever ends the process, and is
// removed when the claim ends normally. A lock file left by a killed process is taken over.
//
//   OutputLock lock(out, "sweep");  // throws IoError if another process holds it
#pragma once

#include <string>

namespace citsim {

class OutputLock {
 public:
  /// Claims `output` for `what` ("sweep"), creating missing parent directories and the lock file.
  /// Throws IoError naming the output, the lock file and the process that holds it. On a file
  /// system without flock(2) support the claim is not made (nothing to lock with) and no error is
  /// raised.
  OutputLock(const std::string& output, const std::string& what);
  /// Removes the lock file, then releases the lock.
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace citsim
