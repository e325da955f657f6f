// Layout: header {magic "ATRKBLOB", version, key (2 x u64), section count, table offset, total
// size}, sections aligned to 64 bytes, then the table {name[48], offset, bytes} per section.
// The total size in the header detects truncated files.
#include "atrank/data/blob.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {
constexpr char kMagic[8] = {'A', 'T', 'R', 'K', 'B', 'L', 'O', 'B'};
constexpr std::uint64_t kVersion = 1;
constexpr std::size_t kAlign = 64;
constexpr std::size_t kName = 48;

struct Header {
  char magic[8];
  std::uint64_t version, key_lo, key_hi, sections, table, total;
  std::uint64_t pad;
};
static_assert(sizeof(Header) == 64, "header is one aligned block");
struct TableEntry {
  char name[kName];
  std::uint64_t offset, bytes;
};
static_assert(sizeof(TableEntry) == 64, "table entries are 64 bytes");

std::size_t align_up(std::size_t x) { return (x + kAlign - 1) / kAlign * kAlign; }
}  // namespace

void BlobWriter::add(const std::string& name, const void* data, std::size_t bytes) {
  if (name.size() >= kName) throw DataError("blob section name too long: " + name);
  Section s;
  s.name = name;
  s.bytes.assign(static_cast<const char*>(data), static_cast<const char*>(data) + bytes);
  sections_.push_back(std::move(s));
}

std::vector<char> BlobWriter::image(std::uint64_t key_lo, std::uint64_t key_hi) const {
  std::size_t size = sizeof(Header);
  std::vector<TableEntry> table(sections_.size());
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    size = align_up(size);
    std::memset(&table[i], 0, sizeof(TableEntry));
    std::memcpy(table[i].name, sections_[i].name.data(), sections_[i].name.size());
    table[i].offset = size;
    table[i].bytes = sections_[i].bytes.size();
    size += sections_[i].bytes.size();
  }
  size = align_up(size);
  const std::size_t table_at = size;
  size += table.size() * sizeof(TableEntry);
  std::vector<char> out(size, 0);
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.key_lo = key_lo;
  h.key_hi = key_hi;
  h.sections = sections_.size();
  h.table = table_at;
  h.total = size;
  std::memcpy(out.data(), &h, sizeof h);
  for (std::size_t i = 0; i < sections_.size(); ++i)
    if (!sections_[i].bytes.empty())
      std::memcpy(out.data() + table[i].offset, sections_[i].bytes.data(), sections_[i].bytes.size());
  if (!table.empty()) std::memcpy(out.data() + table_at, table.data(), table.size() * sizeof(TableEntry));
  return out;
}

void BlobWriter::write_atomic(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi) const {
  const std::vector<char> img = image(key_lo, key_hi);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw DataError("cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < img.size()) {
    const ssize_t w = ::write(fd, img.data() + done, img.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw DataError("cannot write " + tmp + ": " + err);
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw DataError("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw DataError("cannot rename " + tmp + " to " + path + ": " + err);
  }
}

void Blob::index() {
  if (size_ < sizeof(Header)) throw DataError("not a data cache file (too short)");
  Header h;
  std::memcpy(&h, base_, sizeof h);
  if (std::memcmp(h.magic, kMagic, 8) != 0) throw DataError("not a data cache file (bad magic)");
  if (h.version != kVersion) throw DataError("data cache file has an old format version");
  if (h.total != size_ || h.table + h.sections * sizeof(TableEntry) > size_)
    throw DataError("data cache file is truncated");
  entries_.clear();
  for (std::uint64_t i = 0; i < h.sections; ++i) {
    TableEntry e;
    std::memcpy(&e, base_ + h.table + i * sizeof(TableEntry), sizeof e);
    if (e.offset + e.bytes > size_) throw DataError("data cache file is corrupt");
    entries_.push_back({std::string(e.name, strnlen(e.name, kName)), e.offset, e.bytes});
  }
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
  if (p == MAP_FAILED) throw DataError("cannot map " + path);
  Blob b;
  b.keep_ = std::shared_ptr<const void>(p, [size](const void* q) { ::munmap(const_cast<void*>(q), size); });
  b.base_ = static_cast<const char*>(p);
  b.size_ = size;
  b.index();
  Header h;
  std::memcpy(&h, b.base_, sizeof h);
  if (h.key_lo != key_lo || h.key_hi != key_hi) throw DataError(path + ": cache key mismatch");
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
