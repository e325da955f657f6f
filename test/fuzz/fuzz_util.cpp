#include "test/fuzz/fuzz_util.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "atrank/data/batcher.hpp"

namespace atrank::fuzz {

namespace {
void remove_scratch() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_dir(), ignored);
}
}  // namespace

const std::string& scratch_dir() {
  static const std::string dir = [] {
    // Files are rewritten every run and checkpoints are fsynced: memory-backed /dev/shm is fastest.
    const char* tmp = std::getenv("TMPDIR");
    std::error_code no_shm;
    const std::string base = tmp && *tmp ? tmp : std::filesystem::is_directory("/dev/shm", no_shm) ? "/dev/shm" : "/tmp";
    std::string pattern = base + "/atrank-fuzz-XXXXXX";
    if (!::mkdtemp(pattern.data())) std::abort();
    return pattern;
  }();
  static const bool registered = (std::atexit(remove_scratch), true);
  (void)registered;
  return dir;
}

std::string write_file(const std::string& name, std::string_view content) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out.flush()) std::abort();  // the harness's own failure, not a finding
  return path;
}

std::vector<std::string_view> split_files(std::string_view in, std::size_t parts) {
  constexpr std::string_view kScissors = "\n--8<--\n";
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const std::size_t at = in.find(kScissors);
    if (at == std::string_view::npos) break;
    out.push_back(in.substr(0, at + 1));  // the part keeps its last newline
    in.remove_prefix(at + kScissors.size());
  }
  out.push_back(in);
  out.resize(parts);
  return out;
}

void build_examples_from(data::EventLog log) {
  spec::Spec spec;  // one group over every "item" behavior, one task, defaults otherwise
  spec.eval.negatives = 3;
  spec.eval.metrics = {"auc", "hr@3"};  // a ranking metric: eval.negatives are drawn
  batch_everything(data::Dataset::from_events(std::move(log), spec));
}

void batch_everything(const data::Dataset& data) {
  data::Batch batch;
  for (const auto mode : {data::BatchMode::pointwise, data::BatchMode::eval}) {
    data::BatcherOptions options;
    options.split = mode == data::BatchMode::eval ? data::Split::test : data::Split::train;
    options.mode = mode;
    options.batch_size = 4;
    data::Batcher batcher(data, options);
    while (batcher.next(batch)) {
    }
  }
}

}  // namespace atrank::fuzz
