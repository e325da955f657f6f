// Whole-file reads for the inference commands (their writes go through
// train::write_file_atomically: a command that fails leaves no partial file).
#pragma once

#include <string>

namespace atrank::infer {

// The bytes of `path`; throws std::runtime_error naming it when it cannot be read.
std::string read_bytes(const std::string& path);

}  // namespace atrank::infer
