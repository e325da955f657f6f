// Checkpoint file -> Checkpoint::load -> the typed reads a resume makes. CheckpointError is the
// documented failure. The harness writes the right checksum into the input's last 8 bytes (a
// mutation cannot find it), so what is fuzzed is the section parsing behind it. A checkpoint
// that loads holds no more bytes than its file: written back, it is at most as long.
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "atrank/train/checkpoint.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string file(fuzz::bytes(data, size));
  if (file.size() >= 8) {
    const std::uint64_t sum = XXH64(file.data(), file.size() - 8, 0);
    std::memcpy(file.data() + file.size() - 8, &sum, 8);
  }
  const std::string path = fuzz::write_file("checkpoint.ckpt", file);
  train::Checkpoint c;
  try {
    c = train::Checkpoint::load(path, 0);
  } catch (const train::CheckpointError&) {
    return 0;
  }
  try {
    std::vector<float> dense(c.has("dense") ? c.bytes("dense").size() / sizeof(float) : 0);
    c.get_into("dense", dense);
    c.get_scalar<std::int64_t>("state/step");
    c.get_scalar<double>("state/best_score");
  } catch (const train::CheckpointError&) {
  }
  const std::string again = fuzz::scratch_dir() + "/again.ckpt";
  c.save(again);
  std::ifstream in(again, std::ios::binary);
  const std::string written{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (written.size() > file.size()) {
    std::fprintf(stderr, "a %zu-byte checkpoint file loaded as %zu bytes of sections\n", file.size(), written.size());
    std::abort();
  }
  return 0;
}
