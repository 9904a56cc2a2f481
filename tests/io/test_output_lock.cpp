// One writer at a time for an output built over time (a sweep's work file).
#include "citsim/io/output_lock.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "citsim/errors.hpp"

namespace {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "citsim_lock_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

}  // namespace

TEST_CASE("output lock: a second claim fails naming the holder; the first lets go cleanly", "[io][lock]") {
  TempDir dir;
  const std::string out = dir.file("sub/sweep.h5");
  std::optional<citsim::OutputLock> first;
  first.emplace(out, "sweep");
  CHECK(first->path() == out + ".lock");
  CHECK(fs::exists(out + ".lock"));
  // flock(2) locks belong to open files: a second open in the same process conflicts as another
  // process would.
  std::string message;
  try {
    citsim::OutputLock second(out, "sweep");
  } catch (const citsim::IoError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Matchers::Contains("cannot write '" + out + "': another citsim sweep is writing it (process " +
                                                std::to_string(::getpid())) &&
                          Catch::Matchers::Contains("choose another -o"));
  first.reset();
  CHECK_FALSE(fs::exists(out + ".lock"));
  citsim::OutputLock again(out, "sweep");  // free again
  CHECK(fs::exists(out + ".lock"));
}

TEST_CASE("output lock: a lock file left by a killed process is taken over", "[io][lock]") {
  TempDir dir;
  const std::string out = dir.file("sweep.h5");
  std::ofstream(out + ".lock") << "12345\n";  // nobody holds it
  {
    citsim::OutputLock lock(out, "sweep");
    std::ifstream in(out + ".lock");
    std::string pid;
    in >> pid;
    CHECK(pid == std::to_string(::getpid()));
  }
  CHECK_FALSE(fs::exists(out + ".lock"));
}
