// Whole-file reads and atomic writes for the inference commands: a command
// that fails leaves no partial file behind.
#pragma once

#include <string>

namespace atrank::infer {

// The bytes of `path`; throws std::runtime_error naming it when it cannot be read.
std::string read_bytes(const std::string& path);

// Writes `text` to `path` + ".tmp", flushes it to disk and renames it to
// `path`; throws std::runtime_error naming the file on any failure (the
// temporary file is removed).
void write_atomically(const std::string& path, const std::string& text);

}  // namespace atrank::infer
