// --set key.path=value: typed like the file, errors name the override,
// unknown keys get suggestions, and overrides may create keys.
#include <boost/test/unit_test.hpp>

#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
using namespace atrank::spec::test;

BOOST_AUTO_TEST_SUITE(overrides)

BOOST_AUTO_TEST_CASE(override_sets_typed_values) {
  const Spec s = parse_spec(kBase, "test.toml",
                            {"encoder.heads=4", "train.epochs=1", "train.learning_rate=0.5", "data.path=/x/y.csv",
                             "data.skip_bad_lines=true", "name = renamed", "train.clip_norm=0"});
  BOOST_TEST(s.encoder.heads == 4);
  BOOST_TEST(s.train.epochs == 1);
  BOOST_TEST(s.train.learning_rate == 0.5);
  BOOST_TEST(s.data.path == "/x/y.csv");
  BOOST_TEST(s.data.skip_bad_lines);
  BOOST_TEST(s.name == "renamed");
  BOOST_TEST(s.train.clip_norm == 0.0);  // float key, integer literal
}

BOOST_AUTO_TEST_CASE(override_type_error_names_the_override) {
  BOOST_CHECK_EQUAL(error_of(kBase, {"encoder.heads=x"}),
                    "--set encoder.heads=x: expected an integer, got a string (\"x\")");
  check_has(error_of(kBase, {"data.skip_bad_lines=1"}),
            {"--set data.skip_bad_lines=1: expected a boolean (true or false), got an integer (1)"});
  check_has(error_of(kBase, {"train.epochs=2.5"}), {"--set train.epochs=2.5: expected an integer, got a float"});
}

BOOST_AUTO_TEST_CASE(override_unknown_key_suggests) {
  BOOST_CHECK_EQUAL(error_of(kBase, {"encoder.haeds=4"}),
                    "--set encoder.haeds=4: unknown key (did you mean `heads`?)");
  check_has(error_of(kBase, {"encodr.heads=4"}), {"--set encodr.heads=4: encodr: unknown key (did you mean `encoder`?)"});
  check_has(error_of(kBase, {"groups.item.time.encodng=none"}),
            {"--set groups.item.time.encodng=none: unknown key (did you mean `encoding`?)"});
}

BOOST_AUTO_TEST_CASE(override_creates_absent_keys) {
  const Spec s = parse_spec(kBase, "test.toml",
                            {"vocab.item=63001", "vocab.category=801", "groups.item.projection.activation=relu",
                             "tasks.item.learning_rate=0.1"});
  BOOST_TEST(s.vocab.at("item") == 63001);
  BOOST_TEST(s.vocab.at("category") == 801);
  BOOST_TEST(s.groups[0].projection.activation == "relu");
  BOOST_TEST(s.tasks[0].learning_rate.value() == 0.1);
  // A whole new entry, as an inline table; it comes after the file's entries.
  const Spec t = parse_spec(kBase, "test.toml", {"tasks.again={target = \"item\", loss = \"bpr\"}"});
  BOOST_REQUIRE(t.tasks.size() == 2u);
  BOOST_TEST(t.tasks[1].name == "again");
  BOOST_TEST(t.tasks[1].loss == "bpr");
}

BOOST_AUTO_TEST_CASE(override_reaches_into_inline_tables_and_arrays) {
  const Spec s = parse_spec(kBase, "test.toml",
                            {"groups.item.time.encoding=none", "train.schedule[0].step=200",
                             "groups.item.features.1.through=category", "eval.metrics=[\"auc\", \"hr@10\"]"});
  BOOST_TEST(s.groups[0].time.encoding == "none");
  BOOST_TEST(s.train.schedule[0].step == 200);
  BOOST_TEST(s.eval.metrics == (std::vector<std::string>{"auc", "hr@10"}));
  check_has(error_of(kBase, {"train.schedule[3].step=1"}),
            {"--set train.schedule[3].step=1: train.schedule: index 3 out of range (the array has 1 elements)"});
}

BOOST_AUTO_TEST_CASE(override_string_keys_take_the_text_as_typed) {
  const Spec s = parse_spec(kBase, "test.toml", {"data.path=2024", "name=\"quoted name\"", "data.cache_dir=1e3"});
  BOOST_TEST(s.data.path == "2024");
  BOOST_TEST(s.name == "quoted name");
  BOOST_TEST(s.data.cache_dir == "1e3");
}

BOOST_AUTO_TEST_CASE(override_validation_errors_name_the_override) {
  check_has(error_of(kBase, {"encoder.heads=3"}), {"--set encoder.heads=3: 3 heads do not divide the hidden width 128"});
  check_has(error_of(kBase, {"groups.item.time.encoding=onehot"}),
            {"--set groups.item.time.encoding=onehot: unknown value \"onehot\" (did you mean `one_hot`?)",
             "expected one of: one_hot, embedding, none"});
  check_has(error_of(kBase, {"vocab.item=0"}), {"--set vocab.item=0: expected a positive integer, got 0"});
}

BOOST_AUTO_TEST_CASE(malformed_overrides) {
  check_has(error_of(kBase, {"encoder.heads"}), {"--set encoder.heads: expected key.path=value"});
  check_has(error_of(kBase, {"=4"}), {"--set =4: expected key.path=value: the key is empty"});
  check_has(error_of(kBase, {"encoder..heads=4"}), {"empty segment in key path"});
  check_has(error_of(kBase, {"name.first=x"}), {"--set name.first=x: name: is a string (\"base\"), not a table"});
}

BOOST_AUTO_TEST_CASE(later_override_wins) {
  const Spec s = parse_spec(kBase, "test.toml", {"encoder.heads=4", "encoder.heads=16"});
  BOOST_TEST(s.encoder.heads == 16);
}

BOOST_AUTO_TEST_SUITE_END()
