// POSIX file descriptors rather than streams: every short write, EINTR and
// errno is visible here.
#include "atrank/train/checked_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace atrank::train {

namespace {

std::string reason() { return std::strerror(errno); }

// Writes all of `bytes`; false (errno set) on the first failure.
bool write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = EIO;
      return false;
    }
    done += std::size_t(w);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw WriteError("cannot write " + tmp + ": " + reason());
  // fsync before rename: after a crash the file is either the old or the new one, whole.
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    const std::string why = reason();
    ::close(fd);
    ::unlink(tmp.c_str());
    throw WriteError("cannot write " + path + ": " + why + " (" + path + " is unchanged)");
  }
  if (::close(fd) != 0) {
    const std::string why = reason();
    ::unlink(tmp.c_str());
    throw WriteError("cannot write " + path + ": " + why + " (" + path + " is unchanged)");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = reason();
    ::unlink(tmp.c_str());
    throw WriteError("cannot rename " + tmp + " to " + path + ": " + why);
  }
}

AppendFile::AppendFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw WriteError("cannot open " + path_ + " for writing: " + reason());
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::append(const std::string& record) {
  struct stat before {};
  const bool sized = ::fstat(fd_, &before) == 0 && S_ISREG(before.st_mode);
  if (write_all(fd_, record) && ::fsync(fd_) == 0) return;
  const std::string why = reason();
  // Cut back a partly written record; when even that fails, a resume drops the torn last line.
  if (sized) {
    const int cut = ::ftruncate(fd_, before.st_size);
    (void)cut;
  }
  throw WriteError("cannot write " + path_ + ": " + why);
}

}  // namespace atrank::train
