// AtomicFile: the target appears only whole, an existing target survives every failure, no
// temporary is left behind, errors name the path and the system's reason, and the registry lists
// exactly the live temporaries (what a signal handler removes).
#include "citsim/io/atomic_file.hpp"

#include <catch2/catch.hpp>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "citsim/errors.hpp"

namespace {

namespace fs = std::filesystem;
using citsim::AtomicFile;
using citsim::IoError;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "citsim_atomic_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string read_all(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

bool listed(const std::string& p) {
  for (const std::string& t : citsim::live_temporaries())
    if (t == p) return true;
  return false;
}

/// The message of the IoError that `f` throws ("(no IoError)" if none).
template <class F>
std::string io_error_of(F f) {
  try {
    f();
  } catch (const citsim::IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST_CASE("atomic file: the target appears only on commit, with the temporary's contents", "[io][atomic]") {
  TempDir dir;
  const std::string target = dir.file("out.txt");
  AtomicFile f(target);
  CHECK(f.target() == target);
  CHECK(f.path() != target);
  CHECK(fs::path(f.path()).parent_path() == fs::path(target).parent_path());  // same file system
  CHECK(f.path().find(".tmp-") != std::string::npos);
  CHECK(fs::exists(f.path()));
  CHECK_FALSE(fs::exists(target));
  CHECK(listed(f.path()));
  std::ofstream(f.path()) << "whole";
  CHECK_FALSE(fs::exists(target));
  f.commit();
  CHECK(read_all(target) == "whole");
  CHECK_FALSE(fs::exists(f.path()));
  CHECK_FALSE(listed(f.path()));
  CHECK(names_in(dir.path) == std::vector<std::string>{"out.txt"});
}

TEST_CASE("atomic file: without commit the temporary goes and an existing target is untouched", "[io][atomic]") {
  TempDir dir;
  const std::string target = dir.file("keep.txt");
  std::ofstream(target) << "old";
  std::string temp;
  try {
    AtomicFile f(target);
    temp = f.path();
    std::ofstream(f.path()) << "half";
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  CHECK_FALSE(temp.empty());
  CHECK_FALSE(fs::exists(temp));
  CHECK_FALSE(listed(temp));
  CHECK(read_all(target) == "old");
  CHECK(names_in(dir.path) == std::vector<std::string>{"keep.txt"});
}

TEST_CASE("atomic file: two writers of one target get distinct temporaries", "[io][atomic]") {
  TempDir dir;
  AtomicFile a(dir.file("x")), b(dir.file("x"));
  CHECK(a.path() != b.path());
  CHECK(listed(a.path()));
  CHECK(listed(b.path()));
}

TEST_CASE("atomic file: missing parent directories are created", "[io][atomic]") {
  TempDir dir;
  citsim::write_file_atomically(dir.file("a/b/c.txt"), "deep");
  CHECK(read_all(dir.file("a/b/c.txt")) == "deep");
}

TEST_CASE("atomic file: a directory or a device as target is refused before anything is written", "[io][atomic]") {
  TempDir dir;
  fs::create_directory(dir.file("sub"));
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("sub")); }), Catch::Matchers::Contains("it exists and is a directory"));
  CHECK_THAT(io_error_of([&] { AtomicFile f("/dev/full"); }), Catch::Matchers::Contains("cannot write '/dev/full': it exists and is a character device"));
  CHECK(fs::is_character_file("/dev/full"));
  CHECK(names_in(dir.path) == std::vector<std::string>{"sub"});
}

TEST_CASE("atomic file: a parent that is a file gives the path and the system's reason", "[io][atomic]") {
  TempDir dir;
  std::ofstream(dir.file("plain")) << "x";
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("plain/out.h5")); }), Catch::Matchers::Contains("cannot write '" + dir.file("plain/out.h5") + "'") &&
                           Catch::Matchers::Contains("cannot create its directory"));
}

TEST_CASE("atomic file: an unwritable directory is refused with strerror", "[io][atomic]") {
  if (::geteuid() == 0) return;  // root writes anywhere; tests/cli/test_faults.sh covers read-only mounts
  TempDir dir;
  fs::create_directory(dir.file("ro"));
  fs::permissions(dir.file("ro"), fs::perms::owner_read | fs::perms::owner_exec);
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("ro/out.txt")); }), Catch::Matchers::Contains("Permission denied"));
}

TEST_CASE("atomic file: a file-size limit fails the write, keeps the old target, leaves no temporary", "[io][atomic]") {
  TempDir dir;
  const std::string target = dir.file("big.txt");
  std::ofstream(target) << "old";
  // Ignore SIGXFSZ so that write(2) returns EFBIG instead of the signal ending the test.
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  rlimit small = saved;
  small.rlim_cur = 1024;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    citsim::write_file_atomically(target, std::string(4096, 'x'));
  } catch (const IoError& e) {
    message = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK_THAT(message, Catch::Matchers::Contains("cannot write '" + target + "'") &&
                          Catch::Matchers::Contains("File too large"));
  CHECK(read_all(target) == "old");
  CHECK(names_in(dir.path) == std::vector<std::string>{"big.txt"});
}

TEST_CASE("atomic file: remove_live_temporaries unlinks exactly the live ones", "[io][atomic]") {
  TempDir dir;
  std::ofstream(dir.file("other.txt")) << "not ours";
  AtomicFile a(dir.file("a")), b(dir.file("b"));
  std::ofstream(a.path()) << "partial";
  citsim::remove_live_temporaries();  // what a SIGTERM handler does before _exit
  CHECK_FALSE(fs::exists(a.path()));
  CHECK_FALSE(fs::exists(b.path()));
  CHECK(names_in(dir.path) == std::vector<std::string>{"other.txt"});
}

TEST_CASE("atomic file: a symbolic link is written through and stays a link", "[io][atomic]") {
  TempDir dir;
  fs::create_directory(dir.file("data"));
  std::ofstream(dir.file("data/real.txt")) << "old";
  fs::create_symlink("data/real.txt", dir.file("link.txt"));
  citsim::write_file_atomically(dir.file("link.txt"), "new");
  CHECK(fs::is_symlink(dir.file("link.txt")));
  CHECK(fs::read_symlink(dir.file("link.txt")) == "data/real.txt");
  CHECK(read_all(dir.file("data/real.txt")) == "new");
  // A dangling link names the file to create; a chain of links is followed to its end.
  fs::create_symlink(dir.file("data/new.txt"), dir.file("dangling.txt"));
  fs::create_symlink("dangling.txt", dir.file("chain.txt"));
  citsim::write_file_atomically(dir.file("chain.txt"), "created");
  CHECK(fs::is_symlink(dir.file("chain.txt")));
  CHECK(fs::is_symlink(dir.file("dangling.txt")));
  CHECK(read_all(dir.file("data/new.txt")) == "created");
  CHECK(names_in(dir.path).size() == 4);  // data, link.txt, dangling.txt, chain.txt: no temporary
}

TEST_CASE("atomic file: /dev/stdout, descriptor links, pipes and links to directories are refused", "[io][atomic]") {
  TempDir dir;
  // Whatever stdout is (a terminal, a pipe, the file it was redirected to), it is no output path.
  for (const char* p : {"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
    CHECK_THAT(io_error_of([&] { AtomicFile f(p); }),
               Catch::Matchers::Contains(std::string("cannot write '") + p + "'") &&
                   Catch::Matchers::Contains("a file descriptor of the process"));
  CHECK(fs::is_symlink("/dev/stdout"));
  REQUIRE(::mkfifo(dir.file("pipe").c_str(), 0600) == 0);
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("pipe")); }), Catch::Matchers::Contains("it exists and is a named pipe"));
  fs::create_directory(dir.file("sub"));
  fs::create_symlink("sub", dir.file("to_dir"));
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("to_dir")); }),
             Catch::Matchers::Contains("it exists and is a directory") && Catch::Matchers::Contains("symbolic link"));
  fs::create_symlink("loop_b", dir.file("loop_a"));
  fs::create_symlink("loop_a", dir.file("loop_b"));
  CHECK_THAT(io_error_of([&] { AtomicFile f(dir.file("loop_a")); }), Catch::Matchers::Contains("symbolic links in a row"));
  CHECK(names_in(dir.path).size() == 5);
}

TEST_CASE("atomic file: files committed together are all replaced", "[io][atomic]") {
  TempDir dir;
  std::ofstream(dir.file("run.h5")) << "old h5";
  AtomicFile h5(dir.file("run.h5")), xmf(dir.file("run.xmf"));
  citsim::write_text(h5, "new h5");
  citsim::write_text(xmf, "new xmf");
  citsim::commit_together({&h5, &xmf});
  CHECK(read_all(dir.file("run.h5")) == "new h5");
  CHECK(read_all(dir.file("run.xmf")) == "new xmf");
  CHECK_FALSE(listed(h5.path()));
  std::vector<std::string> names = names_in(dir.path);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"run.h5", "run.xmf"});  // no temporary, no kept copy
}

TEST_CASE("atomic file: a joint commit whose second rename fails leaves every target as it was", "[io][atomic]") {
  TempDir dir;
  std::ofstream(dir.file("run.h5")) << "old h5";
  std::ofstream(dir.file("run.xmf")) << "old xmf";
  std::string message;
  {
    AtomicFile h5(dir.file("run.h5")), xmf(dir.file("run.xmf"));
    citsim::write_text(h5, "new h5");
    citsim::write_text(xmf, "new xmf");
    // The sidecar's target becomes a directory after its temporary was made: its rename fails
    // (EISDIR) after the HDF5 file's has succeeded.
    fs::rename(dir.file("run.xmf"), dir.file("kept.xmf"));
    fs::create_directory(dir.file("run.xmf"));
    std::ofstream(dir.file("run.xmf/inside")) << "x";
    message = io_error_of([&] { citsim::commit_together({&h5, &xmf}); });
  }
  CHECK_THAT(message, Catch::Matchers::Contains("cannot write '" + dir.file("run.xmf") + "'") &&
                          Catch::Matchers::Contains("none of"));
  CHECK(read_all(dir.file("run.h5")) == "old h5");  // put back
  std::vector<std::string> names = names_in(dir.path);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"kept.xmf", "run.h5", "run.xmf"});  // no temporary, no kept copy
  CHECK(citsim::live_temporaries().empty());
}

TEST_CASE("atomic file: a joint commit that fails removes a target that did not exist before", "[io][atomic]") {
  TempDir dir;
  std::string message;
  {
    AtomicFile h5(dir.file("new.h5")), xmf(dir.file("new.xmf"));
    citsim::write_text(h5, "h5");
    citsim::write_text(xmf, "xmf");
    fs::create_directory(dir.file("new.xmf"));
    std::ofstream(dir.file("new.xmf/inside")) << "x";
    message = io_error_of([&] { citsim::commit_together({&h5, &xmf}); });
  }
  CHECK_THAT(message, Catch::Matchers::Contains("cannot rename into place"));
  CHECK_FALSE(fs::exists(dir.file("new.h5")));
  CHECK(names_in(dir.path) == std::vector<std::string>{"new.xmf"});
}
