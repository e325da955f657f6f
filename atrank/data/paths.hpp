// File-system helpers of the data layer: creating directories for caches and generated data.
// Plain POSIX calls: errors carry errno text and the exact directory.
#pragma once

#include <string>

namespace atrank::data {

// mkdir -p; throws DataError naming the directory that could not be created.
void make_dirs(const std::string& dir);

}  // namespace atrank::data
