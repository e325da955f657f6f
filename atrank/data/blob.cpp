// Layout: header {magic "ATRKBLOB", version, key (2 x u64), section count, table offset, total
// size, XXH3-64 of the table}, sections aligned to 64 bytes, then the table {name[40], offset,
// bytes, XXH3-64 of the bytes} per section. The total size detects truncated files; the
// checksums detect flipped bytes; every offset is bounds-checked (without overflow) before use.
#include "atrank/data/blob.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {
constexpr char kMagic[8] = {'A', 'T', 'R', 'K', 'B', 'L', 'O', 'B'};
constexpr std::uint64_t kVersion = 2;  // 2: section and table checksums
constexpr std::size_t kAlign = 64;
constexpr std::size_t kName = 40;

struct Header {
  char magic[8];
  std::uint64_t version, key_lo, key_hi, sections, table, total;
  std::uint64_t table_hash;
};
static_assert(sizeof(Header) == 64, "header is one aligned block");
struct TableEntry {
  char name[kName];
  std::uint64_t offset, bytes, hash;
};
static_assert(sizeof(TableEntry) == 64, "table entries are 64 bytes");

std::size_t align_up(std::size_t x) { return (x + kAlign - 1) / kAlign * kAlign; }

std::uint64_t checksum(const void* p, std::size_t n) { return XXH3_64bits(p, n); }
}  // namespace

void BlobWriter::add(const std::string& name, const void* data, std::size_t bytes) {
  if (name.size() >= kName) throw DataError("blob section name too long: " + name);
  sections_.push_back({name, static_cast<const char*>(data), bytes});
}

void BlobWriter::add_copy(const std::string& name, std::vector<char> bytes) {
  owned_.push_back(std::make_unique<std::vector<char>>(std::move(bytes)));
  add(name, owned_.back()->data(), owned_.back()->size());
}

// Offsets and checksums of every part of the file, shared by image() and write_atomic().
struct BlobWriter::Layout {
  Header header{};
  std::vector<TableEntry> table;
};

BlobWriter::Layout BlobWriter::layout(std::uint64_t key_lo, std::uint64_t key_hi) const {
  Layout l;
  std::size_t size = sizeof(Header);
  l.table.resize(sections_.size());
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    size = align_up(size);
    std::memset(&l.table[i], 0, sizeof(TableEntry));
    std::memcpy(l.table[i].name, sections_[i].name.data(), sections_[i].name.size());
    l.table[i].offset = size;
    l.table[i].bytes = sections_[i].bytes;
    l.table[i].hash = checksum(sections_[i].data, sections_[i].bytes);
    size += sections_[i].bytes;
  }
  size = align_up(size);
  std::memcpy(l.header.magic, kMagic, 8);
  l.header.version = kVersion;
  l.header.key_lo = key_lo;
  l.header.key_hi = key_hi;
  l.header.sections = sections_.size();
  l.header.table = size;
  l.header.total = size + l.table.size() * sizeof(TableEntry);
  l.header.table_hash = checksum(l.table.data(), l.table.size() * sizeof(TableEntry));
  return l;
}

std::vector<char> BlobWriter::image(std::uint64_t key_lo, std::uint64_t key_hi) const {
  const Layout l = layout(key_lo, key_hi);
  std::vector<char> out(l.header.total, 0);
  std::memcpy(out.data(), &l.header, sizeof l.header);
  for (std::size_t i = 0; i < sections_.size(); ++i)
    if (sections_[i].bytes) std::memcpy(out.data() + l.table[i].offset, sections_[i].data, sections_[i].bytes);
  if (!l.table.empty())
    std::memcpy(out.data() + l.header.table, l.table.data(), l.table.size() * sizeof(TableEntry));
  return out;
}

namespace {
// write() all of it, retrying on EINTR and short writes.
bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}
}  // namespace

void BlobWriter::write_atomic(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi) const {
  const Layout l = layout(key_lo, key_hi);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw DataError("cannot write " + tmp + ": " + std::strerror(errno));
  static const char zeros[kAlign] = {};
  bool ok = write_all(fd, reinterpret_cast<const char*>(&l.header), sizeof l.header);
  std::size_t at = sizeof l.header;
  for (std::size_t i = 0; ok && i < sections_.size(); ++i) {
    ok = write_all(fd, zeros, l.table[i].offset - at) && write_all(fd, sections_[i].data, sections_[i].bytes);
    at = l.table[i].offset + sections_[i].bytes;
  }
  ok = ok && write_all(fd, zeros, l.header.table - at) &&
       write_all(fd, reinterpret_cast<const char*>(l.table.data()), l.table.size() * sizeof(TableEntry));
  // fsync before rename: after a crash the name points at complete bytes or at nothing.
  ok = ok && ::fsync(fd) == 0;
  const std::string err = std::strerror(errno);
  if (::close(fd) != 0) ok = false;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw DataError("cannot write " + tmp + ": " + err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string e = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw DataError("cannot rename " + tmp + " to " + path + ": " + e);
  }
}

void Blob::index() {
  if (size_ < sizeof(Header)) throw DataError("not a data cache file (too short)");
  Header h;
  std::memcpy(&h, base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) throw DataError("not a data cache file (bad magic)");
  if (h.version != kVersion) throw DataError("data cache file has another format version");
  if (h.total != size_) throw DataError("data cache file is truncated or has trailing bytes");
  // Sections lie between the header and the table, the table ends the file.
  if (h.table < sizeof(Header) || h.table > size_ || h.sections != (size_ - h.table) / sizeof(TableEntry) ||
      (size_ - h.table) % sizeof(TableEntry) != 0)
    throw DataError("data cache file has a corrupt header (section table out of bounds)");
  if (checksum(base_ + h.table, h.sections * sizeof(TableEntry)) != h.table_hash)
    throw DataError("data cache file's section table fails its checksum");
  entries_.clear();
  for (std::uint64_t i = 0; i < h.sections; ++i) {
    TableEntry e;
    std::memcpy(&e, base_ + h.table + i * sizeof(TableEntry), sizeof e);
    const std::string name(e.name, strnlen(e.name, kName));
    if (e.offset < sizeof(Header) || e.offset % kAlign != 0 || e.offset > h.table || e.bytes > h.table - e.offset)
      throw DataError("data cache file's section '" + name + "' lies out of bounds");
    entries_.push_back({name, e.offset, e.bytes, e.hash});
  }
}

void Blob::verify() const {
  // The alignment gaps are zeros, so that every byte of the file is checked.
  std::uint64_t at = sizeof(Header);
  auto zeros_until = [&](std::uint64_t end) {
    for (; at < end; ++at)
      if (base_[at] != 0) throw DataError("data cache file has non-zero padding at byte " + std::to_string(at));
  };
  for (const auto& e : entries_) {
    zeros_until(e.offset);
    if (checksum(base_ + e.offset, e.bytes) != e.hash)
      throw DataError("data cache file's section '" + e.name + "' fails its checksum");
    at = std::max(at, e.offset + e.bytes);
  }
  Header h;
  std::memcpy(&h, base_, sizeof h);
  zeros_until(h.table);
}

void Blob::bad_array(const std::string& name) {
  throw DataError("data cache file's section '" + name + "' is not a whole number of elements");
}

Blob Blob::map_file(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw DataError("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw DataError("cannot stat " + path);
  }
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  void* p = size ? ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);
  if (p == MAP_FAILED) throw DataError(size ? "cannot map " + path : "data cache file is empty");
  Blob b;
  b.keep_ = std::shared_ptr<const void>(p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  b.base_ = static_cast<const char*>(p);
  b.size_ = size;
  b.index();
  Header h;
  std::memcpy(&h, b.base_, sizeof h);
  if (h.key_lo != key_lo || h.key_hi != key_hi) throw DataError("data cache file's key does not match its name");
  return b;
}

Blob Blob::from_image(std::vector<char> image) {
  auto owned = std::make_shared<std::vector<char>>(std::move(image));
  Blob b;
  b.base_ = owned->data();
  b.size_ = owned->size();
  b.keep_ = owned;
  b.index();
  return b;
}

bool Blob::has(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return true;
  return false;
}

std::string_view Blob::bytes(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return std::string_view(base_ + e.offset, e.bytes);
  throw DataError("data cache file lacks section '" + name + "'");
}

}  // namespace atrank::data
