// A self-describing HDF5 file built from plain data: dimension scales, datasets with units and
// long names, attributes. Knows nothing of the model; `run_output` decides what goes in it.
//
// The file is written to a temporary beside `path` and renamed at the end (AtomicFile,
// atomic_file.hpp), so a failing or killed writer never leaves a half file at `path`. Every HDF5 call is checked; failures throw `IoError` naming the
// call and the object.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace citsim {

/// A value for an attribute: number, integer, string, or array of numbers.
using AttributeValue = std::variant<double, std::int64_t, std::string, std::vector<double>>;

struct Attribute {
  std::string name;
  AttributeValue value;
};

/// A 1-D coordinate that other datasets name as a dimension (an HDF5 dimension scale).
struct Dimension {
  std::string path;  ///< e.g. "/time", "/sessions/session"; its last component is the dim name
  std::vector<double> values;
  std::string units;
  std::string long_name;
};

/// The stored type of a dataset: stated, not guessed, so an empty column keeps its type.
enum class DataKind { Numbers, Integers, Strings };

/// A dataset over named dimensions. `dims` are paths of `Dimension`s; shape follows from them.
/// The vector that `kind` names holds the values, row-major; the other two stay empty.
struct Dataset {
  std::string path;               ///< e.g. "/layers/dermis/C1"
  std::vector<std::string> dims;  ///< dimension paths, outermost first
  DataKind kind = DataKind::Numbers;
  std::vector<double> numbers;
  std::vector<std::int64_t> integers;
  std::vector<std::string> strings;  ///< written as variable-length UTF-8 (netCDF-safe)
  std::string units;
  std::string long_name;
  std::vector<Attribute> attributes;
  bool compress = false;  ///< chunk and deflate (large profile arrays)
};

/// Attributes on a group (created if missing); "/" is the root.
struct GroupAttributes {
  std::string path;
  std::vector<Attribute> attributes;
};

struct FileContents {
  std::vector<Dimension> dimensions;
  std::vector<Dataset> datasets;
  std::vector<GroupAttributes> groups;
};

/// Write `contents` to `path` atomically (temporary name, then rename). Creates parent groups,
/// tracks link creation order (netCDF lists variables in creation order), attaches every
/// dimension scale. Throws `IoError` on failure and leaves no file at `path` nor a temporary.
void write_hdf5(const std::string& path, const FileContents& contents);

class AtomicFile;
/// Write `contents` into the temporary of `file`; the caller commits it (with the files that belong
/// with it: `commit_together`). Throws `IoError` on failure.
void write_hdf5(const AtomicFile& file, const FileContents& contents);

/// Turns off HDF5's clean-up at process exit; a program calls it first, before any HDF5 use. In
/// HDF5 1.10 that clean-up crashes on a file whose close failed (a full disk, a file-size limit),
/// turning a clean error into a segmentation fault; citsim closes every file it opens itself.
void skip_hdf5_cleanup_at_exit();

}  // namespace citsim
