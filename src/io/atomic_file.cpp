// Temporary-then-rename files and the registry of live temporaries (see atomic_file.hpp).
#include "citsim/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "citsim/errors.hpp"

namespace citsim {

namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Registry: fixed slots, each free (0), being filled (1) or live (2). Only lock-free atomics and
// unlink(2) are touched by `remove_live_temporaries`, so a signal handler may call it.

constexpr std::size_t kSlots = 64;
constexpr std::size_t kPathBytes = 4096;  // PATH_MAX on Linux: longer paths fail in open(2) anyway

enum SlotState : int { kFree = 0, kFilling = 1, kLive = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes] = {};
};

std::array<Slot, kSlots>& slots() {
  static std::array<Slot, kSlots> table;  // constant-initialised storage, no destructor work
  return table;
}

static_assert(std::atomic<int>::is_always_lock_free, "the registry must be async-signal-safe");

int register_temporary(const std::string& path) {
  if (path.size() >= kPathBytes) return -1;
  auto& table = slots();
  for (std::size_t i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!table[i].state.compare_exchange_strong(expected, kFilling)) continue;
    std::memcpy(table[i].path, path.c_str(), path.size() + 1);
    table[i].state.store(kLive);
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_temporary(int slot) {
  if (slot >= 0) slots()[static_cast<std::size_t>(slot)].state.store(kFree);
}

std::string errno_text(int error) { return std::generic_category().message(error); }

/// What the target is if it exists and is not a regular file ("" if absent or regular).
std::string unusable_target(const std::string& target) {
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return {};
  if (S_ISDIR(st.st_mode)) return "a directory";
  if (S_ISCHR(st.st_mode)) return "a character device";
  if (S_ISBLK(st.st_mode)) return "a block device";
  if (S_ISFIFO(st.st_mode)) return "a named pipe";
  if (S_ISSOCK(st.st_mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  if (target_.empty()) throw IoError("cannot write a file with an empty name");
  // Renaming over a device or a directory would replace it (or fail late): refuse it up front.
  if (const std::string what = unusable_target(target_); !what.empty())
    throw IoError(fmt::format("cannot write '{}': it exists and is {}; citsim writes regular files only "
                              "(choose another output path)",
                              target_, what));
  const fs::path parent = fs::path(target_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw IoError(fmt::format("cannot write '{}': cannot create its directory '{}': {}", target_,
                                parent.string(), ec.message()));
  }
  static std::atomic<unsigned> counter{0};
  temp_ = fmt::format("{}.tmp-{}-{}", target_, ::getpid(), counter.fetch_add(1));
  // Listed before it exists: a signal between open and listing cannot leave it behind.
  slot_ = register_temporary(temp_);
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int error = errno;
    unregister_temporary(slot_);
    throw IoError(fmt::format("cannot write '{}': cannot create the temporary file '{}' beside it: {}", target_,
                              temp_, errno_text(error)));
  }
  ::close(fd);
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_.c_str());
  unregister_temporary(slot_);
}

void AtomicFile::commit() {
  if (committed_) return;
  const auto fail = [&](const char* what, int error) {
    ::unlink(temp_.c_str());
    throw IoError(fmt::format("cannot write '{}': {} '{}': {} (the previous '{}', if any, is unchanged)", target_,
                              what, temp_, errno_text(error), target_));
  };
  // 1. The data on disk before the name points at it, so a crash cannot leave an empty target.
  const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot reopen the temporary file", errno);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot flush the temporary file", error);
  }
  ::close(fd);
  // 2. The atomic switch.
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("cannot rename into place the temporary file", errno);
  committed_ = true;
  unregister_temporary(slot_);
  slot_ = -1;
  // 3. The new name on disk. Best effort: the file is complete and in place already, and some
  //    file systems refuse fsync on directories (EINVAL).
  const std::string dir = fs::path(target_).parent_path().string();
  const int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void write_file_atomically(const std::string& path, std::string_view text) {
  AtomicFile file(path);
  const int fd = ::open(file.path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  const auto fail = [&](int error) {
    if (fd >= 0) ::close(fd);
    throw IoError(fmt::format("cannot write '{}' (writing the temporary '{}'): {}", path, file.path(),
                              errno_text(error)));
  };
  if (fd < 0) fail(errno);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(errno);
    if (n == 0) fail(ENOSPC);  // no progress and no error: treat as a full device
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int error = errno;
    throw IoError(fmt::format("cannot write '{}' (closing the temporary '{}'): {}", path, file.path(),
                              errno_text(error)));
  }
  file.commit();
}

void remove_live_temporaries() noexcept {
  for (Slot& s : slots())
    if (s.state.load() == kLive) ::unlink(s.path);
}

std::vector<std::string> live_temporaries() {
  std::vector<std::string> out;
  for (const Slot& s : slots())
    if (s.state.load() == kLive) out.emplace_back(s.path);
  return out;
}

}  // namespace citsim
