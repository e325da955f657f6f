#include "atrank/train/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace atrank::train {

namespace {

std::string lock_path(const std::string& dir) { return (std::filesystem::path(dir) / "run.lock").string(); }

// What `fd` (the lock file) says about its holder.
std::string holder(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string pid = n > 0 ? std::string(buf, std::size_t(n)) : "";
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "another process" : "pid " + pid;
}

[[noreturn]] void in_use(const std::string& dir, int fd) {
  const std::string who = holder(fd);
  ::close(fd);
  throw std::runtime_error("run directory " + dir + " is in use by another atrank run (" + who +
                           " holds " + lock_path(dir) + "); wait for it to finish, stop it, or choose another --out");
}

}  // namespace

RunLock::RunLock(const std::string& dir) {
  const std::string path = lock_path(dir);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) in_use(dir, fd_);
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("cannot lock " + path + ": " + why);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw std::runtime_error("cannot write " + path + ": " + why);
  }
}

RunLock::~RunLock() { ::close(fd_); }

void RunLock::check_free(const std::string& dir) {
  const int fd = ::open(lock_path(dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // never locked
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) in_use(dir, fd);
  ::close(fd);  // releases the probe's lock
}

}  // namespace atrank::train
