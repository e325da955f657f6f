// What the libFuzzer harnesses share: a scratch directory for the files the importers read, the
// input split into several files, and the one spec the data harnesses build examples with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atrank/data/dataset.hpp"
#include "atrank/data/events.hpp"
#include "atrank/spec/spec.hpp"

namespace atrank::fuzz {

// The fuzzer's bytes as a string view.
inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A directory private to this process (created on first use, removed at exit).
const std::string& scratch_dir();
// Writes `content` to scratch_dir()/name and returns its path.
std::string write_file(const std::string& name, std::string_view content);

// Splits the input at the scissors line "\n--8<--\n" into at most `parts` files (the last part
// takes the rest, missing parts are empty): one input can then stand for a directory of files.
std::vector<std::string_view> split_files(std::string_view in, std::size_t parts);

// Builds examples from an imported log (what follows an import in `atrank run`) and batches
// them; the log must use the default object space "item". Throws DataError like the real path.
void build_examples_from(data::EventLog log);

// One epoch of training batches and one of evaluation batches: every history, time bucket and
// candidate of the data is read once.
void batch_everything(const data::Dataset& data);

}  // namespace atrank::fuzz
