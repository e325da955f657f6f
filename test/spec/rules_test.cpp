// One test per validation rule of the spec language: each asserts that the
// message names the file and line, the key path, and the suggestion or the
// valid choices where there are choices.
#include <boost/test/unit_test.hpp>

#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
using namespace atrank::spec::test;

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(base_spec_is_valid) {
  const Spec s = parse_spec(kBase, "test.toml");
  BOOST_TEST(s.groups.size() == 1u);
  BOOST_TEST(s.tasks.size() == 1u);
}

// ---- syntax, keys and types -------------------------------------------------

BOOST_AUTO_TEST_CASE(toml_syntax_error_has_position) {
  const auto text = edit(kBase, "heads = 8", "heads = = 8");
  expect_error(text, "heads = = 8", {"TOML syntax error"});
}

BOOST_AUTO_TEST_CASE(misspelled_key_haeds_suggests_heads) {
  const auto text = edit(kBase, "heads = 8", "haeds = 8");
  BOOST_CHECK_EQUAL(error_of(text), at_line(text, "haeds") + "1: encoder.haeds: unknown key (did you mean `heads`?)");
}

BOOST_AUTO_TEST_CASE(unknown_key_without_close_match_lists_valid_keys) {
  const auto text = edit(kBase, "heads = 8", "heads = 8\nzzzqqqxx = 1");
  expect_error(text, "zzzqqqxx", {"encoder.zzzqqqxx: unknown key; valid keys: kind, hidden, heads, blocks"});
}

BOOST_AUTO_TEST_CASE(unknown_section_suggests) {
  const auto text = edit(kBase, "[encoder]", "[encodr]");
  expect_error(text, "[encodr]", {"encodr: unknown key (did you mean `encoder`?)"});
}

BOOST_AUTO_TEST_CASE(unknown_key_in_inline_table_suggests) {
  const auto text = edit(kBase, "{ encoding = \"one_hot\"", "{ encodng = \"one_hot\"");
  expect_error(text, "encodng", {"groups.item.time.encodng: unknown key (did you mean `encoding`?)"});
}

BOOST_AUTO_TEST_CASE(integer_is_not_a_boolean) {
  const auto text = edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\nskip_bad_lines = 1");
  expect_error(text, "skip_bad_lines", {"data.skip_bad_lines: expected a boolean (true or false), got an integer (1)"});
}

BOOST_AUTO_TEST_CASE(boolean_is_not_an_integer) {
  const auto text = edit(kBase, "heads = 8", "heads = true");
  expect_error(text, "heads = true", {"encoder.heads: expected an integer, got a boolean (true)"});
}

BOOST_AUTO_TEST_CASE(float_is_not_an_integer) {
  const auto text = edit(kBase, "epochs = 10", "epochs = 10.0");
  expect_error(text, "epochs = 10.0", {"train.epochs: expected an integer, got a float (10.0)"});
}

BOOST_AUTO_TEST_CASE(string_is_not_an_integer) {
  const auto text = edit(kBase, "hidden = 128", "hidden = \"128\"");
  expect_error(text, "hidden = \"128\"", {"encoder.hidden: expected an integer, got a string (\"128\")"});
}

BOOST_AUTO_TEST_CASE(float_key_accepts_an_integer_literal) {
  const Spec s = parse_spec(edit(kBase, "learning_rate = 1.0", "learning_rate = 2"), "test.toml");
  BOOST_TEST(s.train.learning_rate == 2.0);
}

BOOST_AUTO_TEST_CASE(number_is_not_a_string) {
  const auto text = edit(kBase, "source = \"csv\"", "source = 3");
  expect_error(text, "source = 3", {"data.source: expected a string, got an integer (3)"});
}

BOOST_AUTO_TEST_CASE(section_must_be_a_table) {
  auto text = edit(kBase, "[encoder]\nhidden = 128\nheads = 8\n", "");
  text = edit(text, "name = \"base\"\n", "name = \"base\"\nencoder = 5\n");
  expect_error(text, "encoder = 5", {"encoder: expected a table, got an integer (5)"});
}

BOOST_AUTO_TEST_CASE(feature_must_be_a_name_or_table) {
  const auto text = edit(kBase, "features = [\"item\",", "features = [7,");
  expect_error(text, "features = [7,", {"groups.item.features[0]: expected a table name or {table = ..., through = ...}"});
}

BOOST_AUTO_TEST_CASE(names_must_be_identifiers) {
  const auto text = edit(kBase, "[tables.item]", "[tables.\"my item\"]");
  expect_error(text, "my item", {"tables.my item: invalid name: use letters, digits"});
}

// ---- enumerations ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(unknown_enum_value_lists_the_choices) {
  struct Case {
    std::string from, to, path, choices, hint;
  };
  const std::vector<Case> cases = {
      {"encoding = \"one_hot\"", "encoding = \"onehot\"", "groups.item.time.encoding", "one_hot, embedding, none",
       "(did you mean `one_hot`?)"},
      {"heads = 8", "heads = 8\nkind = \"transformer\"", "encoder.kind", "atrank, bpr, bilstm, bilstm_att, cnn", ""},
      {"bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nloss = \"bce\"", "tasks.item.loss", "sigmoid_ce, bpr",
       ""},
      {"learning_rate = 1.0", "learning_rate = 1.0\noptimizer = \"sgdd\"", "train.optimizer", "sgd, adam, adagrad",
       "(did you mean `sgd`?)"},
      {"source = \"csv\"", "source = \"jsonl\"", "data.source", "amazon, csv, movielens", ""},
      {"init = \"zeros\"", "init = \"zero\"", "tables.item_bias.init", "glorot_uniform, zeros, normal, truncated_normal",
       "(did you mean `zeros`?)"},
      {"init = \"zeros\"", "init = \"ones\"", "tables.item_bias.init", "glorot_uniform, zeros, normal, truncated_normal", ""},
      {"metrics = [\"auc\"]", "metrics = [\"auc\"]\nselect = \"best\"", "eval.select", "valid, test", ""},
      {"metrics = [\"auc\"]", "metrics = [\"auc\"]\nranking = \"al\"", "eval.ranking", "sampled, all",
       "(did you mean `all`?)"},
      {"epochs = 10", "epochs = 10\nmultitask = \"together\"", "train.multitask", "interleave, mixed", ""},
      {"count = 12 }", "count = 12, combine = \"sum\" }", "groups.item.time.combine", "concat, add", ""},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.path) {
      const auto text = edit(kBase, c.from, c.to);
      const auto needle = c.to.substr(c.to.find_last_of('\n') == std::string::npos ? 0 : c.to.find_last_of('\n') + 1);
      expect_error(text, needle, {c.path + ": unknown value", "expected one of: " + c.choices, c.hint});
    }
  }
}

// ---- references ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(group_naming_an_undefined_table) {
  const auto text = edit(kBase, "{ table = \"category\"", "{ table = \"categroy\"");
  expect_error(text, "categroy",
               {"groups.item.features[1].table: undefined table `categroy` (did you mean `category`?)",
                "defined tables: item, category, item_bias"});
}

BOOST_AUTO_TEST_CASE(behavior_table_undefined_or_not_indexing_behaviors) {
  auto text = edit(kBase, "[groups.item]", "[groups.item]\nbehavior_table = \"behaviour\"");
  expect_error(text, "behaviour", {"groups.item.behavior_table: undefined table `behaviour`"});
  text = edit(kBase, "[groups.item]", "[groups.item]\nbehavior_table = \"category\"");
  expect_error(text, "behavior_table", {"groups.item.behavior_table: table `category` indexes `category` ids",
                                        "must index `behavior`"});
}

BOOST_AUTO_TEST_CASE(feature_through_an_undeclared_attribute) {
  const auto text = edit(kBase, "through = \"category\"", "through = \"categry\"");
  expect_error(text, "categry",
               {"groups.item.features[1].through: no attribute `categry` is declared for `item` objects",
                "(did you mean `category`?)", "declared: category"});
  // Without declared attributes (csv), `through` is not checked against them.
  const auto undeclared = edit(kBase, "[[data.attributes]]\nname = \"category\"\nobject_space = \"item\"\n", "");
  BOOST_CHECK_NO_THROW(parse_spec(undeclared, "test.toml"));
}

BOOST_AUTO_TEST_CASE(feature_table_indexing_another_id_space) {
  const auto text = edit(kBase, "features = [\"item\",", "features = [\"category\",");
  expect_error(text, "features = [\"category\"",
               {"groups.item.features[0].table: table `category` indexes `category` ids",
                "looks up the group's `item` ids", "through = \"category\""});
}

BOOST_AUTO_TEST_CASE(task_naming_an_undefined_group) {
  const auto text = edit(kBase, "bias_table = \"item_bias\"", "bias_table = \"item_bias\"\ntarget = \"itme\"");
  expect_error(text, "target = \"itme\"",
               {"tasks.item.target: undefined group `itme` (did you mean `item`?)", "defined groups: item"});
}

BOOST_AUTO_TEST_CASE(task_naming_an_undefined_table) {
  const auto text = edit(kBase, "bias_table = \"item_bias\"", "bias_table = \"item_bais\"");
  expect_error(text, "item_bais",
               {"tasks.item.bias_table: undefined table `item_bais` (did you mean `item_bias`?)"});
}

BOOST_AUTO_TEST_CASE(bias_table_must_be_one_wide) {
  const auto text = edit(kBase, "width = 1\n", "width = 2\n");
  expect_error(text, "bias_table = ",
               {"tasks.item.bias_table: bias table `item_bias` is 2 wide",
                "tables.item_bias.width at " + at_line(text, "width = 2")});
}

BOOST_AUTO_TEST_CASE(shared_time_table_with_two_widths_names_both_groups) {
  auto text = edit(kBase, "time = { encoding = \"one_hot\", edges = \"log2\", count = 12 }",
                   "behaviors = [\"view\"]\n"
                   "time = { encoding = \"embedding\", width = 16, table = \"shared_time\" }\n"
                   "\n[groups.buy]\n"
                   "behaviors = [\"buy\"]\n"
                   "features = [\"item\", { table = \"category\", through = \"category\" }]\n"
                   "time = { encoding = \"embedding\", width = 32, table = \"shared_time\" }");
  expect_error(text, "width = 32",
               {"groups.buy.time.width: time table `shared_time` is shared with group `item`",
                "32 wide here and 16 wide there", "groups.item.time.width at " + at_line(text, "width = 16")});
}

BOOST_AUTO_TEST_CASE(task_target_width_must_equal_user_vector_width) {
  const auto text = edit(kBase, "[tables.category]\nwidth = 64", "[tables.category]\nwidth = 32");
  expect_error(text, "[tasks.item]",
               {"tasks.item.target: the target vector is 96 wide (features of group `item`: item 64 + category 32)",
                "the user vector is 128 wide (encoder.hidden at " + at_line(text, "hidden = 128")});
}

BOOST_AUTO_TEST_CASE(group_width_must_equal_hidden_width) {
  const auto text = edit(kBase, "count = 12 }", "count = 12 }\nprojection = { width = 64 }");
  expect_error(text, "projection = ",
               {"groups.item.projection.width: group `item` gives 64-wide vectors",
                "hidden width 128 (encoder.hidden at " + at_line(text, "hidden = 128")});
}

BOOST_AUTO_TEST_CASE(recurrent_groups_must_share_one_width) {
  auto text = edit(kBase, "count = 12 }",
                   "count = 12 }\nbehaviors = [\"view\"]\n\n[groups.buy]\nbehaviors = [\"buy\"]\nfeatures = [\"item\"]\n"
                   "projection = { width = 64 }");
  text = edit(text, "heads = 8", "heads = 8\nkind = \"bilstm\"");
  expect_error(text, "projection = { width = 64 }",
               {"groups.buy.projection.width: group `buy` gives 64-wide vectors but group `item` gives 128"});
}

BOOST_AUTO_TEST_CASE(heads_must_divide_hidden) {
  const auto text = edit(kBase, "heads = 8", "heads = 3");
  expect_error(text, "heads = 3",
               {"encoder.heads: 3 heads do not divide the hidden width 128",
                "encoder.hidden at " + at_line(text, "hidden = 128")});
}

BOOST_AUTO_TEST_CASE(bucket_edges_must_not_be_empty) {
  const auto text = edit(kBase, "edges = \"log2\", count = 12", "edges = []");
  expect_error(text, "edges = []", {"groups.item.time.edges: expected at least one bucket edge"});
}

BOOST_AUTO_TEST_CASE(bucket_edges_must_increase) {
  const auto text = edit(kBase, "edges = \"log2\", count = 12", "edges = [1, 7, 3]");
  expect_error(text, "edges = [1, 7, 3]",
               {"groups.item.time.edges: bucket edges must increase: edges[2] = 3 is not above edges[1] = 7"});
}

BOOST_AUTO_TEST_CASE(bucket_edges_must_be_positive) {
  const auto text = edit(kBase, "edges = \"log2\", count = 12", "edges = [0, 7]");
  expect_error(text, "edges = [0, 7]", {"groups.item.time.edges: bucket edges must be positive, got edges[0] = 0"});
}

BOOST_AUTO_TEST_CASE(log2_edge_count_must_be_positive) {
  const auto text = edit(kBase, "count = 12", "count = 0");
  expect_error(text, "count = 0", {"groups.item.time.count: expected a positive number of log2 edges"});
}

BOOST_AUTO_TEST_CASE(edges_are_log2_or_an_array) {
  const auto text = edit(kBase, "edges = \"log2\"", "edges = \"log3\"");
  expect_error(text, "log3", {"groups.item.time.edges: expected \"log2\" or an array of integers",
                              "(did you mean `log2`?)"});
}

BOOST_AUTO_TEST_CASE(explicit_edges_contradicting_count) {
  const auto text = edit(kBase, "edges = \"log2\", count = 12", "edges = [1, 7, 30], count = 12");
  expect_error(text, "edges = [1, 7, 30]", {"groups.item.time.count: count = 12 but 3 edges are given"});
}

BOOST_AUTO_TEST_CASE(time_width_belongs_to_embedding_encoding) {
  auto text = edit(kBase, "encoding = \"one_hot\"", "encoding = \"embedding\"");
  expect_error(text, "embedding", {"groups.item.time.width: expected a positive integer, got 0"});
  text = edit(kBase, "count = 12 }", "count = 12, width = 8 }");
  expect_error(text, "width = 8", {"groups.item.time.width: width = 8 applies to encoding = \"embedding\" only"});
}

BOOST_AUTO_TEST_CASE(added_time_embedding_is_as_wide_as_the_features) {
  // item 64 + category 64: an embedding added to them is 128 wide.
  auto text = edit(kBase, "encoding = \"one_hot\", edges = \"log2\", count = 12",
                   "encoding = \"embedding\", width = 8, combine = \"add\"");
  expect_error(text, "width = 8", {"groups.item.time.width: an added time embedding (combine = \"add\") must be as "
                                   "wide as the group's features and behavior type together (128), got 8"});
  text = edit(kBase, "encoding = \"one_hot\", edges = \"log2\", count = 12",
              "encoding = \"embedding\", width = 128, combine = \"add\"");
  BOOST_TEST(parse_plan(text, "test.toml").groups[0].input_width == 128);  // nothing concatenated
}

BOOST_AUTO_TEST_CASE(time_table_must_not_clash_with_a_declared_table) {
  const auto text = edit(kBase, "encoding = \"one_hot\", edges = \"log2\", count = 12",
                         "encoding = \"embedding\", width = 8, table = \"category\"");
  expect_error(text, "table = \"category\" }",
               {"groups.item.time.table: time table `category` clashes with the table declared at " +
                at_line(text, "[tables.category]")});
}

BOOST_AUTO_TEST_CASE(non_positive_sizes) {
  struct Case {
    std::string from, to, needle, path;
  };
  const std::vector<Case> cases = {
      {"[tables.item]\nwidth = 64", "[tables.item]\nwidth = 0", "width = 0", "tables.item.width"},
      {"batch_size = 32", "batch_size = 0", "batch_size = 0", "train.batch_size"},
      {"epochs = 10", "epochs = -1", "epochs = -1", "train.epochs"},
      {"heads = 8", "heads = 0", "heads = 0", "encoder.heads"},
      {"hidden = 128", "hidden = -128", "hidden = -128", "encoder.hidden"},
      {"heads = 8", "heads = 8\nblocks = 0", "blocks = 0", "encoder.blocks"},
      {"heads = 8", "heads = 8\nffn = 0", "ffn = 0", "encoder.ffn"},
      {"heads = 8", "heads = 8\nlstm_units = 0", "lstm_units = 0", "encoder.lstm_units"},
      {"[tables.item]", "[vocab]\nitem = 0\n\n[tables.item]", "item = 0", "vocab.item"},
      {"count = 12 }", "count = 12 }\nprojection = { width = -5 }", "width = -5", "groups.item.projection.width"},
      {"metrics = [\"auc\"]", "metrics = [\"auc\"]\nnegatives = 0", "negatives = 0", "eval.negatives"},
      {"epochs = 10", "epochs = 10\nthreads = 0", "threads = 0", "train.threads"},
      {"path = \"events.csv\"", "path = \"events.csv\"\ntime_unit_seconds = 0", "time_unit_seconds = 0",
       "data.time_unit_seconds"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.path) {
      const auto text = edit(kBase, c.from, c.to);
      expect_error(text, c.needle, {c.path + ": expected a positive"});
    }
  }
}

BOOST_AUTO_TEST_CASE(negative_amounts) {
  auto text = edit(kBase, "bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nl2 = -1e-5");
  expect_error(text, "l2 = ", {"tasks.item.l2: expected a non-negative number"});
  text = edit(kBase, "epochs = 10", "epochs = 10\nclip_norm = -5");
  expect_error(text, "clip_norm", {"train.clip_norm: expected a non-negative number"});
  text = edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\nhistory_cap = -1");
  expect_error(text, "history_cap", {"data.history_cap: expected a non-negative integer"});
  text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"auc\"]\nrank_users = -1");
  expect_error(text, "rank_users", {"eval.rank_users: expected a non-negative integer"});
  text = edit(kBase, "learning_rate = 1.0", "learning_rate = 0.0");
  expect_error(text, "learning_rate = 0.0", {"train.learning_rate: expected a positive number"});
}

BOOST_AUTO_TEST_CASE(dropout_must_be_a_probability) {
  const auto text = edit(kBase, "heads = 8", "heads = 8\ndropout = 1.5");
  expect_error(text, "dropout", {"encoder.dropout: expected a number in [0, 1), got 1.5"});
}

BOOST_AUTO_TEST_CASE(schedule_steps_must_increase) {
  const auto text = edit(kBase, "schedule = [{ step = 100, learning_rate = 0.1 }]",
                         "schedule = [{ step = 100, learning_rate = 0.1 },\n            { step = 50, learning_rate = 0.01 }]");
  expect_error(text, "step = 50",
               {"train.schedule[1].step: schedule steps must increase: step 50 does not come after step 100",
                "train.schedule[0].step at " + at_line(text, "step = 100")});
}

BOOST_AUTO_TEST_CASE(behavior_in_two_groups) {
  const auto text = edit(kBase, "count = 12 }",
                         "count = 12 }\nbehaviors = [\"view\", \"buy\"]\n\n[groups.buy]\nbehaviors = [\"buy\"]\n"
                         "features = [\"item\", { table = \"category\", through = \"category\" }]");
  expect_error(text, "behaviors = [\"buy\"]",
               {"groups.buy.behaviors[0]: behavior \"buy\" already belongs to groups.item.behaviors[1] at " +
                at_line(text, "behaviors = [\"view\"")});
}

BOOST_AUTO_TEST_CASE(group_object_must_be_a_data_object_space) {
  const auto text = edit(kBase, "[groups.item]", "[groups.item]\nobject = \"itme\"");
  expect_error(text, "object = \"itme\"",
               {"groups.item.object: unknown object space `itme` (did you mean `item`?); the data has: item"});
}

BOOST_AUTO_TEST_CASE(attend_naming_an_undefined_group) {
  const auto text = edit(kBase, "heads = 8", "heads = 8\nattend = [\"itme\"]");
  expect_error(text, "attend", {"encoder.attend[0]: undefined group `itme` (did you mean `item`?)"});
}

BOOST_AUTO_TEST_CASE(bpr_needs_a_user_table_indexing_users) {
  auto text = edit(kBase, "heads = 8", "heads = 8\nkind = \"bpr\"");
  expect_error(text, "[encoder]", {"encoder.user_table: encoder \"bpr\" needs a user embedding table"});
  text = edit(kBase, "heads = 8", "heads = 8\nkind = \"bpr\"\nuser_table = \"item\"");
  expect_error(text, "user_table", {"encoder.user_table: table `item` indexes `item` ids", "must index `user`"});
}

BOOST_AUTO_TEST_CASE(project_target_needs_a_projection) {
  auto text = edit(kBase, "encoding = \"one_hot\", edges = \"log2\", count = 12 }",
                   "encoding = \"none\" }\nprojection = { enabled = false }");
  text = edit(text, "bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nproject_target = true");
  expect_error(text, "project_target",
               {"tasks.item.project_target: the target group `item` has no projection",
                "groups.item.projection.enabled at " + at_line(text, "enabled = false")});
}

BOOST_AUTO_TEST_CASE(bilstm_att_target_width_must_equal_lstm_units) {
  const auto text = edit(kBase, "heads = 8", "heads = 8\nkind = \"bilstm_att\"\nlstm_units = 64");
  expect_error(text, "[tasks.item]",
               {"tasks.item.target: the target vector is 128 wide", "64-unit LSTM states (encoder.lstm_units at " +
                                                                         at_line(text, "lstm_units = 64")});
}

BOOST_AUTO_TEST_CASE(cnn_widths_must_fit_the_padded_length) {
  const auto text = edit(kBase, "heads = 8", "heads = 8\nkind = \"cnn\"\ncnn_max_length = 5");
  expect_error(text, "[encoder]", {"encoder.cnn_widths[5]: convolution width 6 exceeds the padded length"});
}

BOOST_AUTO_TEST_CASE(per_task_learning_rate_needs_interleaved_batches) {
  auto text = edit(kBase, "bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nlearning_rate = 0.1");
  text = edit(text, "epochs = 10", "epochs = 10\nmultitask = \"mixed\"");
  expect_error(text, "learning_rate = 0.1\n",
               {"tasks.item.learning_rate: a per-task learning rate needs train.multitask = \"interleave\"",
                "train.multitask at " + at_line(text, "multitask")});
}

BOOST_AUTO_TEST_CASE(selecting_on_valid_needs_a_validation_split) {
  const auto text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"auc\"]\nselect = \"valid\"");
  expect_error(text, "select", {"eval.select: selecting on \"valid\" needs a validation split: data.split = \"valid\""});
}

BOOST_AUTO_TEST_CASE(unknown_or_repeated_metric) {
  auto text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"auc\", \"hr@0\"]");
  expect_error(text, "metrics", {"eval.metrics[1]: unknown metric \"hr@0\"",
                                 "expected one of: auc, gauc, roc_auc, logloss, mrr, hr@K, ndcg@K, recall@K"});
  text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"acu\"]");
  expect_error(text, "metrics", {"eval.metrics[0]: unknown metric \"acu\" (did you mean `auc`?)"});
  text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"auc\", \"ndcg@10\", \"auc\"]");
  expect_error(text, "metrics", {"eval.metrics[2]: metric \"auc\" listed twice"});
  BOOST_CHECK_NO_THROW(parse_spec(edit(kBase, "metrics = [\"auc\"]", "metrics = [\"hr@10\", \"ndcg@5\"]"), "t.toml"));
}

BOOST_AUTO_TEST_CASE(spec_needs_groups_and_tasks) {
  auto text = edit(kBase, "[groups.item]\nfeatures = [\"item\", { table = \"category\", through = \"category\" }]\n"
                          "time = { encoding = \"one_hot\", edges = \"log2\", count = 12 }\n", "");
  check_has(error_of(text), {"test.toml: groups: no behavior groups"});
  text = edit(kBase, "[tasks.item]\nbias_table = \"item_bias\"\n", "");
  check_has(error_of(text), {"test.toml: tasks: no tasks"});
}

BOOST_AUTO_TEST_CASE(group_needs_features) {
  const auto text = edit(kBase, "features = [\"item\", { table = \"category\", through = \"category\" }]",
                         "features = []");
  expect_error(text, "features = []", {"groups.item.features: expected at least one feature"});
}

BOOST_AUTO_TEST_CASE(vocab_names_a_known_id_space) {
  const auto text = edit(kBase, "[tables.item]", "[vocab]\ncategroy = 801\n\n[tables.item]");
  expect_error(text, "categroy", {"vocab.categroy: unknown id space `categroy` (did you mean `category`?)",
                                  "the spec's id spaces: user, behavior, item, category"});
  check_has(error_of(kBase, {"vocab.itme=5"}), {"--set vocab.itme=5: unknown id space `itme` (did you mean `item`?)"});
  BOOST_CHECK_NO_THROW(parse_spec(kBase, "t.toml", {"vocab.user=3", "vocab.behavior=2", "vocab.item=9"}));
}

// ---- data ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(data_needs_a_path_and_an_amazon_category) {
  auto text = edit(kBase, "path = \"events.csv\"", "path = \"\"");
  expect_error(text, "path = \"\"", {"data.path: expected the data location"});
  text = edit(kBase, "source = \"csv\"", "source = \"amazon\"");
  expect_error(text, "[data]", {"data.amazon_category: source \"amazon\" needs the category"});
}

BOOST_AUTO_TEST_CASE(csv_columns_must_name_the_used_columns) {
  auto text = edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\nheader = false");
  expect_error(text, "[data]", {"data.columns: a csv without header (data.header = false) needs the column names"});
  text = edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\ncolumns = [\"user\", \"item\", \"time\"]");
  expect_error(text, "[data]", {"data.time_column: column `timestamp` is not among data.columns",
                                "columns: user, item, time"});
}

BOOST_AUTO_TEST_CASE(delimiter_is_one_character) {
  const auto text = edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\ndelimiter = \";;\"");
  expect_error(text, "delimiter", {"data.delimiter: expected a single character"});
  BOOST_CHECK_NO_THROW(parse_spec(edit(kBase, "path = \"events.csv\"", "path = \"events.csv\"\ndelimiter = \"\\t\""),
                                  "t.toml"));
}

BOOST_AUTO_TEST_CASE(attribute_declared_twice) {
  const auto text = edit(kBase, "object_space = \"item\"\n",
                         "object_space = \"item\"\n\n[[data.attributes]]\nname = \"category\"\ncolumn = \"cat\"\n");
  expect_error(text, "name = \"category\"\ncolumn = \"cat\"", {"data.attributes[1].name: attribute `category` of `item` declared twice",
                                           "data.attributes[0].name at "});
}

BOOST_AUTO_TEST_CASE(attribute_of_an_unknown_object_space) {
  const auto text = edit(kBase, "object_space = \"item\"\n", "object_space = \"shop\"\n");
  expect_error(text, "object_space = \"shop\"",
               {"data.attributes[0].object_space: unknown object space `shop`", "the data has: item"});
}

BOOST_AUTO_TEST_SUITE_END()
