// CSV events (+ an attribute file) -> import_csv -> examples. DataError is the documented failure.
// Input: one byte of options, then events.csv, then optionally "\n--8<--\n" and items.csv
// (item,shop). Options: bit 0 header, bits 1-2 delimiter (, \t | ;), bit 3 iso times, bit 4 a
// behavior column, bit 5 a category column, bit 6 skip bad lines.
#include "atrank/data/data_error.hpp"
#include "atrank/data/import.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned options = data[0];
  const auto files = fuzz::split_files(fuzz::bytes(data + 1, size - 1), 2);
  spec::DataSpec d;
  d.source = "csv";
  d.path = fuzz::scratch_dir();
  d.files = {"events.csv"};
  fuzz::write_file("events.csv", files[0]);
  d.header = options & 1;
  d.delimiter = std::string(1, ",\t|;"[(options >> 1) & 3]);
  d.time_format = options & 8 ? "iso" : "unix";
  if (options & 16) d.behavior_column = "behavior";
  if (!d.header) {
    d.columns = {"user", "item", "timestamp"};
    if (options & 16) d.columns.push_back("behavior");
    if (options & 32) d.columns.push_back("category");
  }
  if (options & 32) d.attributes.push_back({"category", "item", "", "", "category", {}});
  if (!files[1].empty()) {
    fuzz::write_file("items.csv", files[1]);
    d.attributes.push_back({"shop", "item", "items.csv", "item", "shop", {}});
  }
  d.skip_bad_lines = options & 64;
  try {
    fuzz::build_examples_from(data::import_events(d));
  } catch (const data::DataError&) {
  }
  return 0;
}
