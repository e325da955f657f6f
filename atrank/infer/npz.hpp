// NumPy's .npz format for float32 arrays: a ZIP archive (stored, not
// compressed) of one .npy file per array; numpy.load(path)[name] reads it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atrank::infer {

// The .npy bytes of a float32 array of `shape` (C order): format 1.0 header
// padded to a multiple of 64 bytes, then the values little-endian.
std::string npy_header(const std::vector<std::int64_t>& shape);

// Collects arrays into an archive in memory; save() writes it to `path`
// with train::write_file_atomically (nothing is written before save(), so a
// failed export leaves no partial archive). Throws std::runtime_error naming
// the file when the archive outgrows the ZIP format without its ZIP64
// extension (4 GiB), and WriteError when the file cannot be written.
class NpzWriter {
 public:
  explicit NpzWriter(std::string path) : path_(std::move(path)) {}

  // values: numel(shape) floats.
  void add(const std::string& name, const std::vector<std::int64_t>& shape, const float* values);
  void save();

 private:
  struct Entry {
    std::string name;
    std::uint32_t crc = 0, size = 0, offset = 0;
  };

  std::string path_;
  std::string bytes_;  // the local entries so far
  std::vector<Entry> entries_;
};

}  // namespace atrank::infer
