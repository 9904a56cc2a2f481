// The rules for the files a command reads and writes, in one place (docs/reliability.md,
// "Outputs"); every command that writes follows them before it starts its work:
//
// - An output given as a symbolic link is written through: the file the link points to is
//   replaced (created if the link dangles) and the link stays a link.
// - Only regular files are outputs. An existing directory, device, named pipe or socket is
//   refused, and so is any name that leads through a descriptor link of /proc (/dev/stdout,
//   /dev/fd/N, /proc/self/fd/N), whatever the descriptor is open on.
// - An output never replaces a file the same command reads, nor another of its outputs: files are
//   compared by device and inode, through symbolic and hard links.
// - Inputs are regular files: a named pipe or a device would be read until it ends, or wait for a
//   writer that never comes.
//
//   check_files({{out, "the output"}, {xmf, "its XDMF sidecar"}},
//               {{config, "the config"}, {table, "the parameter table (model.parameter_file)"}});
#pragma once

#include <string>
#include <vector>

namespace citsim {

/// A file and what it is to the command that reads or writes it, for messages.
struct NamedFile {
  std::string path;
  std::string role;  ///< "the config", "a shard", "the output", "its work file", ...
};

/// "a directory", "a character device", "a named pipe", ... for a stat(2) mode that is not a
/// regular file ("a regular file" for one).
std::string kind_of_file(unsigned mode);

/// The regular file that writing `path` replaces: symbolic links followed (a path that does not
/// exist yet is returned as it is). Throws IoError naming `path` (and its `role`, if given) and what
/// it leads to if that is not a place for a regular file (see above), or if the links loop.
std::string resolve_output_path(const std::string& path, const std::string& role = "");

/// Refuses an input that exists and is not a regular file: IoError naming it, its role and what it
/// is. A missing input is left to its reader, which names the reason.
void check_input_file(const NamedFile& input);

/// Every rule above for one command, before its work: each input is a regular file, each output a
/// place for one, and no output is an input or another output. Throws IoError naming both files and
/// their roles. Writes nothing.
void check_files(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs);

}  // namespace citsim
