// Helpers for data tests: a temporary directory removed at scope exit, and writers for plain
// and gzip files, so no test depends on the real datasets.
#pragma once

#include <string>

#include "atrank/spec/spec.hpp"

namespace atrank::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_text(const std::string& path, const std::string& text);
void write_gzip(const std::string& path, const std::string& text);

// A spec with one group "item" over all behaviors of `item`, one task "item", log2(12) edges.
spec::Spec single_group_spec(const std::string& cache_dir);

}  // namespace atrank::test
