// The synthetic generator: same seed -> same bytes, exact counts of users, items, categories
// and events, and files the csv importer reads; the taobao kind's shape, proportions and format.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "atrank/data/data_error.hpp"
#include "atrank/data/dataset.hpp"
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


// ---- taobao kind: Taobao UserBehavior's shape and format, streamed (issue 14) ------------------

namespace {

// The generated file, read as specs/taobao.toml reads the official one.
spec::DataSpec taobao_data(const std::string& dir) { return test::taobao_data(dir + "/UserBehavior.csv"); }

constexpr std::int64_t kTaobaoFirst = 1511539200, kTaobaoEnd = 1512316800;  // 2017-11-25..12-04 UTC+8

}  // namespace

BOOST_AUTO_TEST_CASE(taobao_kind_has_taobao_s_shape_at_a_thousandth) {
  const SynthOptions o = synth_defaults(spec::SyntheticKind::Taobao, SynthSize::taobao, 0.001);
  BOOST_TEST((o.kind == spec::SyntheticKind::Taobao));
  BOOST_TEST(o.users == 988);
  BOOST_TEST(o.items == 4162);
  BOOST_TEST(o.categories == 9);
  BOOST_TEST(o.events == 100151);
  const SynthOptions full = synth_defaults(spec::SyntheticKind::Taobao, SynthSize::taobao);
  BOOST_TEST(full.users == 987994);
  BOOST_TEST(full.items == 4162024);
  BOOST_TEST(full.categories == 9439);
  BOOST_TEST(full.events == 100150807);
  BOOST_TEST(synth_defaults(spec::SyntheticKind::Taobao).events == o.events);  // the kind's own default size

  TempDir dir;
  const SynthSummary sum = write_synthetic(dir.file("t"), o);
  BOOST_TEST(sum.files == dir.file("t") + "/UserBehavior.csv");
  const EventLog log = import_events(taobao_data(dir.file("t")));
  BOOST_TEST(log.size() == 100151u);
  BOOST_TEST(log.vocab.size("user") == 988);
  BOOST_TEST(log.vocab.size("item") == 4162);
  BOOST_TEST(log.vocab.size("category") == 10);  // + unknown
  BOOST_TEST(log.report.get("missing.item.category") == 0);
  BOOST_TEST(log.report.get("conflicts.item.category") == 0);  // one category per item, as Taobao
  BOOST_TEST(log.vocab.behaviors == (std::vector<std::string>{"buy", "cart", "fav", "pv"}));

  // Taobao's proportions: pv 89.6%, cart 5.5%, fav 2.9%, buy 2.0% (binomial sd < 0.1%).
  std::map<std::string, double> share;
  for (auto b : log.behaviors) share[log.vocab.behaviors[b]] += 1.0 / static_cast<double>(log.size());
  BOOST_TEST(share["pv"] == 0.896, boost::test_tools::tolerance(0.005));
  BOOST_TEST(share["cart"] == 0.055, boost::test_tools::tolerance(0.08));
  BOOST_TEST(share["fav"] == 0.029, boost::test_tools::tolerance(0.12));
  BOOST_TEST(share["buy"] == 0.020, boost::test_tools::tolerance(0.15));

  // Nine days; grouped by user in time order, like the official file.
  std::set<std::int32_t> finished;
  for (std::size_t i = 0; i < log.size(); ++i) {
    BOOST_TEST_REQUIRE((log.times[i] >= kTaobaoFirst && log.times[i] < kTaobaoEnd), log.times[i]);
    if (i > 0 && log.users[i] == log.users[i - 1]) {
      BOOST_TEST_REQUIRE(log.times[i] >= log.times[i - 1]);
    } else {
      BOOST_TEST_REQUIRE(finished.insert(log.users[i]).second);  // a user's rows are contiguous
    }
  }
  // Long histories span days, not minutes.
  std::map<std::int32_t, std::pair<std::int64_t, std::int64_t>> span;
  for (std::size_t i = 0; i < log.size(); ++i) {
    auto [it, fresh] = span.emplace(log.users[i], std::make_pair(log.times[i], log.times[i]));
    if (!fresh) it->second.second = log.times[i];
  }
  double days = 0;
  for (const auto& [u, s] : span)
    days += static_cast<double>(s.second - s.first) / 86400.0 / static_cast<double>(span.size());
  BOOST_TEST(days > 2.0);
  BOOST_TEST(days < 9.0);

  // The official format: no header, five fields.
  const std::string text = slurp(dir.file("t/UserBehavior.csv"));
  const std::string first = text.substr(0, text.find('\n'));
  BOOST_TEST(std::count(first.begin(), first.end(), ',') == 4);
  BOOST_TEST(first.find("user") == std::string::npos, first);
}

BOOST_AUTO_TEST_CASE(taobao_kind_is_deterministic_in_its_seed) {
  TempDir dir;
  SynthOptions o = synth_defaults(spec::SyntheticKind::Taobao, SynthSize::taobao, 0.0002);
  write_synthetic(dir.file("a"), o);
  write_synthetic(dir.file("b"), o);
  BOOST_TEST((slurp(dir.file("a/UserBehavior.csv")) == slurp(dir.file("b/UserBehavior.csv"))));
  o.seed = 2;
  write_synthetic(dir.file("c"), o);
  BOOST_TEST((slurp(dir.file("a/UserBehavior.csv")) != slurp(dir.file("c/UserBehavior.csv"))));
}

// The streamed coverage (events generated twice, never held): every item occurs even when most
// are unused in the first pass, down to exactly one event per item.
BOOST_AUTO_TEST_CASE(taobao_kind_streams_every_item_into_the_events) {
  TempDir dir;
  SynthOptions o;
  o.kind = spec::SyntheticKind::Taobao;
  o.users = 20;
  o.categories = 3;
  for (const std::int64_t events : {6000, 3000}) {
    o.items = 3000;
    o.events = events;
    const std::string out = dir.file("e" + std::to_string(events));
    write_synthetic(out, o);
    const EventLog log = import_events(taobao_data(out));
    BOOST_TEST(log.size() == static_cast<std::size_t>(events));
    BOOST_TEST(log.vocab.size("item") == 3000);
    BOOST_TEST(log.vocab.size("user") == 20);
    BOOST_TEST(log.report.get("conflicts.item.category") == 0);  // an item keeps its category
  }
  o.items = 3001;
  o.events = 3000;
  BOOST_CHECK_THROW(write_synthetic(dir.file("x"), o), DataError);
}

BOOST_AUTO_TEST_CASE(taobao_kind_loads_through_specs_taobao_scale_toml) {
  TempDir dir;
  write_synthetic(dir.file("t"), synth_defaults(spec::SyntheticKind::Taobao, SynthSize::taobao, 0.0002));
  const spec::Spec s = spec::load_spec(std::string(ATRANK_SOURCE_DIR) + "/specs/taobao-scale.toml",
                                       {"data.path=" + dir.file("t"), "data.cache_dir=" + dir.file("cache")});
  std::ostringstream log;
  LoadOptions options;
  options.log = &log;
  const Dataset d = Dataset::load(s, options);
  BOOST_TEST(d.vocab().size("user") == 198);
  BOOST_TEST(d.vocab().size("item") == 832);
  BOOST_TEST(d.num_cases(Split::test) == 198);  // every user has a test case
  BOOST_TEST(log.str().empty(), log.str());     // nothing skipped, missing or dropped
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
