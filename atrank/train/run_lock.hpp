// One run per run directory at a time: an exclusive flock(2) on DIR/run.lock,
// held for the whole run and released by the kernel when the process ends (a
// killed run leaves no stale lock). The file holds the pid of the last holder,
// so that a second run can say who has the directory.
#pragma once

#include <string>

namespace atrank::train {

class RunLock {
 public:
  // Takes the lock of `dir` (which must exist), or throws naming the pid that holds it.
  explicit RunLock(const std::string& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // Throws as the constructor would when another process holds `dir`'s lock;
  // creates nothing (for refusals that must change no file).
  static void check_free(const std::string& dir);

 private:
  int fd_ = -1;
};

}  // namespace atrank::train
