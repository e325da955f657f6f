// Numbers and sizes a spec may hold (issue 13, item 10): no inf or nan where
// a rate, a norm or a weight goes; a written time unit of 0 is an error; sizes
// are bounded so that their arithmetic cannot overflow; the memory training
// needs is checked against the machine, naming the key and the bytes; and
// train.early_stop names a value that is evaluated.
#include <boost/test/unit_test.hpp>

#include <map>

#include "atrank/spec/spec_diff.hpp"
#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
using namespace atrank::spec::test;

BOOST_AUTO_TEST_SUITE(limits)

BOOST_AUTO_TEST_CASE(inf_and_nan_are_not_rates_norms_or_weights) {
  struct Case {
    std::string from, to, needle, message;
  };
  const std::vector<Case> cases = {
      {"learning_rate = 1.0", "learning_rate = inf", "learning_rate = inf",
       "train.learning_rate: expected a finite positive number, got inf"},
      {"epochs = 10", "epochs = 10\nclip_norm = inf", "clip_norm", "train.clip_norm: expected a finite non-negative number, got inf"},
      {"bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nl2 = inf", "l2 = inf",
       "tasks.item.l2: expected a finite non-negative number, got inf"},
      {"learning_rate = 1.0", "learning_rate = nan", "learning_rate = nan", "train.learning_rate: expected a positive number, got nan"},
      {"bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nweight = +inf", "weight", "tasks.item.weight: expected a finite"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.to) { expect_error(edit(kBase, c.from, c.to), c.needle, {c.message}); }
  }
  // As overrides too.
  BOOST_TEST(error_of(kBase, {"train.clip_norm=inf"}) ==
             "--set train.clip_norm=inf: expected a finite non-negative number, got inf");
}

BOOST_AUTO_TEST_CASE(a_written_time_unit_of_zero_is_an_error) {
  const auto text = edit(kBase, "count = 12 }", "count = 12, unit_seconds = 0 }");
  expect_error(text, "unit_seconds = 0", {"groups.item.time.unit_seconds: expected a positive integer, got 0"});
  // Not written: the data's unit.
  BOOST_TEST(parse_spec(kBase, "test.toml").groups[0].time.unit_seconds == 86400);
}

BOOST_AUTO_TEST_CASE(sizes_are_bounded) {
  expect_error(edit(kBase, "[tables.item]\nwidth = 64", "[tables.item]\nwidth = 2199023255552"), "width = 2199",
               {"tables.item.width: 2199023255552 is too large to build: a size is at most 2^40 = 1099511627776"});
  expect_error(edit(kBase, "heads = 8", "heads = 8\nblocks = 1001"), "blocks = 1001",
               {"encoder.blocks: 1001 blocks are too many: at most 1000"});
  expect_error(edit(kBase, "epochs = 10", "epochs = 10\nthreads = 100000"), "threads = 100000",
               {"train.threads: 100000 threads are too many: at most 1024"});
  // Batch sizes and epochs are not model sizes: the batcher and the loop take any (tested in data and cli).
  BOOST_TEST(parse_spec(kBase, "test.toml", {"train.batch_size=4611686018427387904", "train.epochs=9223372036854775807"})
                 .train.batch_size == 4611686018427387904);
}

BOOST_AUTO_TEST_CASE(a_model_too_large_for_the_machine_names_the_key_and_the_bytes) {
  // 2^40 items x 64 floats x 4 bytes = 256 TiB for the values alone.
  auto text = edit(kBase, "[tables.item]", "[vocab]\nitem = 1099511627776\n\n[tables.item]");
  std::string e = error_of(text);
  check_has(e, {at_line(text, "item = 1099511627776"),
                ": vocab.item: too large for this machine: training this model needs at least ",
                "the largest part is table `item` (1099511627776 rows x 64): 281474976710656 bytes (256.0 TiB)"});
  text = edit(kBase, "heads = 8", "heads = 8\nffn = 1099511627776");
  e = error_of(text);
  check_has(e, {at_line(text, "ffn = "), ": encoder.ffn: too large for this machine",
                "the feed-forward layers of 2 attention blocks (128 x 1099511627776)"});
}

BOOST_AUTO_TEST_CASE(the_memory_estimate_counts_every_big_buffer) {
  const Plan plan = parse_plan(kBase, "test.toml", {"vocab.item=1000", "vocab.category=10", "train.threads=4"});
  const auto rows = [&](const std::string& space) { return plan.spec.vocab.at(space); };
  const auto parts = training_memory(plan, rows);
  std::map<std::string, long double> by_key;
  for (const auto& p : parts) by_key[p.key] += p.bytes;
  // SGD keeps no state: a table's values only; dense parameters also keep their gradient. A table is
  // blamed on its vocab.* size when that is its larger factor, else on its width.
  BOOST_TEST(double(by_key["vocab.item"]) == (1000.0 * 64 + 1000.0 * 1) * 4);  // item and item_bias
  BOOST_TEST(double(by_key["tables.category.width"]) == 10.0 * 64 * 4);
  const long double qkv = 2.0L * 3 * 128 * 128, ffn = 2.0L * 2 * 128 * 32, projection = 140.0L * 128;
  BOOST_TEST(double(by_key["encoder.hidden"]) == double((qkv + ffn) * 8));  // ffn 32 < hidden 128: hidden sizes both
  BOOST_TEST(double(by_key["groups.item.projection.width"]) == double(projection * 8));
  BOOST_TEST(double(by_key["train.threads"]) == double((qkv + ffn + projection) * 3 * 4));
  // Adam: two moments per value.
  const Plan adam = parse_plan(kBase, "test.toml", {"vocab.item=1000", "vocab.category=10", "train.optimizer=\"adam\""});
  for (const auto& p : training_memory(adam, rows))
    if (p.what.rfind("table `item` ", 0) == 0) BOOST_TEST(double(p.bytes) == 1000.0 * 64 * 4 * 3);
  // The largest part names the key.
  const auto e = [&](double available) {
    try {
      check_training_memory(plan, rows, {available, "a test limit"});
    } catch (const SpecError& x) {
      return std::string(x.what());
    }
    return std::string();
  };
  BOOST_TEST(e(1e9).empty());
  check_has(e(1e5), {"--set train.threads=4: too large for this machine",
                     "more than the 100000 bytes (97.7 KiB) of a test limit",
                     "the largest part is the gradient buffers of 3 more training threads"});
}

BOOST_AUTO_TEST_CASE(early_stop_is_planned) {
  const auto text = edit(kBase, "epochs = 10", "epochs = 10\nearly_stop = { metric = \"test.auc\", patience = 4 }");
  const Plan p = parse_plan(text, "test.toml", {});
  BOOST_REQUIRE(p.train.early_stop.has_value());
  BOOST_TEST(p.train.early_stop->name == "test.auc");
  BOOST_TEST((p.train.early_stop->split == Selection::Test));
  BOOST_TEST(p.train.early_stop->metric == "auc");
  BOOST_TEST(!p.train.early_stop->lower_is_better);
  BOOST_TEST(p.train.early_stop->patience == 4);
  BOOST_TEST(p.train.early_stop->min_delta == 0.0);
  // Saved with the spec (and only when on: other specs keep their saved text).
  BOOST_TEST(to_toml(p.spec).find("early_stop = { metric = \"test.auc\", patience = 4, min_delta = 0.0 }") !=
             std::string::npos);
  BOOST_TEST((parse_spec(to_toml(p.spec), "saved.toml") == p.spec));
  BOOST_TEST(to_toml(parse_spec(kBase, "test.toml")).find("early_stop") == std::string::npos);
  BOOST_TEST(!parse_plan(kBase, "test.toml").train.early_stop.has_value());
  // A loss improves downwards; overrides reach into it.
  const Plan loss = parse_plan(kBase, "test.toml",
                               {"eval.metrics=[\"auc\", \"logloss\"]", "data.split=\"valid\"",
                                "train.early_stop.metric=valid.logloss", "train.early_stop.min_delta=0.001"});
  BOOST_TEST(loss.train.early_stop->lower_is_better);
  BOOST_TEST((loss.train.early_stop->split == Selection::Valid));
  BOOST_TEST(loss.train.early_stop->min_delta == 0.001);
}

BOOST_AUTO_TEST_CASE(early_stop_names_an_evaluated_value) {
  const auto with = [](const std::string& inline_table) {
    return edit(kBase, "epochs = 10", "epochs = 10\nearly_stop = " + inline_table);
  };
  auto text = with("{ metric = \"test.acu\" }");
  expect_error(text, "early_stop", {"train.early_stop.metric: \"test.acu\" is not an evaluated value (did you mean "
                                    "`test.auc`?); expected one of: test.auc"});
  text = with("{ metric = \"valid.auc\" }");
  expect_error(text, "early_stop", {"valid.* needs a validation split: data.split = \"valid\""});
  text = with("{ patience = 3 }");
  expect_error(text, "early_stop", {"train.early_stop.metric: expected the value to watch"});
  text = with("{ metric = \"test.auc\", patience = 0 }");
  expect_error(text, "early_stop", {"train.early_stop.patience: expected a positive integer, got 0"});
  text = with("{ metric = \"test.auc\", min_delta = -0.1 }");
  expect_error(text, "early_stop", {"train.early_stop.min_delta: expected a non-negative number"});
  text = with("{ metric = \"test.auc\", patiense = 2 }");
  expect_error(text, "patiense", {"train.early_stop.patiense: unknown key (did you mean `patience`?)"});
}

// A model selected on a loss keeps the lowest.
BOOST_AUTO_TEST_CASE(selection_on_a_loss_keeps_the_lowest) {
  BOOST_TEST(parse_plan(kBase, "test.toml", {"eval.metrics=[\"logloss\"]"}).eval.select_lower_is_better);
  BOOST_TEST(!parse_plan(kBase, "test.toml").eval.select_lower_is_better);
}

BOOST_AUTO_TEST_CASE(differing_keys_name_each_key) {
  const Spec a = parse_spec(kBase, "a.toml");
  BOOST_TEST(differing_keys(a, a).empty());
  const Spec b = parse_spec(kBase, "b.toml",
                            {"encoder.heads=4", "train.schedule[0].step=200", "data.split=valid",
                             "vocab.item=5000"});
  const auto d = differing_keys(a, b);
  for (const auto& x : d) BOOST_TEST_MESSAGE(x.key << ": " << x.before << " -> " << x.after);
  BOOST_REQUIRE(d.size() == 4u);
  BOOST_TEST(d[0].key == "data.split");
  BOOST_TEST((d[0].before == "\"last\"" && d[0].after == "\"valid\""));
  BOOST_TEST(d[1].key == "encoder.heads");
  BOOST_TEST((d[1].before == "8" && d[1].after == "4"));
  BOOST_TEST(d[2].key == "train.schedule[0].step");
  BOOST_TEST(d[3].key == "vocab.item");
  BOOST_TEST((d[3].before.empty() && d[3].after == "5000"));
}

BOOST_AUTO_TEST_SUITE_END()
