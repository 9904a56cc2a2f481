// A thin checked layer over the HDF5 C API for the sweep store: files, datasets read and written
// by blocks of rows, attributes, dimension scales. Every failing call throws IoError naming the
// function, the object and the file, with HDF5's own innermost reason. Private to src/sweep.
#pragma once

#include <hdf5.h>

#include "../../io/detail/hdf5_handle.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace citsim::sweep::h5 {

using Id = citsim::hdf5::Handle;
using Quiet = citsim::hdf5::QuietErrors;

enum class Type { F64, I64, I8, U8, String };

/// An open file and the checked operations on it. Paths are absolute within the file ("/a/b").
class File {
 public:
  /// New file (truncating). `swmr_format`: the newest format, required for SWMR writing later.
  static File create(const std::string& path, bool swmr_format);
  /// Existing file. `clear_status` lets a writer reopen a file whose last writer was killed.
  static File open(const std::string& path, bool write, bool clear_status = false);

  const std::string& path() const { return path_; }
  hid_t id() const { return file_.get(); }
  void start_swmr_write();
  void flush();
  void close();
  bool exists(const std::string& object) const;

  /// A dataset of `dims`; `chunk` empty for contiguous; fill NaN (F64) or 0.
  void create(const std::string& path, Type type, const std::vector<hsize_t>& dims,
              const std::vector<hsize_t>& chunk = {}, bool compress = false);
  /// Virtual dataset of `dims` (F64/I64/I8); mappings added with `map_virtual`.
  struct VirtualMap {
    std::string source_file, source_dataset;
    hsize_t start, stride, count;  ///< rows of the virtual dataset; all rows of the source
  };
  void create_virtual(const std::string& path, Type type, const std::vector<hsize_t>& dims,
                      const std::vector<VirtualMap>& maps);

  std::vector<hsize_t> shape(const std::string& dataset) const;
  /// The shape, required to have `rank` dimensions and to fit the file when read whole as
  /// elements of `element_bytes` (throws IoError naming the dataset otherwise).
  std::vector<hsize_t> checked_shape(const std::string& dataset, std::size_t rank, std::size_t element_bytes) const;
  /// Throws IoError unless `dataset` has exactly the dimensions `dims`.
  void require_shape(const std::string& dataset, const std::vector<hsize_t>& dims) const;

  /// Rows [row, row + rows) of a dataset of any rank; `data` holds rows × (product of the rest).
  void write_rows(const std::string& dataset, hsize_t row, hsize_t rows, const double* data);
  void write_rows(const std::string& dataset, hsize_t row, hsize_t rows, const std::int64_t* data);
  void write_rows(const std::string& dataset, hsize_t row, hsize_t rows, const std::int8_t* data);
  void write_rows(const std::string& dataset, hsize_t row, hsize_t rows, const std::uint8_t* data);
  void write_strings(const std::string& dataset, hsize_t row, const std::vector<std::string>& values);
  void read_rows(const std::string& dataset, hsize_t row, hsize_t rows, double* data) const;
  void read_rows(const std::string& dataset, hsize_t row, hsize_t rows, std::int64_t* data) const;
  void read_rows(const std::string& dataset, hsize_t row, hsize_t rows, std::int8_t* data) const;
  void read_rows(const std::string& dataset, hsize_t row, hsize_t rows, std::uint8_t* data) const;
  std::vector<std::string> read_strings(const std::string& dataset, hsize_t row, hsize_t rows) const;

  /// Attributes on a group or dataset ("/" is the root).
  void set_attribute(const std::string& object, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void set_attribute(const std::string& object, const std::string& name, double value);
  void set_attribute(const std::string& object, const std::string& name, const std::vector<std::int64_t>& values);
  std::string string_attribute(const std::string& object, const std::string& name) const;
  std::int64_t int_attribute(const std::string& object, const std::string& name) const;
  double double_attribute(const std::string& object, const std::string& name) const;
  bool has_attribute(const std::string& object, const std::string& name) const;

  /// Makes `dataset` a dimension scale named by its last path component.
  void make_scale(const std::string& dataset);
  /// Attaches scale `scale` to dimension `index` of `dataset`.
  void attach_scale(const std::string& dataset, const std::string& scale, unsigned index);

 private:
  File(std::string path, Id file) : path_(std::move(path)), file_(std::move(file)) {}
  void ensure_group(const std::string& path);
  [[noreturn]] void fail(const char* function, const std::string& object) const;
  void check(herr_t status, const char* function, const std::string& object) const;
  Id make(hid_t id, Id::Closer closer, const char* function, const std::string& object) const;
  Id dataset(const std::string& path) const;
  Id object(const std::string& path) const;
  void rows_io(const std::string& dataset, hsize_t row, hsize_t rows, hid_t memtype, void* data,
               bool write) const;

  std::string path_;
  Id file_;
};

}  // namespace citsim::sweep::h5
