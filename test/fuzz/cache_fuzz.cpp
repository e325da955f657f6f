// Data cache file -> its checks (section checksums, decode, invariants; DataError) -> when they
// pass, Dataset::load must use the file, and every batch of it must build.
// Input: a cache file (seeds: corpus/cache/, built from cache/). Checksums cannot be found by
// mutation, so the harness writes the right ones (and the spec's key) into the input's header and
// section table before the load: what is fuzzed is everything that runs after the checksums pass,
// as for a file written by a buggy or foreign writer.
#include <xxhash.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "atrank/data/cache.hpp"
#include "atrank/data/cache_files.hpp"
#include "atrank/data/cache_key.hpp"
#include "atrank/data/data_error.hpp"
#include "atrank/data/paths.hpp"
#include "atrank/spec/load.hpp"
#include "test/fuzz/fuzz_util.hpp"

using namespace atrank;

namespace {

// The blob layout of atrank/data/blob.cpp.
struct Header {
  char magic[8];
  std::uint64_t version, key_lo, key_hi, sections, table, total, table_hash;
};
struct TableEntry {
  char name[40];
  std::uint64_t offset, bytes, hash;
};

spec::Spec the_spec;
data::CacheKey the_key;
std::string the_path;

// Key, section checksums and table checksum made right for whatever the header and table say.
void fix_checksums(std::string& file) {
  if (file.size() < sizeof(Header)) return;
  Header h;
  std::memcpy(&h, file.data(), sizeof h);
  h.key_lo = the_key.lo;
  h.key_hi = the_key.hi;
  if (h.table <= file.size() && (file.size() - h.table) % sizeof(TableEntry) == 0) {
    const std::size_t n = (file.size() - h.table) / sizeof(TableEntry);
    for (std::size_t i = 0; i < n; ++i) {
      char* at = file.data() + h.table + i * sizeof(TableEntry);
      TableEntry e;
      std::memcpy(&e, at, sizeof e);
      if (e.offset <= file.size() && e.bytes <= file.size() - e.offset)
        e.hash = XXH3_64bits(file.data() + e.offset, e.bytes);
      std::memcpy(at, &e, sizeof e);
    }
    h.table_hash = XXH3_64bits(file.data() + h.table, n * sizeof(TableEntry));
  }
  std::memcpy(file.data(), &h, sizeof h);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string seed_dir = ATRANK_FUZZ_DIR "/cache/";
  std::ifstream events(seed_dir + "events.csv", std::ios::binary);
  std::ostringstream text;
  text << events.rdbuf();
  const std::string csv = fuzz::write_file("events.csv", text.str());
  the_spec = spec::load_spec(seed_dir + "spec.toml",
                             {"data.path=" + csv, "data.cache_dir=" + fuzz::scratch_dir() + "/cache"});
  the_key = data::cache_key(the_spec);
  the_path = data::cache_file(the_spec, the_key);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string file(fuzz::bytes(bytes, size));
  fix_checksums(file);
  // Dataset::load's checks of a cache file, in memory: most inputs stop here, where load would
  // warn and rebuild from the raw files (a path the importer harnesses cover).
  try {
    const data::Blob blob = data::Blob::from_image(std::vector<char>(file.begin(), file.end()));
    blob.verify();
    const data::PreparedViews views = data::read_prepared(blob);
    data::check_prepared(views, data::make_layout(the_spec, views.vocab, views.behavior_space));
  } catch (const data::DataError&) {
    return 0;
  }
  // The checks pass: the real load maps the file, uses it, and every batch of it can be built.
  data::make_dirs(fuzz::scratch_dir() + "/cache");
  fuzz::write_file("cache/" + the_path.substr(the_path.rfind('/') + 1), file);
  std::ostringstream warnings;
  data::LoadOptions options;
  options.log = &warnings;
  const data::Dataset d = data::Dataset::load(the_spec, options);
  if (!d.from_cache()) {
    std::fprintf(stderr, "Dataset::load rejects a cache file that passed its checks:\n%s", warnings.str().c_str());
    std::abort();
  }
  fuzz::batch_everything(d);
  return 0;
}
