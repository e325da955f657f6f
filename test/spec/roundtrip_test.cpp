// to_toml(spec) reads back to an equal Spec; resolution fills derived defaults.
#include <boost/test/unit_test.hpp>

#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
using namespace atrank::spec::test;

namespace {

// Every key of the language set to a non-default value.
const std::string kEverything = R"(name = "everything"
description = "every key, \"quoted\" \\ and tab\t"

[data]
source = "csv"
path = "d/x"
amazon_category = "Books"
files = ["a.tsv", "b.tsv"]
delimiter = "\t"
header = false
columns = ["u", "o", "b", "t", "c"]
user_column = "u"
object_column = "o"
behavior_column = "b"
time_column = "t"
time_format = "iso"
default_behavior = "act"
liked_threshold = 4
object_space = "item"
behavior_object_space = { search = "query" }
time_unit_seconds = 3600
history_cap = 50
split = "valid"
seed = 7
skip_bad_lines = true
min_events = 3
cache_dir = "/tmp/c"

[[data.attributes]]
name = "category"
object_space = "item"
column = "c"

[[data.attributes]]
name = "brand"
object_space = "item"
path = "brands.tsv"
object_column = "id"
column = "brand"

[vocab]
item = 100
category = 10
user = 7

[tables.user]
vocab = "user"
width = 96
init = "normal"
init_scale = 0.05

[tables.item]
width = 48

[tables.category]
width = 24

[tables.brand]
width = 24

[tables.query]
width = 96

[tables.behavior]
width = 8

[tables.item_bias]
vocab = "item"
width = 1
init = "zeros"

[groups.zeta]
behaviors = ["search"]
object = "query"
features = ["query"]
time = { encoding = "embedding", edges = [1, 3, 9, 27], width = 96, combine = "add", table = "zt", unit_seconds = 60 }
projection = { width = 96, activation = "tanh" }

[groups.item]
behaviors = ["view", "buy"]
object = "item"
features = ["item", { table = "category", through = "category" }, { table = "brand", through = "brand" }]
behavior_table = "behavior"
time = { encoding = "one_hot", edges = "log2", count = 6 }
projection = { width = 96, activation = "relu" }

[encoder]
kind = "atrank"
hidden = 96
heads = 4
blocks = 2
ffn = 24
dropout = 0.25
qkv_activation = "none"
layer_norm_eps = 1e-6
attend = ["item", "zeta"]
lstm_units = 96
cnn_widths = [2, 3]
cnn_filters = 8
cnn_max_length = 30
cnn_init = "normal"
user_table = "user"

[tasks.item]
target = "item"
bias_table = "item_bias"
loss = "bpr"
l2 = 1e-4
weight = 2.0
learning_rate = 0.3
project_target = false

[tasks.query]
target = "zeta"
project_target = true
l2 = 0.0

[train]
optimizer = "adam"
learning_rate = 0.001
schedule = [{ step = 10, learning_rate = 0.0005 }, { step = 20, learning_rate = 0.0001 }]
beta1 = 0.8
beta2 = 0.99
adam_eps = 1e-7
adagrad_init = 0.2
batch_size = 16
epochs = 3
clip_norm = 1.5
seed = 99
threads = 2
eval_every = 50
checkpoint_every = 100
multitask = "interleave"
eval_batch_size = 64
max_steps = 1000

[eval]
metrics = ["auc", "hr@5", "ndcg@5"]
negatives = 49
select = "valid"
)";

void check_round_trip(const Spec& s) {
  const std::string text = to_toml(s);
  BOOST_TEST_MESSAGE(text);
  Spec back;
  try {
    back = parse_spec(text, "resolved.toml");
  } catch (const SpecError& e) {
    BOOST_FAIL("to_toml output does not parse: " << e.what() << "\n" << text);
  }
  BOOST_CHECK_MESSAGE(back == s, "round trip changed the spec:\n" << text << "\n---\n" << to_toml(back));
  BOOST_CHECK_EQUAL(to_toml(back), text);  // a fixed point
}

}  // namespace

BOOST_AUTO_TEST_SUITE(roundtrip)

BOOST_AUTO_TEST_CASE(base_spec_round_trips) { check_round_trip(parse_spec(kBase, "test.toml")); }

BOOST_AUTO_TEST_CASE(every_key_round_trips) {
  const Spec s = parse_spec(kEverything, "everything.toml");
  BOOST_TEST(s.description == "every key, \"quoted\" \\ and tab\t");
  BOOST_TEST(s.data.delimiter == "\t");
  check_round_trip(s);
}

BOOST_AUTO_TEST_CASE(round_trip_keeps_overrides) {
  check_round_trip(parse_spec(kBase, "test.toml", {"vocab.item=63001", "encoder.heads=4", "data.path=/d"}));
}

BOOST_AUTO_TEST_CASE(equality_sees_every_changed_field) {
  const Spec s = parse_spec(kEverything, "everything.toml");
  Spec t = s;
  t.groups[1].time.count = 7;
  BOOST_TEST(!(t == s));
  t = s;
  t.tasks[0].learning_rate.reset();
  BOOST_TEST(!(t == s));
  t = s;
  t.data.attributes[1].object_column = "x";
  BOOST_TEST(!(t == s));
  t = s;
  t.origins.clear();
  t.file = "elsewhere.toml";
  BOOST_TEST((t == s));  // where things were written is not part of the spec
}

BOOST_AUTO_TEST_CASE(resolution_fills_derived_defaults) {
  const Spec s = parse_spec(kBase, "specs/base-spec.toml");
  const GroupSpec& g = s.groups.at(0);
  BOOST_TEST(g.object == "item");
  BOOST_TEST(g.time.table == "item_time");
  BOOST_TEST(g.time.edges_kind == "log2");
  BOOST_TEST(g.time.edges == (std::vector<std::int64_t>{2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}));
  BOOST_TEST(g.time.unit_seconds == 86400);
  BOOST_TEST(g.projection.width == 128);
  BOOST_TEST(s.tasks.at(0).target == "item");
  BOOST_TEST(s.table("category")->vocab == "category");
  const Spec unnamed = parse_spec(edit(kBase, "name = \"base\"\n", ""), "specs/base-spec.toml");
  BOOST_TEST(unnamed.name == "base-spec");
  const Spec e = parse_spec(kEverything, "everything.toml");
  BOOST_TEST(e.group("zeta")->time.count == 4);  // explicit edges: count = their number
  BOOST_TEST(e.data.attributes[0].object_column == "");
  BOOST_TEST(e.data.attributes[1].object_column == "id");
}

BOOST_AUTO_TEST_CASE(entries_keep_file_order) {
  const Spec s = parse_spec(kEverything, "everything.toml");
  BOOST_REQUIRE(s.groups.size() == 2u);
  BOOST_TEST(s.groups[0].name == "zeta");  // written first, although "item" sorts first
  BOOST_TEST(s.groups[1].name == "item");
  BOOST_TEST(s.tables[0].name == "user");
  BOOST_TEST(s.tasks[1].name == "query");
}

BOOST_AUTO_TEST_CASE(origins_point_at_the_keys) {
  const Spec s = parse_spec(kBase, "test.toml", {"encoder.blocks=2"});
  BOOST_TEST(s.origins.at("encoder.heads").str() == at_line(kBase, "heads = 8") + "9");
  BOOST_TEST(s.origins.at("encoder.blocks").str() == "--set encoder.blocks=2");
  BOOST_TEST(s.groups[0].features[1].origin.line > 0);
}

BOOST_AUTO_TEST_SUITE_END()
