// The binary cache: a second load maps the file; changing an input file's bytes or a data
// option rebuilds; options applied at batch time (history cap) do not. A damaged or crafted file
// is detected and rebuilt with a warning naming it; a cache directory keeps kCacheFilesKept files.
#include <boost/test/unit_test.hpp>

#include <xxhash.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>

#include "atrank/data/cache_files.hpp"
#include "atrank/data/cache_key.hpp"
#include "atrank/data/data_error.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/examples.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/synth.hpp"
#include "test/data/test_files.hpp"

using namespace atrank;
using namespace atrank::data;
using atrank::test::TempDir;
using atrank::test::write_text;

namespace {
const char* kEvents =
    "user,item,category,timestamp\n"
    "1,10,c1,100000\n1,11,c2,200000\n1,12,c1,300000\n"
    "2,10,c1,100000\n2,12,c1,500000\n2,13,c3,900000\n";

spec::Spec make_spec(const TempDir& dir) {
  spec::Spec s = test::single_group_spec(dir.file("cache"));
  s.data.path = dir.file("events.csv");
  spec::AttributeSpec a;
  a.name = "category";
  a.object_space = "item";
  a.column = "category";
  s.data.attributes = {a};
  return s;
}

Dataset load(const spec::Spec& s) {
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  return Dataset::load(s, o);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cache)

BOOST_AUTO_TEST_CASE(hit_and_invalidation) {
  TempDir dir;
  write_text(dir.file("events.csv"), kEvents);
  spec::Spec s = make_spec(dir);
  const Dataset first = load(s);
  BOOST_TEST(!first.from_cache());
  BOOST_TEST(!first.cache_path().empty());
  const Dataset second = load(s);
  BOOST_TEST(second.from_cache());
  BOOST_TEST(second.cache_path() == first.cache_path());
  // same content from the cache
  BOOST_TEST(second.num_cases(Split::train) == first.num_cases(Split::train));
  BOOST_TEST(second.vocab().original_ids.at("category") == first.vocab().original_ids.at("category"));
  BOOST_TEST(second.vocab().attributes.at("item").at("category") == first.vocab().attributes.at("item").at("category"));
  for (std::int64_t c = 0; c < first.num_cases(Split::train); ++c)
    BOOST_TEST(second.candidates(Split::train, c)[1] == first.candidates(Split::train, c)[1]);

  // batch-time options keep the key
  s.data.history_cap = 1;
  s.data.time_unit_seconds = 3600;
  BOOST_TEST(load(s).from_cache());

  // a data option changes the key
  s.data.seed = 99;
  BOOST_TEST(!load(s).from_cache());
  BOOST_TEST(load(s).from_cache());
  s.data.seed = 1234;
  s.eval.negatives = 2;
  BOOST_TEST(!load(s).from_cache());
  s.eval.negatives = 1;
  BOOST_TEST(load(s).from_cache());

  // the input file's bytes change the key
  write_text(dir.file("events.csv"), std::string(kEvents) + "3,10,c1,1\n3,11,c2,2\n");
  const Dataset changed = load(s);
  BOOST_TEST(!changed.from_cache());
  BOOST_TEST(changed.vocab().size("user") == 3);

  // use_cache = false never touches the cache
  LoadOptions o;
  o.use_cache = false;
  std::ostringstream log;
  o.log = &log;
  const Dataset mem = Dataset::load(s, o);
  BOOST_TEST(!mem.from_cache());
  BOOST_TEST(mem.cache_path().empty());
}

BOOST_AUTO_TEST_CASE(corrupt_cache_file_is_rebuilt) {
  TempDir dir;
  write_text(dir.file("events.csv"), kEvents);
  const spec::Spec s = make_spec(dir);
  const std::string path = load(s).cache_path();
  write_text(path, "garbage");
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  const Dataset d = Dataset::load(s, o);
  BOOST_TEST(!d.from_cache());
  BOOST_TEST(log.str().find("data cache " + path + " is unusable") != std::string::npos, log.str());
  BOOST_TEST(load(s).from_cache());
}

BOOST_AUTO_TEST_CASE(unwritable_cache_dir_keeps_data_in_memory) {
  TempDir dir;
  write_text(dir.file("events.csv"), kEvents);
  write_text(dir.file("blocker"), "a file where the cache directory should be");
  spec::Spec s = make_spec(dir);
  s.data.cache_dir = dir.file("blocker") + "/cache";
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  const Dataset d = Dataset::load(s, o);
  BOOST_TEST(d.num_cases(Split::test) == 2);
  BOOST_TEST(log.str().find("data cache not written") != std::string::npos, log.str());
}


// ---- streamed cache writing (issue 14: Taobao-scale data on one machine) ---------------------

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The cache file a load streams (counting run + writing run) must be the file the in-memory
// build would have written, byte for byte: same examples, same layout, same checksums.
void expect_streamed_equals_built(const spec::Spec& s, const std::string& what) {
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  const Dataset d = Dataset::load(s, o);
  BOOST_TEST_REQUIRE(!d.from_cache(), what);
  EventLog events = import_events(s.data);
  const Layout layout = make_layout(s, events.vocab, events.behavior_space);
  const PreparedData built = build_examples(std::move(events), layout, build_options(s));
  BlobWriter writer;
  write_prepared(built, writer);
  const CacheKey key = cache_key(s);
  const std::vector<char> image = writer.image(key.lo, key.hi);
  BOOST_TEST((file_bytes(d.cache_path()) == std::string(image.begin(), image.end())), what);
}

}  // namespace

BOOST_AUTO_TEST_CASE(streamed_cache_file_equals_the_in_memory_build) {
  TempDir dir;
  SynthOptions o;
  o.kind = spec::SyntheticKind::Multi;
  o.users = 70;
  o.items = 150;
  o.categories = 6;
  o.events = 2100;
  write_synthetic(dir.file("multi"), o);
  spec::Spec s = test::multi_kind_spec(dir.file("multi/events.csv"), dir.file("cache"));
  expect_streamed_equals_built(s, "one group, one task");

  s.data.split = "valid";
  s.eval.negatives = 7;
  s.data.min_events = 25;  // drops some users: their offsets still advance
  expect_streamed_equals_built(s, "valid split, 7 eval negatives, min_events");

  test::add_group(s, "query", {"search"});
  test::add_group(s, "coupon", {"coupon"});
  test::add_task(s, "query", "query");
  expect_streamed_equals_built(s, "three groups, two tasks");
}

BOOST_AUTO_TEST_CASE(blob_stream_writer_interleaves_sections_into_blob_writer_bytes) {
  TempDir dir;
  std::vector<std::int32_t> a(300000), b(7), c;  // a spans several write buffers
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::int32_t>(i * 7919);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::int32_t>(i + 1);
  BlobWriter whole;
  whole.add("a", a);
  whole.add("empty", c);
  whole.add("b", b);
  const std::vector<char> expected = whole.image(3, 4);
  {
    BlobStreamWriter out(dir.file("s"), {{"a", a.size() * 4}, {"empty", 0}, {"b", b.size() * 4}}, 3, 4);
    for (std::size_t i = 0; i < a.size(); i += 1000) {  // interleaved, in pieces
      out.append(0, a.data() + i, 1000 * 4);
      if (i / 1000 < b.size()) out.append(2, &b[i / 1000], 4);
    }
    out.commit();
  }
  BOOST_TEST((file_bytes(dir.file("s")) == std::string(expected.begin(), expected.end())));
  const Blob blob = Blob::map_file(dir.file("s"), 3, 4);
  blob.verify();
  BOOST_TEST(blob.array<std::int32_t>("b")[6] == 7);

  // More or fewer bytes than declared is a bug, and leaves no file behind.
  {
    BlobStreamWriter out(dir.file("t"), {{"a", 8}}, 1, 2);
    BOOST_CHECK_THROW(out.append(0, a.data(), 12), std::logic_error);
    out.append(0, a.data(), 4);
    BOOST_CHECK_THROW(out.commit(), std::logic_error);
  }
  namespace fs = std::filesystem;
  BOOST_TEST(!fs::exists(dir.file("t")));
  BOOST_TEST(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);  // only "s"
  BOOST_CHECK_THROW(BlobStreamWriter(dir.file("no/such/dir/u"), {{"a", 8}}, 1, 2), DataError);
}

// ---- integrity (issue 13, item 7) ------------------------------------------------------------

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Everything a training run reads from a dataset, hashed.
std::uint64_t fingerprint(const Dataset& d) {
  XXH3_state_t* st = XXH3_createState();
  XXH3_64bits_reset(st);
  auto add = [st](const void* p, std::size_t n) { XXH3_64bits_update(st, p, n); };
  for (Split s : {Split::train, Split::valid, Split::test}) {
    for (std::int64_t c = 0; c < d.num_cases(s); ++c) {
      const std::int32_t u = d.user(s, c), t = d.task(s, c);
      const std::int64_t time = d.target_time(s, c);
      add(&u, sizeof u);
      add(&t, sizeof t);
      add(&time, sizeof time);
      add(d.candidates(s, c), sizeof(std::int32_t) * static_cast<std::size_t>(d.candidates_per_case(s)));
      for (int g = 0; g < d.num_groups(); ++g) {
        const Dataset::History h = d.history(s, c, g);
        add(h.objects, sizeof(std::int32_t) * static_cast<std::size_t>(h.length));
        add(h.behaviors, sizeof(std::int32_t) * static_cast<std::size_t>(h.length));
        add(h.times, sizeof(std::int64_t) * static_cast<std::size_t>(h.length));
      }
    }
  }
  for (const auto& [space, ids] : d.vocab().original_ids)
    for (const auto& id : ids) add(id.data(), id.size());
  for (const auto& [space, attrs] : d.vocab().attributes)
    for (const auto& [name, values] : attrs) add(values.data(), values.size() * sizeof(std::int32_t));
  const std::uint64_t h = XXH3_64bits_digest(st);
  XXH3_freeState(st);
  return h;
}

// A spec over generated data big enough for several sections of some size.
spec::Spec synthetic_spec(const TempDir& dir) {
  SynthOptions o;
  o.users = 60;
  o.items = 90;
  o.categories = 6;
  o.events = 900;
  write_synthetic(dir.file("syn"), o);
  spec::Spec s = make_spec(dir);
  s.data.path = dir.file("syn/events.csv");
  return s;
}

// Loads `s` after `path` was overwritten with `bytes`: the load must detect the damage (a warning
// naming the file, a rebuild) and give exactly the data of a fresh build.
void expect_rebuilt(const spec::Spec& s, const std::string& path, const std::string& bytes,
                    std::uint64_t expected, const std::string& reason, const std::string& what) {
  write_text(path, bytes);
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  const Dataset d = Dataset::load(s, o);
  BOOST_TEST(!d.from_cache(), what);
  BOOST_TEST(log.str().find("data cache " + path + " is unusable") != std::string::npos, what << ": " << log.str());
  BOOST_TEST(log.str().find(reason) != std::string::npos, what << ": " << log.str());
  BOOST_TEST(fingerprint(d) == expected, what);
}

// The cache file's layout (blob.cpp), for crafting files whose checksums are right but whose
// contents are not: header {magic, version, key_lo, key_hi, sections, table, total, table_hash},
// table entries {name[40], offset, bytes, hash}.
struct Crafted {
  std::string bytes;
  std::uint64_t u64(std::size_t at) const {
    std::uint64_t v;
    std::memcpy(&v, bytes.data() + at, 8);
    return v;
  }
  void set(std::size_t at, std::uint64_t v) { std::memcpy(&bytes[at], &v, 8); }
  std::size_t table() const { return u64(40); }
  std::size_t sections() const { return u64(32); }
  std::size_t entry(const std::string& name) const {
    for (std::size_t i = 0; i < sections(); ++i)
      if (std::string(bytes.data() + table() + 64 * i) == name) return table() + 64 * i;
    throw std::runtime_error("no section " + name);
  }
  std::size_t offset(const std::string& name) const { return u64(entry(name) + 40); }
  // Recomputes every section checksum and the table checksum.
  void rehash() {
    for (std::size_t i = 0; i < sections(); ++i) {
      const std::size_t e = table() + 64 * i;
      const std::uint64_t off = u64(e + 40), n = u64(e + 48);
      // (crafted sections may point anywhere: no off + n, which can wrap around)
      if (off <= bytes.size() && n <= bytes.size() - off) set(e + 56, XXH3_64bits(bytes.data() + off, n));
    }
    set(56, XXH3_64bits(bytes.data() + table(), 64 * sections()));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_flipped_byte_is_detected_and_rebuilt) {
  TempDir dir;
  const spec::Spec s = synthetic_spec(dir);
  const Dataset first = load(s);
  const std::string path = first.cache_path();
  const std::uint64_t expected = fingerprint(first);
  const std::string original = slurp(path);
  BOOST_TEST_REQUIRE(original.size() > 4096u);
  // Every header byte, then positions spread over the sections, gaps and table.
  std::vector<std::size_t> positions;
  for (std::size_t p = 0; p < 64; ++p) positions.push_back(p);
  for (std::size_t p = 64; p < original.size(); p += original.size() / 150 + 1) positions.push_back(p);
  positions.push_back(original.size() - 1);
  for (const std::size_t p : positions) {
    std::string bytes = original;
    bytes[p] = static_cast<char>(bytes[p] ^ 0x10);
    expect_rebuilt(s, path, bytes, expected, "", "byte " + std::to_string(p));
  }
  // Truncated and extended files.
  expect_rebuilt(s, path, original.substr(0, original.size() - 64), expected, "truncated", "truncated");
  expect_rebuilt(s, path, original + std::string(64, '\0'), expected, "trailing", "extended");
  BOOST_TEST(load(s).from_cache());
}

BOOST_AUTO_TEST_CASE(crafted_files_with_valid_checksums_are_refused) {
  TempDir dir;
  const spec::Spec s = synthetic_spec(dir);
  const Dataset first = load(s);
  const std::string path = first.cache_path();
  const std::uint64_t expected = fingerprint(first);
  const Crafted original{slurp(path)};
  auto refused = [&](const std::function<void(Crafted&)>& edit, const std::string& reason, const std::string& what) {
    Crafted c = original;
    edit(c);
    c.rehash();
    expect_rebuilt(s, path, c.bytes, expected, reason, what);
  };
  refused([](Crafted& c) {  // a section whose offset + size overflows 64 bits
    c.set(c.entry("train.users") + 40, ~std::uint64_t{0} - 63);
    c.set(c.entry("train.users") + 48, 128);
  }, "out of bounds", "overflowing offset");
  refused([](Crafted& c) { c.set(c.offset("meta"), std::uint64_t{1} << 60); },  // must not be allocated
          "short record", "huge record count");
  refused([](Crafted& c) { c.set(c.offset("test.candidates"), 1000000000); }, "candidates hold an id outside",
          "candidate id");
  refused([](Crafted& c) { c.set(c.offset("test.ends"), 1000000); }, "beyond a user's history", "history end");
  refused([](Crafted& c) { c.set(c.offset("g0.offsets") + 8, 1000000); }, "offsets", "offsets going backwards");
}

// ---- retention -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_cache_directory_keeps_the_most_recently_used_files) {
  TempDir dir;
  write_text(dir.file("events.csv"), kEvents);
  const spec::Spec s = make_spec(dir);
  namespace fs = std::filesystem;
  fs::create_directories(dir.file("cache"));
  // Ten older cache files (file i last used i hours ago), a file that is not a cache file, and
  // the temporary file of a writer that no longer runs (pid 2^22 + 1 is above pid_max's default).
  const auto now = fs::file_time_type::clock::now();
  std::vector<std::string> old;
  for (int i = 1; i <= 10; ++i) {
    const std::string name = dir.file("cache/" + std::string(31, '0') + std::to_string(i % 10) + ".atrank-data");
    write_text(name, "old");
    fs::last_write_time(name, now - std::chrono::hours(i));
    old.push_back(name);
  }
  write_text(dir.file("cache/notes.txt"), "mine");
  write_text(dir.file("cache/" + std::string(32, 'a') + ".atrank-data.tmp.4194305"), "partial");
  std::ostringstream log;
  LoadOptions o;
  o.log = &log;
  const Dataset d = Dataset::load(s, o);
  BOOST_TEST(log.str().find("removed 4 least recently used data cache file(s) from " + dir.file("cache")) !=
                 std::string::npos,
             log.str());
  // The new file and the 7 most recent old ones stay; nothing else is touched.
  BOOST_TEST(fs::exists(d.cache_path()));
  for (int i = 0; i < 10; ++i) BOOST_TEST(fs::exists(old[i]) == (i < static_cast<int>(kCacheFilesKept) - 1), i);
  BOOST_TEST(fs::exists(dir.file("cache/notes.txt")));
  BOOST_TEST(!fs::exists(dir.file("cache/" + std::string(32, 'a') + ".atrank-data.tmp.4194305")));

  // A load marks its file as used: after a hit it is the most recent one.
  fs::last_write_time(d.cache_path(), now - std::chrono::hours(100));
  BOOST_TEST(load(s).from_cache());
  BOOST_TEST((fs::last_write_time(d.cache_path()) > now - std::chrono::hours(1)));
}

BOOST_AUTO_TEST_SUITE_END()
