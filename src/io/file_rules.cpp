// What a command may read and write (see file_rules.hpp).
#include "citsim/io/file_rules.hpp"

#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "citsim/errors.hpp"

namespace citsim {
namespace {

namespace fs = std::filesystem;

/// As many links as the kernel follows in one path (MAXSYMLINKS).
constexpr int kMaxLinks = 40;

std::string directory_of(const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

/// Whether `dir` is on procfs: its links (/proc/self/fd/N) lead to open descriptors, not files.
bool on_procfs(const std::string& dir) {
  struct statfs fs_info {};
  return ::statfs(dir.c_str(), &fs_info) == 0 && fs_info.f_type == PROC_SUPER_MAGIC;
}

std::string read_link(const std::string& path) {
  std::string target(256, '\0');
  while (true) {
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0)
      throw IoError(fmt::format("cannot write '{}': cannot read the symbolic link: {}", path,
                                std::generic_category().message(errno)));
    if (static_cast<std::size_t>(n) < target.size()) {
      target.resize(static_cast<std::size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

/// " (a symbolic link to 'X')" when the name given is not the file reached.
std::string through(const std::string& given, const std::string& reached) {
  return given == reached ? std::string() : fmt::format(" (a symbolic link leads there: '{}')", reached);
}

struct Identity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
};

Identity identity_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {true, st.st_dev, st.st_ino};
}

bool same_file(const Identity& a, const Identity& b) {
  return a.exists && b.exists && a.device == b.device && a.inode == b.inode;
}

}  // namespace

std::string kind_of_file(unsigned mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

std::string resolve_output_path(const std::string& given, const std::string& role) {
  if (given.empty()) throw IoError("cannot write a file with an empty name");
  const std::string named = role.empty() ? fmt::format("'{}'", given) : fmt::format("'{}' ({})", given, role);
  std::string path = given;
  for (int hop = 0; hop <= kMaxLinks; ++hop) {
    struct stat st {};
    // Absent (or under something that is no directory): a new file; AtomicFile names the reason
    // if it cannot be created.
    if (::lstat(path.c_str(), &st) != 0) return path;
    if (S_ISREG(st.st_mode)) return path;
    if (!S_ISLNK(st.st_mode))
      throw IoError(fmt::format("cannot write {}: it exists and is {}{}; citsim writes regular files only "
                                "(choose another output path)",
                                named, kind_of_file(st.st_mode), through(given, path)));
    // A descriptor link names whatever the descriptor is open on (a terminal, a pipe, the file
    // stdout was redirected to): replacing that is never what an output path means.
    if (on_procfs(directory_of(path)))
      throw IoError(fmt::format("cannot write {}: {} a file descriptor of the process, not a file; citsim writes "
                                "regular files only (choose another output path)",
                                named, path == given ? std::string("it is") : fmt::format("it leads to '{}',", path)));
    const std::string target = read_link(path);
    path = !target.empty() && target.front() == '/' ? target : (fs::path(directory_of(path)) / target).string();
  }
  throw IoError(fmt::format("cannot write {}: more than {} symbolic links in a row (a loop?)", named, kMaxLinks));
}

void check_input_file(const NamedFile& input) {
  struct stat st {};
  if (::stat(input.path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return;
  throw IoError(fmt::format("cannot read '{}' ({}): it is {}, not a regular file; give a file on disk", input.path,
                            input.role, kind_of_file(st.st_mode)));
}

void check_files(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs) {
  std::vector<Identity> read;
  for (const NamedFile& in : inputs) {
    check_input_file(in);
    read.push_back(identity_of(in.path));
  }
  std::vector<Identity> written;
  std::vector<std::string> places;  // where each output really goes, for outputs not there yet
  for (const NamedFile& out : outputs) {
    const std::string place = resolve_output_path(out.path, out.role);
    const Identity id = identity_of(place);
    for (std::size_t i = 0; i < inputs.size(); ++i)
      if (same_file(id, read[i]))
        throw IoError(fmt::format("cannot write '{}' ({}): it is {}'{}', which this command reads as {}; an output "
                                  "never replaces an input (choose another output path)",
                                  out.path, out.role, out.path == inputs[i].path ? "" : "the same file as ",
                                  inputs[i].path, inputs[i].role));
    for (std::size_t k = 0; k < written.size(); ++k) {
      std::error_code ec_a, ec_b;
      const bool same = id.exists ? same_file(id, written[k])
                                  : fs::weakly_canonical(place, ec_a) == fs::weakly_canonical(places[k], ec_b) &&
                                        !ec_a && !ec_b;
      if (same)
        throw IoError(fmt::format("cannot write '{}' ({}): it is the same file as '{}' ({}), which this command "
                                  "writes too (choose another output path)",
                                  out.path, out.role, outputs[k].path, outputs[k].role));
    }
    written.push_back(id);
    places.push_back(place);
  }
}

}  // namespace citsim
