// Reads a text file line by line, plain or gzip (detected from the bytes, not the name).
// Lines are views into an internal buffer that stays readable kPadding bytes past each line (simdjson needs that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <memory>
#include <string_view>

namespace atrank::data {

class LineReader {
 public:
  // Readable bytes guaranteed after the end of every returned line (>= SIMDJSON_PADDING).
  static constexpr std::size_t kPadding = 64;

  // Throws DataError naming the file if it does not exist or cannot be opened.
  explicit LineReader(std::string path);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Next line without its "\n" / "\r\n" (and the first without a UTF-8 byte-order mark);
  // valid until the next call. False at end of file. Throws DataError on unreadable or
  // truncated gzip data.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next().
  std::int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }
  // "path:line: " prefix for messages about the current line.
  std::string where() const;

 private:
  bool fill();  // reads more bytes; false at end of input
  bool read_line(std::string_view& line);

  std::string path_;
  void* gz_ = nullptr;  // gzFile; zlib also reads non-gzip files transparently
  // Not value-initialised: only bytes read into it (and the padding after them) are ever looked at.
  std::unique_ptr<char[]> buf_;
  std::size_t room_ = 0;             // bytes buf_ can read into; kPadding more follow
  std::size_t begin_ = 0, end_ = 0;  // unread bytes are buf_[begin_, end_)
  bool eof_ = false;
  std::int64_t line_number_ = 0;
};

// Throws DataError("<what>: no such file: <path>") unless `path` is an existing regular file.
void require_file(const std::string& path, const std::string& what);

}  // namespace atrank::data
