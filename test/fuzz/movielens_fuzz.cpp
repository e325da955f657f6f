// MovieLens u.data, u.item and (optionally) u.genre -> import_movielens -> examples. DataError is
// the documented failure. Input: one byte of options (bit 0: skip bad lines, bit 1: liked
// threshold 4), then u.data, "\n--8<--\n", u.item, and optionally "\n--8<--\n" and u.genre.
#include "atrank/data/data_error.hpp"
#include "atrank/data/import.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned options = data[0];
  const auto files = fuzz::split_files(fuzz::bytes(data + 1, size - 1), 3);
  fuzz::write_file("u.data", files[0]);
  fuzz::write_file("u.item", files[1]);
  std::remove((fuzz::scratch_dir() + "/u.genre").c_str());
  if (!files[2].empty()) fuzz::write_file("u.genre", files[2]);
  spec::DataSpec d;
  d.source = "movielens";
  d.path = fuzz::scratch_dir();
  d.skip_bad_lines = options & 1;
  d.liked_threshold = options & 2 ? 4 : 0;
  try {
    fuzz::build_examples_from(data::import_events(d));
  } catch (const data::DataError&) {
  }
  return 0;
}
