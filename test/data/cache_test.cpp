// The binary cache: a second load maps the file; changing an input file's bytes or a data
// option rebuilds; options applied at batch time (history cap) do not.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "atrank/data/dataset.hpp"
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

BOOST_AUTO_TEST_SUITE_END()
