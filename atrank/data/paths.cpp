// mkdir -p over POSIX mkdir: existing directories are fine, anything else in the way is an error.
#include "atrank/data/paths.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "atrank/data/data_error.hpp"

namespace atrank::data {

void make_dirs(const std::string& dir) {
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    const std::string cur = dir.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
      throw DataError("cannot create directory " + cur + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw DataError("cannot create directory " + dir + ": a file is in the way");
}

}  // namespace atrank::data
