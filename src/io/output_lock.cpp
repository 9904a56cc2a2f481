// The claim on an output built over time (see output_lock.hpp).
#include "citsim/io/output_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "citsim/errors.hpp"

namespace citsim {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

/// The process id a holder wrote into the lock file ("" if none can be read).
std::string holder_of(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool same_file(int fd, const std::string& path) {
  struct stat open_file {}, named {};
  return ::fstat(fd, &open_file) == 0 && ::stat(path.c_str(), &named) == 0 && open_file.st_dev == named.st_dev &&
         open_file.st_ino == named.st_ino;
}

}  // namespace

OutputLock::OutputLock(const std::string& output, const std::string& what) : path_(output + ".lock") {
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec)
      throw IoError(fmt::format("cannot write '{}': cannot create its directory '{}': {}", output, parent.string(),
                                ec.message()));
  }
  // A holder removes the lock file as it lets go: the file locked must still be the one named,
  // else another process may have locked a new one meanwhile; try again.
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      throw IoError(fmt::format("cannot write '{}': cannot create the lock file '{}': {}", output, path_,
                                errno_text(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      if (error == EWOULDBLOCK) {
        const std::string holder = holder_of(fd);
        ::close(fd);
        throw IoError(fmt::format("cannot write '{}': another citsim {} is writing it ({}, holding the lock file "
                                  "'{}'); wait for it to finish, or choose another -o",
                                  output, what, holder.empty() ? "process" : "process " + holder, path_));
      }
      ::close(fd);
      // No locks on this file system (ENOLCK, EINVAL, ENOSYS): nothing to claim with.
      ::unlink(path_.c_str());
      return;
    }
    if (!same_file(fd, path_)) {
      ::close(fd);
      continue;
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    // The process id is for messages only: the lock holds without it.
    [[maybe_unused]] const bool noted =
        ::ftruncate(fd, 0) == 0 && ::pwrite(fd, pid.data(), pid.size(), 0) == static_cast<ssize_t>(pid.size());
    fd_ = fd;
    return;
  }
  throw IoError(fmt::format("cannot write '{}': the lock file '{}' keeps being replaced", output, path_));
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still holding it: see the constructor
  ::close(fd_);
}

}  // namespace citsim
