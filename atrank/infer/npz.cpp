// ZIP records as in PKWARE's APPNOTE (local header, central directory, end
// record; method 0 = stored) around NPY 1.0 files.
#include "atrank/infer/npz.hpp"

#include <zlib.h>

#include <limits>
#include <stdexcept>

#include "atrank/train/checked_file.hpp"

namespace atrank::infer {

namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndRecord = 0x06054b50;
constexpr std::uint16_t kVersion = 20;     // 2.0: the oldest that every reader takes
constexpr std::uint16_t kDosDate = 0x21;   // 1980-01-01: fixed, so equal inputs give equal files
constexpr std::size_t kNpyAlign = 64;
constexpr std::uint64_t kZipLimit = std::numeric_limits<std::uint32_t>::max();
constexpr std::size_t kMaxEntries = std::numeric_limits<std::uint16_t>::max();

void put16(std::string& s, std::uint16_t v) {
  s += char(v & 0xff);
  s += char(v >> 8);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, std::uint16_t(v & 0xffff));
  put16(s, std::uint16_t(v >> 16));
}

}  // namespace

std::string npy_header(const std::vector<std::int64_t>& shape) {
  std::string dims;
  for (const auto d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // "(3, 4)"; one dimension keeps "(5,)"
  else if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  const std::size_t prefix = 6 + 2 + 2;  // magic, version, header length
  const std::size_t total = (prefix + dict.size() + 1 + kNpyAlign - 1) / kNpyAlign * kNpyAlign;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  put16(out, std::uint16_t(dict.size()));
  return out + dict;
}

void NpzWriter::add(const std::string& name, const std::vector<std::int64_t>& shape, const float* values) {
  static_assert(std::numeric_limits<float>::is_iec559 && sizeof(float) == 4, "npy '<f4' needs IEEE floats");
  std::int64_t numel = 1;
  for (const auto d : shape) numel *= d;
  const std::string header = npy_header(shape);
  const std::uint64_t bytes = std::uint64_t(numel) * sizeof(float);
  const std::string file_name = name + ".npy";
  if (bytes_.size() + bytes + header.size() + file_name.size() + 64 > kZipLimit || entries_.size() == kMaxEntries)
    throw std::runtime_error(path_ + ": the parameters outgrow a ZIP archive without ZIP64 (4 GiB, 65535 arrays)");
  Entry e;
  e.name = file_name;
  e.offset = std::uint32_t(bytes_.size());
  e.size = std::uint32_t(header.size() + bytes);
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(header.data()), uInt(header.size()));
  const auto* p = reinterpret_cast<const Bytef*>(values);
  for (std::uint64_t done = 0; done < bytes;) {  // crc32 takes at most uInt bytes at a time
    const uInt chunk = uInt(std::min<std::uint64_t>(bytes - done, 1u << 30));
    crc = crc32(crc, p + done, chunk);
    done += chunk;
  }
  e.crc = std::uint32_t(crc);
  std::string local;
  put32(local, kLocalHeader);
  put16(local, kVersion);
  put16(local, 0);  // flags
  put16(local, 0);  // stored
  put16(local, 0);  // time
  put16(local, kDosDate);
  put32(local, e.crc);
  put32(local, e.size);  // compressed = uncompressed
  put32(local, e.size);
  put16(local, std::uint16_t(file_name.size()));
  put16(local, 0);  // extra
  local += file_name;
  bytes_ += local;
  bytes_ += header;
  bytes_.append(reinterpret_cast<const char*>(values), std::size_t(bytes));
  entries_.push_back(e);
}

void NpzWriter::save() {
  std::string central;
  for (const Entry& e : entries_) {
    put32(central, kCentralHeader);
    put16(central, kVersion);  // made by
    put16(central, kVersion);  // needed
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, kDosDate);
    put32(central, e.crc);
    put32(central, e.size);
    put32(central, e.size);
    put16(central, std::uint16_t(e.name.size()));
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, e.offset);
    central += e.name;
  }
  const std::uint64_t start = bytes_.size();
  const auto dir_size = std::uint32_t(central.size());
  if (start + dir_size + 22 > kZipLimit)
    throw std::runtime_error(path_ + ": the parameters outgrow a ZIP archive without ZIP64 (4 GiB)");
  put32(central, kEndRecord);
  put16(central, 0);  // this disk
  put16(central, 0);  // the directory's disk
  put16(central, std::uint16_t(entries_.size()));
  put16(central, std::uint16_t(entries_.size()));
  put32(central, dir_size);
  put32(central, std::uint32_t(start));
  put16(central, 0);  // comment
  bytes_ += central;
  train::write_file_atomically(path_, bytes_);
}

}  // namespace atrank::infer
