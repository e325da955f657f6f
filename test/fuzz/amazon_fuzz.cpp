// Amazon reviews (JSON lines, simdjson) and meta (Python dict literals) -> import_amazon ->
// examples. DataError is the documented failure. Input: one byte of options (bit 0: skip bad
// lines, bit 1: gzip the reviews), the reviews file, then optionally "\n--8<--\n" and the meta
// file (default: one line giving every item a category).
#include <zlib.h>

#include <cstdlib>

#include "atrank/data/data_error.hpp"
#include "atrank/data/import.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

namespace {

std::string gzip(std::string_view text) {
  uLongf n = compressBound(static_cast<uLong>(text.size())) + 32;
  std::string out(n, '\0');
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned options = data[0];
  const auto files = fuzz::split_files(fuzz::bytes(data + 1, size - 1), 2);
  const std::string reviews = options & 2 ? gzip(files[0]) : std::string(files[0]);
  spec::DataSpec d;
  d.source = "amazon";
  d.path = fuzz::scratch_dir();
  d.files = {"reviews.json", "meta.json"};
  fuzz::write_file("reviews.json", reviews);
  fuzz::write_file("meta.json", files[1].empty() ? "{'asin': 'A1', 'categories': [['X', 'Y']]}\n" : files[1]);
  d.skip_bad_lines = options & 1;
  try {
    fuzz::build_examples_from(data::import_events(d));
  } catch (const data::DataError&) {
  }
  return 0;
}
