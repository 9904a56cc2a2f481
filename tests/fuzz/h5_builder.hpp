// Structure-aware HDF5 inputs: a file described as a list of objects (groups, datasets,
// attributes, links) with their types, shapes and values, changed by the fuzz bytes (pieces
// removed, added, retyped, reshaped, NaN-filled, huge dimensions that are never written) and then
// written with the HDF5 API. What citsim's readers make of such files tests citsim's own checks,
// not libhdf5's parser.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_support.hpp"

namespace citsim::fuzz::h5desc {

enum class Kind { Group, Dataset, Attribute, SoftLink, ExternalLink };
enum class Elem { F64, F32, I64, I32, I8, U8, VString, FString, Compound };
enum class Space { Simple, Scalar, Null };
/// How numbers are filled: 0, 1, 2, ... (scaled), a constant, NaN, +Inf, negative, all zero.
enum class Fill { Ramp, Constant, NaN, Inf, Negative, Zero };

struct Object {
  Kind kind = Kind::Dataset;
  std::string path;    ///< absolute; for attributes the owner object
  std::string name;    ///< attribute name (attributes only)
  std::string target;  ///< link target (links only)
  Elem elem = Elem::F64;
  Space space = Space::Simple;
  std::vector<hsize_t> dims;
  Fill fill = Fill::Ramp;
  double scale = 1.0;
  std::vector<std::string> text;  ///< string values, cycled
  bool unwritten = false;         ///< chunked and never written (huge dimensions stay small on disk)
};

using Description = std::vector<Object>;

Object group(std::string path);
Object dataset(std::string path, Elem elem, std::vector<hsize_t> dims, Fill fill = Fill::Ramp, double scale = 1.0);
Object strings(std::string path, std::vector<std::string> values);
Object attribute(std::string owner, std::string name, Elem elem, std::vector<hsize_t> dims, double value);
Object text_attribute(std::string owner, std::string name, std::string value);

/// Applies up to a few dozen changes decoded from `r`; `vocabulary` offers names and text values.
void mutate(Description& d, ByteReader& r, const std::vector<std::string>& vocabulary);

/// Writes `d` to `path` (replacing it) with link and attribute creation order tracked, as citsim
/// writes. Objects HDF5 refuses to create (an attribute on a removed object) are skipped.
void write(const Description& d, const std::string& path);

}  // namespace citsim::fuzz::h5desc
