// The output rule: an output never replaces an input or another output (same name, symbolic or
// hard link), only regular files are outputs, inputs are regular files.
#include "citsim/io/file_rules.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "citsim/errors.hpp"

namespace {

namespace fs = std::filesystem;
using citsim::NamedFile;

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "citsim_rules_XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
    std::ofstream(file("config.toml")) << "[model]\n";
    std::ofstream(file("table.toml")) << "# table\n";
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name) const { return (path / name).string(); }
  std::vector<NamedFile> inputs() const { return {{file("config.toml"), "the config"}, {file("table.toml"), "the parameter table"}}; }
};

std::string error_of(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs) {
  try {
    citsim::check_files(outputs, inputs);
  } catch (const citsim::IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

}  // namespace

TEST_CASE("file rules: an output that is an input is refused, by any name", "[io][rules]") {
  TempDir dir;
  using Catch::Matchers::Contains;
  CHECK_THAT(error_of({{dir.file("config.toml"), "the output, -o"}}, dir.inputs()),
             Contains("cannot write '" + dir.file("config.toml") + "' (the output, -o): it is '" + dir.file("config.toml") +
                      "', which this command reads as the config; an output never replaces an input"));
  fs::create_symlink("table.toml", dir.file("link.h5"));
  CHECK_THAT(error_of({{dir.file("link.h5"), "the output, -o"}}, dir.inputs()),
             Contains("it is the same file as '" + dir.file("table.toml") + "', which this command reads as the parameter table"));
  fs::create_hard_link(dir.file("config.toml"), dir.file("hard.h5"));
  CHECK_THAT(error_of({{dir.file("hard.h5"), "the output, -o"}}, dir.inputs()), Contains("reads as the config"));
  // Through a directory given by another path.
  fs::create_directory_symlink(dir.path, dir.file("again"));
  CHECK_THAT(error_of({{dir.file("again/config.toml"), "the output, -o"}}, dir.inputs()), Contains("reads as the config"));
  // The second output of a command (a sidecar) is checked as the first.
  CHECK_THAT(error_of({{dir.file("run.h5"), "the output"}, {dir.file("config.toml"), "its XDMF sidecar"}}, dir.inputs()),
             Contains("(its XDMF sidecar): it is '"));
}

TEST_CASE("file rules: two outputs that are one file are refused, existing or not", "[io][rules]") {
  TempDir dir;
  CHECK_THAT(error_of({{dir.file("a.h5"), "the output"}, {dir.file("./a.h5"), "its work file"}}, {}),
             Catch::Matchers::Contains("which this command writes too"));
  std::ofstream(dir.file("b.h5")) << "x";
  fs::create_symlink("b.h5", dir.file("c.h5"));
  CHECK_THAT(error_of({{dir.file("b.h5"), "the output"}, {dir.file("c.h5"), "its sidecar"}}, {}),
             Catch::Matchers::Contains("which this command writes too"));
}

TEST_CASE("file rules: distinct outputs and inputs pass, new or existing", "[io][rules]") {
  TempDir dir;
  std::ofstream(dir.file("old.h5")) << "x";
  CHECK(error_of({{dir.file("old.h5"), "the output"}, {dir.file("new/run.xmf"), "its sidecar"}}, dir.inputs()) ==
        "(no IoError)");
  // A missing input is its reader's to report.
  CHECK(error_of({{dir.file("old.h5"), "the output"}}, {{dir.file("missing.toml"), "the config"}}) == "(no IoError)");
}

TEST_CASE("file rules: special files are refused as outputs and as inputs", "[io][rules]") {
  TempDir dir;
  using Catch::Matchers::Contains;
  REQUIRE(::mkfifo(dir.file("pipe").c_str(), 0600) == 0);
  CHECK_THAT(error_of({{"/dev/stdout", "the output, -o"}}, {}),
             Contains("cannot write '/dev/stdout' (the output, -o): it leads to '/proc/self/fd/1', a file descriptor"));
  CHECK_THAT(error_of({{dir.file("pipe"), "the page, -o"}}, {}), Contains("(the page, -o): it exists and is a named pipe"));
  CHECK_THAT(error_of({{"/dev/null", "the output"}}, {}), Contains("it exists and is a character device"));
  CHECK_THAT(error_of({{dir.file("out.h5"), "the output"}}, {{dir.file("pipe"), "a run file"}}),
             Contains("cannot read '" + dir.file("pipe") + "' (a run file): it is a named pipe, not a regular file"));
  CHECK_THAT(error_of({{dir.file("out.h5"), "the output"}}, {{"/dev/zero", "the config"}}),
             Contains("it is a character device, not a regular file"));
  CHECK(citsim::resolve_output_path(dir.file("new.h5")) == dir.file("new.h5"));
}
