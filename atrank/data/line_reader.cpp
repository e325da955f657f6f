// Streaming line reader over zlib's gz* API, which reads gzip and plain files alike.
// The buffers fit a small file (importers open many: attribute files, id maps), hold a 1 MiB
// chunk of a large one, grow for long lines, and always keep padding so parsers may read past a
// line's end.
#include "atrank/data/line_reader.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

namespace {
constexpr std::size_t kChunk = std::size_t{1} << 20;
constexpr std::size_t kSmallest = 4096;
constexpr std::size_t kGzipBuffer = 256 * 1024;  // zlib's input buffer (its output buffer is twice that)
constexpr std::string_view kBom = "\xEF\xBB\xBF";
}

namespace {
// The file's size in bytes (a regular file's); throws DataError naming `what` otherwise.
std::size_t file_size(const std::string& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw DataError(what + ": no such file: " + path);
  if (!S_ISREG(st.st_mode)) throw DataError(what + ": not a regular file: " + path);
  return static_cast<std::size_t>(st.st_size);
}
}  // namespace

void require_file(const std::string& path, const std::string& what) { file_size(path, what); }

LineReader::LineReader(std::string path) : path_(std::move(path)) {
  // Buffers no larger than the file (a gzip file's size only bounds the first read: the line
  // buffer grows if a line needs more).
  const std::size_t size = file_size(path_, "input file");
  room_ = std::clamp(size, kSmallest, kChunk);
  gzFile f = gzopen(path_.c_str(), "rb");
  if (!f) throw DataError(path_ + ": cannot open: " + std::strerror(errno));
  gzbuffer(f, static_cast<unsigned>(std::clamp(size, kSmallest, kGzipBuffer)));
  gz_ = f;
  buf_.reset(new char[room_ + kPadding]);
}

LineReader::~LineReader() {
  if (gz_) gzclose(static_cast<gzFile>(gz_));
}

std::string LineReader::where() const { return path_ + ":" + std::to_string(line_number_) + ": "; }

bool LineReader::fill() {
  if (eof_) return false;
  // Move the unread tail to the front, grow if the buffer is over half full of one long line.
  if (begin_ > 0) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (room_ - end_ < room_ / 2) {
    std::unique_ptr<char[]> bigger(new char[2 * room_ + kPadding]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    room_ *= 2;
  }
  const int n = gzread(static_cast<gzFile>(gz_), buf_.get() + end_, static_cast<unsigned>(room_ - end_));
  if (n < 0) {
    int code = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &code);
    throw DataError(path_ + ": unreadable gzip data (" + (msg ? msg : "zlib error") + ")");
  }
  if (n == 0) {
    // gzread returns 0 both at a clean end and after a truncated stream; gzerror tells them apart.
    int code = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &code);
    if (code != Z_OK && code != Z_STREAM_END)
      throw DataError(path_ + ": unreadable gzip data (" + (msg ? msg : "zlib error") + ")");
    eof_ = true;
    return false;
  }
  end_ += static_cast<std::size_t>(n);
  std::memset(buf_.get() + end_, 0, kPadding);  // what a parser reads past the last line is defined
  return true;
}

bool LineReader::next(std::string_view& line) {
  if (!read_line(line)) return false;
  // A UTF-8 byte-order mark (Windows editors write one) is not part of the first field.
  if (line_number_ == 1 && line.substr(0, kBom.size()) == kBom) line.remove_prefix(kBom.size());
  return true;
}

bool LineReader::read_line(std::string_view& line) {
  std::size_t scan = begin_;
  for (;;) {
    const char* data = buf_.get();
    const void* nl = std::memchr(data + scan, '\n', end_ - scan);
    if (nl) {
      const std::size_t pos = static_cast<const char*>(nl) - data;
      std::size_t len = pos - begin_;
      if (len > 0 && data[begin_ + len - 1] == '\r') --len;
      line = std::string_view(data + begin_, len);
      begin_ = pos + 1;
      ++line_number_;
      return true;
    }
    const std::size_t scanned = end_ - begin_;
    if (!fill()) {
      if (begin_ == end_) return false;
      // Last line without a final newline.
      std::size_t len = end_ - begin_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      line = std::string_view(buf_.get() + begin_, len);
      begin_ = end_;
      ++line_number_;
      return true;
    }
    scan = begin_ + scanned;  // fill() moved the unread bytes to the front
  }
}

}  // namespace atrank::data
