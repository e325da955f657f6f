// The shipped specs through the whole interpreter path `atrank check` uses:
// load_plan (with --set overrides) -> build_model -> summary (text and JSON).
#include <boost/test/unit_test.hpp>

#include <string>

#include "atrank/model/model.hpp"
#include "atrank/model/summary_report.hpp"
#include "atrank/spec/load.hpp"

using namespace atrank;

namespace {
std::string spec_path(const std::string& name) { return std::string(ATRANK_SOURCE_DIR) + "/specs/" + name; }
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_SUITE(shipped_specs)

BOOST_AUTO_TEST_CASE(amazon_toml_has_the_authors_parameter_count) {
  const spec::Plan s = spec::load_plan(spec_path("amazon.toml"), {"vocab.item=63001", "vocab.category=801"});
  const auto m = model::build_model<float>(s, data::Vocabulary{});
  const auto j = model::summary_json(m.summary());
  BOOST_TEST(j["params"]["total"].get<std::int64_t>() == 4281177);
  BOOST_TEST(j["params"]["per_block"]["encoder/self_attention_0"].get<std::int64_t>() == 58400);
  BOOST_TEST(j["params"]["per_block"]["encoder/vanilla_attention_0"].get<std::int64_t>() == 58400);
  BOOST_TEST(j["params"]["per_block"]["group/item/projection"].get<std::int64_t>() == 140 * 128 + 128);
  const std::string text = model::summary_text(m.summary());
  BOOST_TEST(has(text, "4,281,177"), text);
}

BOOST_AUTO_TEST_CASE(multi_behavior_toml_shares_tables_and_keeps_time_per_group) {
  const spec::Plan s = spec::load_plan(
      spec_path("multi-behavior.toml"),
      {"vocab.item=100", "vocab.query=30", "vocab.coupon=20", "vocab.shop=5", "vocab.category=4",
       "vocab.brand=6", "vocab.behavior=4"});
  const auto m = model::build_model<float>(s, data::Vocabulary{});
  const auto& sum = m.summary();
  BOOST_REQUIRE(sum.groups.size() == 3u);
  for (const auto& t : sum.tables)
    if (t.name == "shop" || t.name == "category") {
      BOOST_TEST(has(t.users[0], "group `item`"), t.users[0]);
      BOOST_TEST(has(t.users[1], "group `coupon`"), t.users[1]);
    }
  for (const auto& g : sum.groups) {
    BOOST_TEST(g.width == 256);
    BOOST_TEST(has(g.time, "one_hot of 12 buckets"), g.time);
  }
  BOOST_TEST(sum.tasks.size() == 3u);
  const std::string text = model::summary_text(sum);
  BOOST_TEST(has(text, "group `item` feature item -> shop; group `coupon` feature coupon -> shop"), text);
}

BOOST_AUTO_TEST_SUITE_END()
