// A file written under a temporary name beside its target and renamed over the target only when
// complete: a writer that fails, throws or is killed never leaves a half file at the target, and
// an existing target stays as it was until the new one is whole.
//
//   AtomicFile out("results/run.h5");   // reserves results/run.h5.tmp-<pid>-<n> (mode 0666 & ~umask)
//   write_anything_to(out.path());       // HDF5, ofstream, ... write the temporary
//   out.commit();                        // fsync, rename over the target, fsync the directory
//
// If `commit` is never reached (an exception unwinds), the destructor removes the temporary.
//
// The target is where `resolve_output_path` (file_rules.hpp) says: a symbolic link is written
// through (the file it points to is replaced, the link stays), and a directory, a device, a pipe
// or a descriptor link such as /dev/stdout is refused. Files that belong together (a run's HDF5
// file and its XDMF sidecar) are committed with `commit_together`: all replaced, or none.
//
// Live temporaries are listed in a process-wide registry of fixed slots (no allocation, no locks),
// so that a SIGINT/SIGTERM handler can remove them with `remove_live_temporaries()`, which only
// calls unlink(2) and reads atomics: async-signal-safe. Paths are stored in the slots themselves;
// a temporary whose path does not fit a slot (over 4095 bytes) or created while every slot is
// taken is still written atomically, only not listed.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace citsim {

class AtomicFile {
 public:
  /// Creates the target's missing parent directories and the empty temporary beside the file the
  /// target resolves to (O_EXCL: never someone else's file). Throws IoError naming the path and
  /// strerror: an unwritable or read-only directory, or a target that is no place for a regular
  /// file, fails here, before any work is spent on the contents.
  explicit AtomicFile(std::string target);
  /// Removes the temporary unless committed.
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// The temporary to write (by any means; it exists, empty, until written).
  const std::string& path() const { return temp_; }
  /// The name given, and the file it resolves to (the same unless it is a symbolic link).
  const std::string& target() const { return target_; }
  const std::string& resolved_target() const { return resolved_; }

  /// Makes the temporary the target: fsync(2) of the file, rename(2) over the target, fsync of the
  /// directory. Throws IoError (naming both paths and strerror) and removes the temporary on
  /// failure; the target is then unchanged.
  void commit();

 private:
  friend void commit_together(std::initializer_list<AtomicFile*> files);
  /// fsync(2) of the temporary; throws IoError (the destructor removes the temporary).
  void flush_temporary() const;
  /// fsync(2) of the target's directory, so the new name is on disk too. Best effort.
  void flush_directory() const;
  /// Done: the temporary is the target now.
  void mark_committed();

  std::string target_;
  std::string resolved_;
  std::string temp_;
  int slot_ = -1;  ///< registry slot, -1 if not listed
  bool committed_ = false;
};

/// Commits `files` as one: every temporary is flushed first, then each is renamed over its target.
/// Should a rename fail, the targets already replaced get their previous files back (kept as hard
/// links beside them until the end; removed if they had none), so the targets are either all new
/// or all as they were. Throws IoError naming the target that failed and strerror.
void commit_together(std::initializer_list<AtomicFile*> files);

/// Writes `text` into the temporary of `file` (the caller commits). Throws IoError naming the
/// target and strerror (a full disk, a file-size limit).
void write_text(const AtomicFile& file, std::string_view text);

/// Writes `text` to `path` atomically (AtomicFile; write errors such as a full disk or a file-size
/// limit are reported with strerror). Throws IoError.
void write_file_atomically(const std::string& path, std::string_view text);

/// Unlinks every live temporary of this process. Async-signal-safe: for a signal handler, which
/// should then end the process (_exit or re-raise); the owners must not run again after it.
void remove_live_temporaries() noexcept;

/// The live temporaries now (allocates: not for signal handlers; for tests and messages).
std::vector<std::string> live_temporaries();

}  // namespace citsim
