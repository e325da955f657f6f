// Writes that are checked: every write(2) and the fsync after it, so that a
// full disk or a failing device is an error naming the file and the reason,
// never a silently shorter file.
#pragma once

#include <stdexcept>
#include <string>

namespace atrank::train {

class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Replaces `path` with `bytes` atomically: a temp file next to it, written,
// fsynced, renamed over it. On failure the temp file is removed, `path` is as
// it was, and WriteError says why.
void write_file_atomically(const std::string& path, const std::string& bytes);

// A file that only grows by whole records (metrics.jsonl): each append is
// written and fsynced; when that fails the file is cut back to where it was
// (no torn record is left when the system allows it) and WriteError says why.
class AppendFile {
 public:
  explicit AppendFile(std::string path);  // creates the file when absent
  ~AppendFile();
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  void append(const std::string& record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace atrank::train
