// Owning handles and error plumbing for the HDF5 C API, shared by the run writer
// (src/io/hdf5_file.cpp), the run-file reader (src/report/run_file.cpp) and the sweep store
// (src/sweep/detail/h5.cpp). Private to the library.
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "citsim/errors.hpp"

namespace citsim::hdf5 {

/// Owns one HDF5 identifier and closes it with the function it was opened for.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

  /// Closes now and reports the status (for a file, whose close flushes and can fail).
  herr_t close() {
    if (id_ < 0) return 0;
    return closer_(std::exchange(id_, H5I_INVALID_HID));
  }

 private:
  // Unwinding path: errors are already being reported, a failed close adds nothing.
  void reset() noexcept {
    if (id_ >= 0) closer_(std::exchange(id_, H5I_INVALID_HID));
  }

  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Turns off HDF5's automatic error-stack printing while alive and restores the previous handler
/// after, so a caller's HDF5 setup is left as it was; failures become exceptions instead.
class QuietErrors {
 public:
  QuietErrors() {
    if (H5Eget_auto2(H5E_DEFAULT, &func_, &data_) < 0)
      throw IoError("HDF5 H5Eget_auto2 failed (querying the error handler)");
    if (H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) < 0)
      throw IoError("HDF5 H5Eset_auto2 failed (silencing the error stack)");
  }
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// The innermost entry of HDF5's error stack (what actually went wrong), then clears the stack.
inline std::string take_innermost_error() {
  std::string detail;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* out) -> herr_t {
        if (n == 0 && e->desc != nullptr) *static_cast<std::string*>(out) = e->desc;
        return 0;
      },
      &detail);
  H5Eclear2(H5E_DEFAULT);
  // A failed write or open carries the system's reason amid buffer addresses and offsets:
  // "file write failed: time = ..., errno = 28, error message = 'No space left on device', ...".
  const std::string marker = "error message = '";
  if (const auto at = detail.find(marker); at != std::string::npos) {
    const auto end = detail.find('\'', at + marker.size());
    const std::string head = detail.substr(0, detail.find(':'));
    if (end != std::string::npos) detail = head + ": " + detail.substr(at + marker.size(), end - at - marker.size());
  }
  return detail;
}

/// Deflate expands data at most about 1032-fold: a dataset claiming more bytes than this many per
/// byte of its file was not written (a damaged or forged header, dimensions never filled in).
inline constexpr std::uint64_t kMaxExpansion = 1100;
/// Below this, any size is believed (small files with fill values, compact datasets).
inline constexpr std::uint64_t kSizeSlack = std::uint64_t{16} << 20;

/// Why `dims` elements of `bytes_each` bytes are too many to read from the file holding `object`
/// (checked before allocating for them), or "" if the size is plausible.
inline std::string implausible_size(hid_t object, const std::vector<hsize_t>& dims, std::size_t bytes_each) {
  std::uint64_t bytes = bytes_each;
  bool overflow = false;
  for (hsize_t d : dims) overflow = overflow || __builtin_mul_overflow(bytes, static_cast<std::uint64_t>(d), &bytes);
  hsize_t file_size = 0;
  const hid_t file = H5Iget_file_id(object);
  if (file >= 0) {
    if (H5Fget_filesize(file, &file_size) < 0) file_size = 0;
    H5Fclose(file);
  }
  const std::uint64_t size = file_size;
  const std::uint64_t limit =
      std::max<std::uint64_t>(kSizeSlack, size > UINT64_MAX / kMaxExpansion ? UINT64_MAX : size * kMaxExpansion);
  if (!overflow && bytes <= limit) return {};
  std::string shape;
  for (hsize_t d : dims) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
  return "its dimensions (" + shape + ") hold more data than the file (" + std::to_string(file_size) +
         " bytes) can: the file is damaged";
}

/// Turns off HDF5's clean-up at process exit. Call first in main, before any HDF5 call: in HDF5
/// 1.10 the clean-up crashes on a file whose close failed (a full disk, a file-size limit), and
/// citsim closes every file it opens itself, so it is not needed.
inline void skip_cleanup_at_exit() { H5dont_atexit(); }

}  // namespace citsim::hdf5
