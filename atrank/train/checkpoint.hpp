// Checkpoint files: named binary sections, a fingerprint of the spec they
// belong to, and a checksum; written atomically (temp file + rename).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace atrank::train {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Checkpoint {
 public:
  std::uint64_t spec_fingerprint = 0;

  void put_bytes(const std::string& name, const void* data, std::size_t bytes);
  template <class T>
  void put(const std::string& name, const std::vector<T>& v) {
    put_bytes(name, v.data(), v.size() * sizeof(T));
  }
  void put_string(const std::string& name, const std::string& s) { put_bytes(name, s.data(), s.size()); }
  template <class T>
  void put_scalar(const std::string& name, T x) { put_bytes(name, &x, sizeof(T)); }

  bool has(const std::string& name) const { return sections_.count(name) > 0; }
  const std::string& bytes(const std::string& name) const;
  // Copies section `name` into v, which must already have the right size
  // (a size mismatch means the checkpoint belongs to another model).
  template <class T>
  void get_into(const std::string& name, std::vector<T>& v) const {
    const std::string& b = bytes(name);
    if (b.size() != v.size() * sizeof(T))
      throw CheckpointError("checkpoint section `" + name + "` has " + std::to_string(b.size()) +
                            " bytes, the model expects " + std::to_string(v.size() * sizeof(T)));
    if (!b.empty()) std::memcpy(v.data(), b.data(), b.size());  // empty: v.data() may be null
  }
  template <class T>
  T get_scalar(const std::string& name) const {
    const std::string& b = bytes(name);
    if (b.size() != sizeof(T)) throw CheckpointError("checkpoint section `" + name + "` has a wrong size");
    T x;
    std::memcpy(&x, b.data(), sizeof(T));
    return x;
  }

  // Writes `path` atomically (write_file_atomically): a temp file in the same directory, fsync, rename.
  void save(const std::string& path) const;
  // Reads and verifies magic, version and checksum. When expected_fingerprint
  // is non-zero and differs, throws naming both (a checkpoint of another spec).
  static Checkpoint load(const std::string& path, std::uint64_t expected_fingerprint);

 private:
  std::map<std::string, std::string> sections_;
};

}  // namespace atrank::train
