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
#include <new>
#include <stdexcept>

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

void check_name(const std::string& name) {
  if (name.size() >= kName) throw DataError("blob section name too long: " + name);
}

// Where sections of the given sizes go: each 64-byte aligned after the header, then the table.
struct Placement {
  std::vector<std::uint64_t> offsets;
  std::uint64_t table = 0, total = 0;
};

Placement place(const std::vector<std::uint64_t>& sizes) {
  Placement p;
  std::uint64_t at = sizeof(Header);
  for (const std::uint64_t bytes : sizes) {
    at = align_up(at);
    p.offsets.push_back(at);
    at += bytes;
  }
  p.table = align_up(at);
  p.total = p.table + sizes.size() * sizeof(TableEntry);
  return p;
}

TableEntry table_entry(const std::string& name, std::uint64_t offset, std::uint64_t bytes, std::uint64_t hash) {
  TableEntry e;
  std::memset(&e, 0, sizeof e);
  std::memcpy(e.name, name.data(), name.size());
  e.offset = offset;
  e.bytes = bytes;
  e.hash = hash;
  return e;
}

Header make_header(std::uint64_t key_lo, std::uint64_t key_hi, const Placement& p,
                   const std::vector<TableEntry>& table) {
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.key_lo = key_lo;
  h.key_hi = key_hi;
  h.sections = table.size();
  h.table = p.table;
  h.total = p.total;
  h.table_hash = checksum(table.data(), table.size() * sizeof(TableEntry));
  return h;
}

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

// pwrite() all of it at `offset`, likewise.
bool pwrite_all(int fd, const char* p, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
  return true;
}

// The writers' temporary file next to `path` (prune_cache_dir removes those of dead processes).
std::string temp_path(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

int open_temp(const std::string& tmp) {
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw DataError("cannot write " + tmp + ": " + std::strerror(errno));
  return fd;
}

// Ends a temporary file: fsync before rename, so that after a crash the name points at complete
// bytes or at nothing. `ok` = every write so far succeeded (else errno tells why). Closes `fd`;
// on failure removes the temporary file and throws DataError.
void commit_temp(int fd, bool ok, const std::string& tmp, const std::string& path) {
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
}  // namespace

void BlobWriter::add(const std::string& name, const void* data, std::size_t bytes) {
  check_name(name);
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
  std::vector<std::uint64_t> sizes;
  for (const auto& s : sections_) sizes.push_back(s.bytes);
  const Placement p = place(sizes);
  Layout l;
  for (std::size_t i = 0; i < sections_.size(); ++i)
    l.table.push_back(table_entry(sections_[i].name, p.offsets[i], sections_[i].bytes,
                                  checksum(sections_[i].data, sections_[i].bytes)));
  l.header = make_header(key_lo, key_hi, p, l.table);
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

void BlobWriter::write_atomic(const std::string& path, std::uint64_t key_lo, std::uint64_t key_hi) const {
  const Layout l = layout(key_lo, key_hi);
  const std::string tmp = temp_path(path);
  const int fd = open_temp(tmp);
  static const char zeros[kAlign] = {};
  bool ok = write_all(fd, reinterpret_cast<const char*>(&l.header), sizeof l.header);
  std::size_t at = sizeof l.header;
  for (std::size_t i = 0; ok && i < sections_.size(); ++i) {
    ok = write_all(fd, zeros, l.table[i].offset - at) && write_all(fd, sections_[i].data, sections_[i].bytes);
    at = l.table[i].offset + sections_[i].bytes;
  }
  ok = ok && write_all(fd, zeros, l.header.table - at) &&
       write_all(fd, reinterpret_cast<const char*>(l.table.data()), l.table.size() * sizeof(TableEntry));
  commit_temp(fd, ok, tmp, path);
}

struct BlobStreamWriter::Section {
  Section() : hash(XXH3_createState()) {
    if (!hash) throw std::bad_alloc();
    XXH3_64bits_reset(hash);
  }
  ~Section() { XXH3_freeState(hash); }
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;

  std::string name;
  std::uint64_t bytes = 0, offset = 0;
  std::uint64_t written = 0;  // appended so far (in the buffer or the file)
  std::vector<char> buffer;
  XXH3_state_t* hash;
};

BlobStreamWriter::BlobStreamWriter(const std::string& path, const std::vector<SectionSize>& sections,
                                   std::uint64_t key_lo, std::uint64_t key_hi)
    : path_(path), tmp_(temp_path(path)), key_lo_(key_lo), key_hi_(key_hi) {
  std::vector<std::uint64_t> sizes;
  for (const auto& s : sections) {
    check_name(s.name);
    sizes.push_back(s.bytes);
  }
  const Placement p = place(sizes);
  table_ = p.table;
  total_ = p.total;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    auto s = std::make_unique<Section>();
    s->name = sections[i].name;
    s->bytes = sections[i].bytes;
    s->offset = p.offsets[i];
    sections_.push_back(std::move(s));
  }
  fd_ = open_temp(tmp_);
  // The gaps read as zeros; a full disk shows at the first write that does not fit.
  if (::ftruncate(fd_, static_cast<off_t>(total_)) != 0) fail();
}

BlobStreamWriter::~BlobStreamWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void BlobStreamWriter::fail() {
  const std::string err = std::strerror(errno);
  ::close(fd_);
  fd_ = -1;
  ::unlink(tmp_.c_str());
  throw DataError("cannot write " + tmp_ + ": " + err);
}

void BlobStreamWriter::append(std::size_t section, const void* data, std::size_t bytes) {
  Section& s = *sections_.at(section);
  if (fd_ < 0) throw std::logic_error("blob stream writer: append after commit or failure");
  if (bytes > s.bytes - s.written)
    throw std::logic_error("blob stream writer: section '" + s.name + "' overflows its " + std::to_string(s.bytes) +
                           " bytes");
  XXH3_64bits_update(s.hash, data, bytes);
  const char* p = static_cast<const char*>(data);
  if (s.buffer.size() + bytes > kBuffer) flush(s);
  if (bytes >= kBuffer) {  // large pieces go straight to the file
    if (!pwrite_all(fd_, p, bytes, s.offset + s.written)) fail();
  } else {
    s.buffer.insert(s.buffer.end(), p, p + bytes);
  }
  s.written += bytes;
}

void BlobStreamWriter::flush(Section& s) {
  const std::uint64_t at = s.offset + s.written - s.buffer.size();
  if (!pwrite_all(fd_, s.buffer.data(), s.buffer.size(), at)) fail();
  s.buffer.clear();
}

void BlobStreamWriter::commit() {
  if (fd_ < 0) throw std::logic_error("blob stream writer: commit after commit or failure");
  std::vector<TableEntry> table;
  for (auto& s : sections_) {
    if (s->written != s->bytes)
      throw std::logic_error("blob stream writer: section '" + s->name + "' got " + std::to_string(s->written) +
                             " of its " + std::to_string(s->bytes) + " bytes");
    flush(*s);
    table.push_back(table_entry(s->name, s->offset, s->bytes, XXH3_64bits_digest(s->hash)));
  }
  Placement p;
  p.table = table_;
  p.total = total_;
  const Header h = make_header(key_lo_, key_hi_, p, table);
  const auto* entries = reinterpret_cast<const char*>(table.data());
  const bool ok = pwrite_all(fd_, entries, table.size() * sizeof(TableEntry), table_) &&
                  pwrite_all(fd_, reinterpret_cast<const char*>(&h), sizeof h, 0);
  const int fd = fd_;
  fd_ = -1;
  commit_temp(fd, ok, tmp_, path_);
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
