// NumPy's .npz format for float32 arrays: a ZIP archive (stored, not
// compressed) of one .npy file per array; numpy.load(path)[name] reads it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace atrank::infer {

// The .npy bytes of a float32 array of `shape` (C order): format 1.0 header
// padded to a multiple of 64 bytes, then the values little-endian.
std::string npy_header(const std::vector<std::int64_t>& shape);

// Streams arrays into `path` + ".tmp"; save() renames it to `path`. A writer
// destroyed before save() removes the temporary file. Throws
// std::runtime_error naming the file on any failed write, and when the
// archive outgrows the ZIP format without its ZIP64 extension (4 GiB).
class NpzWriter {
 public:
  explicit NpzWriter(std::string path);
  ~NpzWriter();
  NpzWriter(const NpzWriter&) = delete;
  NpzWriter& operator=(const NpzWriter&) = delete;

  // values: numel(shape) floats.
  void add(const std::string& name, const std::vector<std::int64_t>& shape, const float* values);
  void save();

 private:
  struct Entry {
    std::string name;
    std::uint32_t crc = 0, size = 0, offset = 0;
  };
  void write(const void* data, std::size_t n);

  std::string path_, tmp_;
  std::FILE* file_ = nullptr;
  std::uint64_t offset_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace atrank::infer
