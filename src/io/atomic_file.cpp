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
#include <vector>

#include <fmt/format.h>

#include "citsim/errors.hpp"
#include "citsim/io/file_rules.hpp"

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

/// A fresh name beside `file`: "<file>.tmp-<pid>-<n>" (n counts up in this process).
std::string temporary_name(const std::string& file) {
  static std::atomic<unsigned> counter{0};
  return fmt::format("{}.tmp-{}-{}", file, ::getpid(), counter.fetch_add(1));
}

std::string directory_of(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

/// The file a target had before a joint commit, kept under a listed temporary name (a hard link)
/// until every target of the commit is in place; restored if one of them fails.
struct Backup {
  std::string target;
  bool existed = false;  ///< a target that did not exist is restored by removing the new file
  std::string copy;      ///< the hard link ("" if the file system refused one: not restorable)
  int slot = -1;
};

Backup keep_previous(const std::string& target) {
  Backup b;
  b.target = target;
  struct stat st {};
  b.existed = ::stat(target.c_str(), &st) == 0;
  if (!b.existed) return b;
  const std::string copy = temporary_name(target);
  b.slot = register_temporary(copy);
  if (::link(target.c_str(), copy.c_str()) == 0) b.copy = copy;
  return b;
}

/// Puts a target back as it was before the commit (best effort: this runs after a failure).
void restore(const Backup& b) {
  if (!b.existed) ::unlink(b.target.c_str());
  else if (!b.copy.empty()) ::rename(b.copy.c_str(), b.target.c_str());
}

void drop(Backup& b) {
  if (!b.copy.empty()) ::unlink(b.copy.c_str());
  unregister_temporary(b.slot);
  b.slot = -1;
}

}  // namespace

AtomicFile::AtomicFile(std::string target) : target_(std::move(target)) {
  // Through symbolic links to the file they name; a device, a directory, a pipe or /dev/stdout
  // is refused before anything is created (renaming over it would replace it).
  resolved_ = resolve_output_path(target_);
  const fs::path parent = fs::path(resolved_).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    fs::create_directories(parent, ec);
    if (ec)
      throw IoError(fmt::format("cannot write '{}': cannot create its directory '{}': {}", target_,
                                parent.string(), ec.message()));
  }
  temp_ = temporary_name(resolved_);
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

void AtomicFile::flush_temporary() const {
  const auto fail = [&](const char* what, int error) {
    throw IoError(fmt::format("cannot write '{}': {} '{}': {} (the previous '{}', if any, is unchanged)", target_,
                              what, temp_, errno_text(error), target_));
  };
  // The data on disk before the name points at it, so a crash cannot leave an empty target.
  const int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot reopen the temporary file", errno);
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    fail("cannot flush the temporary file", error);
  }
  ::close(fd);
}

void AtomicFile::flush_directory() const {
  // Best effort: the file is complete and in place already, and some file systems refuse fsync
  // on directories (EINVAL).
  const int dfd = ::open(directory_of(resolved_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void AtomicFile::mark_committed() {
  committed_ = true;
  unregister_temporary(slot_);
  slot_ = -1;
}

void AtomicFile::commit() {
  if (committed_) return;
  try {
    flush_temporary();
  } catch (const IoError&) {
    ::unlink(temp_.c_str());
    throw;
  }
  // The atomic switch.
  if (::rename(temp_.c_str(), resolved_.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp_.c_str());
    throw IoError(fmt::format("cannot write '{}': cannot rename into place the temporary file '{}': {} (the "
                              "previous '{}', if any, is unchanged)",
                              target_, temp_, errno_text(error), target_));
  }
  mark_committed();
  flush_directory();
}

void commit_together(std::initializer_list<AtomicFile*> files) {
  // 1. Every file complete on disk before any target changes (a full disk fails here).
  for (const AtomicFile* f : files) f->flush_temporary();
  // 2. The previous files kept, then the renames; a failed rename puts the earlier ones back.
  std::vector<Backup> backups;
  for (const AtomicFile* f : files) backups.push_back(keep_previous(f->resolved_));
  std::size_t done = 0;
  for (AtomicFile* f : files) {
    if (::rename(f->temp_.c_str(), f->resolved_.c_str()) != 0) {
      const int error = errno;
      for (std::size_t k = 0; k < done; ++k) restore(backups[k]);
      for (Backup& b : backups) drop(b);
      std::string names;
      for (const AtomicFile* g : files) names += (names.empty() ? "'" : ", '") + g->target_ + "'";
      throw IoError(fmt::format("cannot write '{}': cannot rename into place the temporary file '{}': {} (none "
                                "of {} was replaced)",
                                f->target_, f->temp_, errno_text(error), names));
    }
    ++done;
  }
  for (AtomicFile* f : files) f->mark_committed();
  for (Backup& b : backups) drop(b);
  for (const AtomicFile* f : files) f->flush_directory();
}

void write_text(const AtomicFile& file, std::string_view text) {
  const int fd = ::open(file.path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  const auto fail = [&](int error) {
    if (fd >= 0) ::close(fd);
    throw IoError(fmt::format("cannot write '{}' (writing the temporary '{}'): {}", file.target(), file.path(),
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
    throw IoError(fmt::format("cannot write '{}' (closing the temporary '{}'): {}", file.target(), file.path(),
                              errno_text(error)));
  }
}

void write_file_atomically(const std::string& path, std::string_view text) {
  AtomicFile file(path);
  write_text(file, text);
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
