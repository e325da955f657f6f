// The cache key is derived from the spec schema: every data.* key changes it unless it is one of
// the listed exclusions, and the exclusions do not. A key added to the schema without a sample
// change here fails the test, so someone decides whether it belongs in the key.
#include <boost/test/unit_test.hpp>

#include <functional>
#include <map>
#include <string>

#include "atrank/data/cache_key.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/spec/schema.hpp"

using namespace atrank;

namespace {

const char* kSpec = R"(
name = "key"
[data]
source = "csv"
path = "datasets/synthetic/quickstart"
synthetic = "single"
files = ["events.csv"]
columns = ["user", "item", "category", "timestamp"]
[[data.attributes]]
name = "category"
object_space = "item"
column = "category"
[tables.item]
width = 8
[tables.category]
width = 8
[groups.item]
object = "item"
features = ["item", { table = "category", through = "category" }]
[encoder]
kind = "atrank"
hidden = 16
heads = 2
[tasks.item]
target = "item"
)";

// Per data key, a change to another value (exactly that field, so that the test sees what the
// key alone does to the description).
using Change = std::function<void(spec::DataSpec&)>;
const std::map<std::string, Change> kChanges = {
    {"source", [](spec::DataSpec& d) { d.source = "movielens"; }},
    {"path", [](spec::DataSpec& d) { d.path = "somewhere/else"; }},
    {"amazon_category", [](spec::DataSpec& d) { d.amazon_category = "Books"; }},
    {"files", [](spec::DataSpec& d) { d.files = {"other.csv"}; }},
    {"delimiter", [](spec::DataSpec& d) { d.delimiter = ";"; }},
    {"header", [](spec::DataSpec& d) { d.header = !d.header; }},
    {"columns", [](spec::DataSpec& d) { d.columns = {"user", "item", "timestamp", "category"}; }},
    {"user_column", [](spec::DataSpec& d) { d.user_column = "who"; }},
    {"object_column", [](spec::DataSpec& d) { d.object_column = "what"; }},
    {"behavior_column", [](spec::DataSpec& d) { d.behavior_column = "action"; }},
    {"time_column", [](spec::DataSpec& d) { d.time_column = "when"; }},
    {"time_format", [](spec::DataSpec& d) { d.time_format = "iso"; }},
    {"default_behavior", [](spec::DataSpec& d) { d.default_behavior = "click"; }},
    {"liked_threshold", [](spec::DataSpec& d) { d.liked_threshold = 4; }},
    {"object_space", [](spec::DataSpec& d) { d.object_space = "product"; }},
    {"behavior_object_space", [](spec::DataSpec& d) { d.behavior_object_space["search"] = "query"; }},
    {"time_unit_seconds", [](spec::DataSpec& d) { d.time_unit_seconds = 3600; }},
    {"history_cap", [](spec::DataSpec& d) { d.history_cap = 10; }},
    {"split", [](spec::DataSpec& d) { d.split = "valid"; }},
    {"seed", [](spec::DataSpec& d) { d.seed = 7; }},
    {"skip_bad_lines", [](spec::DataSpec& d) { d.skip_bad_lines = !d.skip_bad_lines; }},
    {"min_events", [](spec::DataSpec& d) { d.min_events = 3; }},
    {"cache_dir", [](spec::DataSpec& d) { d.cache_dir = "/tmp/elsewhere"; }},
    {"synthetic", [](spec::DataSpec& d) { d.synthetic = "multi"; }},
    {"attributes", [](spec::DataSpec& d) { d.attributes.push_back(d.attributes.front()); }},
};

using AttributeChange = std::function<void(spec::AttributeSpec&)>;
const std::map<std::string, AttributeChange> kAttributeChanges = {
    {"name", [](spec::AttributeSpec& a) { a.name = "genre"; }},
    {"object_space", [](spec::AttributeSpec& a) { a.object_space = "product"; }},
    {"path", [](spec::AttributeSpec& a) { a.path = "items.csv"; }},
    {"object_column", [](spec::AttributeSpec& a) { a.object_column = "id"; }},
    {"column", [](spec::AttributeSpec& a) { a.column = "cat"; }},
};

bool excluded(const std::string& key) {
  for (const auto& e : data::cache_key_exclusions())
    if (key == e.key) return true;
  return false;
}

spec::Spec with(const std::string& assignment) { return spec::parse_spec(kSpec, "key.toml", {assignment}); }

}  // namespace

BOOST_AUTO_TEST_SUITE(cache_key)

BOOST_AUTO_TEST_CASE(every_data_key_counts_unless_excluded) {
  const spec::Spec base = spec::parse_spec(kSpec, "key.toml");
  const std::string before = data::data_description(base);
  for (const auto& f : spec::data_fields()) {
    const auto it = kChanges.find(f.key);
    BOOST_TEST_REQUIRE((it != kChanges.end()), "no change for data." << f.key
                                                   << ": add one, and decide whether it changes the prepared data");
    spec::Spec changed = base;
    it->second(changed.data);
    BOOST_TEST(!(changed.data == base.data), "the change does not change data." << f.key);
    const bool differs = data::data_description(changed) != before;
    BOOST_TEST(differs == !excluded(f.key), "data." << f.key << (differs ? " changes" : " does not change")
                                                    << " the cache key");
  }
  for (const auto& f : spec::attribute_fields()) {
    const auto it = kAttributeChanges.find(f.key);
    BOOST_TEST_REQUIRE((it != kAttributeChanges.end()), "no change for data.attributes[]." << f.key);
    spec::Spec changed = base;
    it->second(changed.data.attributes.front());
    BOOST_TEST(data::data_description(changed) != before, "data.attributes[]." << f.key);
  }
}

BOOST_AUTO_TEST_CASE(exclusions_name_schema_keys_and_say_why) {
  for (const auto& e : data::cache_key_exclusions()) {
    bool known = false;
    for (const auto& f : spec::data_fields()) known = known || f.key == e.key;
    BOOST_TEST(known, "excluded data." << e.key << " is not a key of the schema");
    BOOST_TEST(std::string(e.reason).size() > 10u, e.key);
  }
  // What is excluded, and only that (a change here is a change of the cache's meaning).
  std::string keys;
  for (const auto& e : data::cache_key_exclusions()) keys += std::string(keys.empty() ? "" : " ") + e.key;
  BOOST_TEST(keys == "path cache_dir history_cap time_unit_seconds synthetic");
}

BOOST_AUTO_TEST_CASE(outside_the_data_section_only_what_example_building_uses) {
  const spec::Spec base = spec::parse_spec(kSpec, "key.toml");
  const std::string before = data::data_description(base);
  // Model, training and evaluation keys that do not change the prepared arrays.
  for (const char* a : {"encoder.heads=4", "tables.category.init=zeros", "train.epochs=7", "train.learning_rate=0.5", "train.seed=9",
                        "eval.negatives=50"})
    BOOST_TEST(data::data_description(with(a)) == before, a);
  // Groups' behaviors and the number of sampled negatives (with a ranking metric) do.
  BOOST_TEST(data::data_description(with("groups.item.behaviors=[\"buy\"]")) != before);
  const spec::Spec ranking = with("eval.metrics=[\"auc\", \"hr@10\"]");
  BOOST_TEST(data::data_description(ranking) != before);
}

BOOST_AUTO_TEST_SUITE_END()
