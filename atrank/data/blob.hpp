// A file of named, 64-byte-aligned sections, each with an XXH3-64 checksum: written once
// atomically (temp file + fsync + rename), read back with mmap so loading costs page faults and
// one hashing pass, not parsing. Also usable purely in memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/span.hpp"

namespace atrank::data {

class BlobWriter {
 public:
  // Adds a section WITHOUT copying: `data` must stay alive until image()/write_atomic().
  void add(const std::string& name, const void* data, std::size_t bytes);
  template <class T>
  void add(const std::string& name, const std::vector<T>& v) {
    add(name, v.data(), v.size() * sizeof(T));
  }
  // Adds a section that the writer keeps (small records built on the fly).
  void add_copy(const std::string& name, std::vector<char> bytes);
  // The whole file image (header, sections, table).
  std::vector<char> image(std::uint64_t key_lo, std::uint64_t key_hi) const;
  // Streams the file to `path` via a temporary file in the same directory and rename(), so a
  // crash or a concurrent reader never sees half a file. Throws DataError.
  void write_atomic(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi) const;

 private:
  struct Section {
    std::string name;
    const char* data;
    std::size_t bytes;
  };
  struct Layout;
  Layout layout(std::uint64_t key_lo, std::uint64_t key_hi) const;
  std::vector<Section> sections_;
  std::vector<std::unique_ptr<std::vector<char>>> owned_;
};

// Writes a blob whose section sizes are known before their contents, without holding them: each
// section is filled front to back by append() calls that may interleave between sections
// (buffered positioned writes, checksums as the bytes pass); commit() adds the table and header,
// fsyncs and renames into place. The bytes equal BlobWriter::write_atomic's for the same
// sections. Memory: a buffer per section. Destroyed without commit(), it removes its temporary
// file. I/O failures throw DataError; appending more or fewer bytes than declared is a bug
// (std::logic_error).
class BlobStreamWriter {
 public:
  struct SectionSize {
    std::string name;
    std::uint64_t bytes;
  };
  BlobStreamWriter(const std::string& path, const std::vector<SectionSize>& sections, std::uint64_t key_lo,
                   std::uint64_t key_hi);
  ~BlobStreamWriter();
  BlobStreamWriter(const BlobStreamWriter&) = delete;
  BlobStreamWriter& operator=(const BlobStreamWriter&) = delete;

  void append(std::size_t section, const void* data, std::size_t bytes);
  template <class T>
  void append(std::size_t section, const std::vector<T>& v) {
    append(section, v.data(), v.size() * sizeof(T));
  }
  void commit();

 private:
  static constexpr std::size_t kBuffer = std::size_t{1} << 20;
  struct Section;
  void flush(Section& s);
  [[noreturn]] void fail();  // closes and removes the temporary file, throws DataError (errno)
  std::string path_, tmp_;
  std::uint64_t key_lo_, key_hi_, table_ = 0, total_ = 0;
  std::vector<std::unique_ptr<Section>> sections_;
  int fd_ = -1;
};

class Blob {
 public:
  Blob() = default;
  // Maps `path` read-only and checks its header and section table (bounds, table checksum);
  // throws DataError if it is not a complete blob with this key. Section contents are checked
  // by verify().
  static Blob map_file(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi);
  static Blob from_image(std::vector<char> image);
  // Checks every section against its checksum and the alignment gaps for zeros (with the
  // header and table checks of map_file, every byte of the file); throws DataError naming the
  // first bad section.
  void verify() const;

  bool has(const std::string& name) const;
  std::string_view bytes(const std::string& name) const;  // throws DataError if missing
  // A section as an array of T (its size must be a multiple of sizeof(T)).
  template <class T>
  Span<T> array(const std::string& name) const {
    const std::string_view b = bytes(name);
    if (b.size() % sizeof(T) != 0) bad_array(name);
    return Span<T>{reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
  }
  std::size_t size() const { return size_; }

 private:
  void index();
  [[noreturn]] static void bad_array(const std::string& name);
  std::shared_ptr<const void> keep_;  // owns the mapping or the buffer
  const char* base_ = nullptr;
  std::size_t size_ = 0;
  struct Entry {
    std::string name;
    std::uint64_t offset, bytes, hash;
  };
  std::vector<Entry> entries_;
};

}  // namespace atrank::data
