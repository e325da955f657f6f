// The synthetic generator: same seed -> same bytes, exact counts of users, items, categories
// and events, and files the csv importer reads.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "atrank/data/data_error.hpp"
#include "atrank/data/ensure_synthetic.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/synth.hpp"
#include "atrank/spec/load.hpp"
#include "test/data/test_files.hpp"

using namespace atrank;
using namespace atrank::data;
using atrank::test::TempDir;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
}  // namespace

BOOST_AUTO_TEST_SUITE(synth)

BOOST_AUTO_TEST_CASE(deterministic_and_exact_shape) {
  TempDir dir;
  SynthOptions o;
  o.users = 200;
  o.items = 500;
  o.categories = 20;
  o.events = 3000;
  o.seed = 3;
  write_synthetic(dir.file("a"), o);
  write_synthetic(dir.file("b"), o);
  BOOST_TEST((slurp(dir.file("a/events.csv")) == slurp(dir.file("b/events.csv"))));
  BOOST_TEST((slurp(dir.file("a/items.csv")) == slurp(dir.file("b/items.csv"))));
  o.seed = 4;
  write_synthetic(dir.file("c"), o);
  BOOST_TEST((slurp(dir.file("a/events.csv")) != slurp(dir.file("c/events.csv"))));

  const std::string events = slurp(dir.file("a/events.csv"));
  BOOST_TEST(events.substr(0, events.find('\n')) == "user,item,category,timestamp");
  spec::DataSpec d;
  d.path = dir.file("a/events.csv");
  spec::AttributeSpec a;
  a.name = "category";
  a.object_space = "item";
  a.column = "category";
  d.attributes = {a};
  const EventLog log = import_events(d);
  BOOST_TEST(log.size() == 3000u);
  BOOST_TEST(log.vocab.size("user") == 200);
  BOOST_TEST(log.vocab.size("item") == 500);
  BOOST_TEST(log.vocab.size("category") == 21);  // + unknown
  BOOST_TEST(log.report.get("missing.item.category") == 0);
  BOOST_TEST(log.report.get("conflicts.item.category") == 0);
  // every user has at least 5 events (the 5-core floor)
  std::vector<int> per_user(200, 0);
  for (auto u : log.users) ++per_user[u];
  BOOST_TEST(*std::min_element(per_user.begin(), per_user.end()) >= 5);
}

BOOST_AUTO_TEST_CASE(several_behaviors_and_multi_kind) {
  TempDir dir;
  SynthOptions o;
  o.users = 50;
  o.items = 100;
  o.categories = 5;
  o.events = 800;
  o.behaviors = 3;
  write_synthetic(dir.file("s"), o);
  spec::DataSpec d;
  d.path = dir.file("s/events.csv");
  d.behavior_column = "behavior";
  BOOST_TEST(import_events(d).vocab.behaviors == (std::vector<std::string>{"buy", "cart", "view"}));

  o.kind = spec::SyntheticKind::Multi;
  o.behaviors = 1;
  const SynthSummary sum = write_synthetic(dir.file("m"), o);
  spec::DataSpec m;
  m.path = dir.file("m");
  m.files = {"events.csv"};
  m.object_column = "object";
  m.behavior_column = "behavior";
  m.behavior_object_space = {{"search", "query"}, {"coupon", "coupon"}};
  for (const char* name : {"shop", "category", "brand"}) {
    spec::AttributeSpec a;
    a.name = name;
    a.object_space = "item";
    a.path = "items.csv";
    a.object_column = "item";
    a.column = name;
    m.attributes.push_back(a);
  }
  for (const char* name : {"shop", "category"}) {
    spec::AttributeSpec a;
    a.name = name;
    a.object_space = "coupon";
    a.path = "coupons.csv";
    a.object_column = "coupon";
    a.column = name;
    m.attributes.push_back(a);
  }
  const EventLog log = import_events(m);
  BOOST_TEST(log.size() == 800u);
  BOOST_TEST(log.vocab.behaviors == (std::vector<std::string>{"buy", "cart", "coupon", "fav", "pv", "search"}));
  BOOST_TEST(log.vocab.size("item") == 100);
  BOOST_TEST(log.vocab.size("query") > 0);
  BOOST_TEST(log.vocab.size("coupon") > 0);
  BOOST_TEST(log.vocab.size("coupon") <= sum.coupons);
  BOOST_TEST(log.report.get("missing.item.shop") == 0);
  BOOST_TEST(log.report.get("missing.coupon.shop") == 0);
  BOOST_TEST(log.vocab.attributes.at("coupon").count("category") == 1u);
}


// ---- data.synthetic generates only into the spec's own data.path (issue 13, item 9) ------------

namespace {
std::string synthetic_spec_text(const std::string& path) {
  return "name = \"gen\"\n[data]\nsource = \"csv\"\npath = \"" + path +
         "\"\nsynthetic = \"single\"\nfiles = [\"events.csv\"]\n"
         "[tables.item]\nwidth = 8\n[groups.item]\nobject = \"item\"\nfeatures = [\"item\"]\n"
         "[encoder]\nkind = \"atrank\"\nhidden = 8\nheads = 2\n[tasks.item]\ntarget = \"item\"\n";
}
}  // namespace

BOOST_AUTO_TEST_CASE(synthetic_data_is_generated_only_into_the_spec_s_own_path) {
  namespace fs = std::filesystem;
  TempDir dir;
  const std::string text = synthetic_spec_text(dir.file("own"));
  std::ostringstream log;

  // A path given with --set is never filled: a typo there must not train on generated data.
  const spec::Spec typo = spec::parse_spec(text, "gen.toml", {"data.path=" + dir.file("tpyo")});
  BOOST_TEST(synthetic_refusal(typo).find("given with --set") != std::string::npos, synthetic_refusal(typo));
  try {
    ensure_synthetic(typo, log);
    BOOST_FAIL("generated into a --set path");
  } catch (const DataError& e) {
    const std::string m = e.what();
    BOOST_TEST(m.find("data.path: " + dir.file("tpyo") + " does not exist") != std::string::npos, m);
    BOOST_TEST(m.find("atrank data synth --kind single --out " + dir.file("tpyo")) != std::string::npos, m);
  }
  BOOST_TEST(!fs::exists(dir.file("tpyo")));
  BOOST_TEST(log.str().empty());

  // The spec's own path is filled (and said so), once.
  const spec::Spec own = spec::parse_spec(text, "gen.toml");
  BOOST_TEST(synthetic_refusal(own).empty());
  BOOST_TEST(ensure_synthetic(own, log));
  BOOST_TEST(fs::exists(dir.file("own/events.csv")));
  BOOST_TEST(log.str().find("generated synthetic data (single)") != std::string::npos, log.str());
  BOOST_TEST(!ensure_synthetic(own, log));
  // An existing path given with --set is simply used.
  BOOST_TEST(!ensure_synthetic(spec::parse_spec(text, "gen.toml", {"data.path=" + dir.file("own")}), log));
}

BOOST_AUTO_TEST_SUITE_END()
