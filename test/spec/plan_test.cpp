// The plan: what a valid spec means, decided once. Enumerated values as
// enums (each spelling read back), group roles and widths, the tables the
// model creates in creation order with their users, task widths, the batch
// kind, the metrics and the model selection.
#include <boost/test/unit_test.hpp>

#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
using namespace atrank::spec::test;

namespace {

template <class E>
void check_spellings_round_trip() {
  for (const auto& c : choices<E>()) {
    BOOST_TEST((parse_choice<E>(c.name) == c.value));
    BOOST_TEST(std::string(name_of(c.value)) == c.name);
  }
  BOOST_TEST(!parse_choice<E>("no-such-value"));
}

// kBase with a second, target-only group `shop` (a shop task, not attended).
std::string with_target_only_group() {
  auto text = edit(kBase, "[encoder]", R"([tables.shop]
width = 128

[tables.behavior]
width = 8

[groups.shop]
behaviors = ["visit"]
object = "shop"
features = ["shop"]
behavior_table = "behavior"
time = { encoding = "embedding", width = 4 }
projection = { width = 128, activation = "tanh" }

[encoder]
attend = ["item"])");
  text = edit(text, "[data]", "[data]\nbehavior_object_space = { visit = \"shop\" }");
  return text + "\n[tasks.shop]\nproject_target = true\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plan)

BOOST_AUTO_TEST_CASE(every_spelling_reads_back_as_its_enum) {
  check_spellings_round_trip<DataSource>();
  check_spellings_round_trip<TimeFormat>();
  check_spellings_round_trip<SplitScheme>();
  check_spellings_round_trip<SyntheticKind>();
  check_spellings_round_trip<InitKind>();
  check_spellings_round_trip<EdgesKind>();
  check_spellings_round_trip<TimeEncoding>();
  check_spellings_round_trip<TimeCombine>();
  check_spellings_round_trip<Activation>();
  check_spellings_round_trip<EncoderKind>();
  check_spellings_round_trip<Loss>();
  check_spellings_round_trip<OptimizerKind>();
  check_spellings_round_trip<Multitask>();
  check_spellings_round_trip<Selection>();
  check_spellings_round_trip<Ranking>();
  BOOST_TEST(!parse_choice("tanh", qkv_activations()));  // Q/K/V: relu or none only
  BOOST_TEST((delimiter_char("tab") == '\t'));
  BOOST_TEST((delimiter_char("\\t") == '\t'));
  BOOST_TEST((delimiter_char(";") == ';'));
  BOOST_TEST(!delimiter_char(";;"));
}

BOOST_AUTO_TEST_CASE(metric_names_parse_into_kind_and_cutoff) {
  const auto hr = parse_metric("hr@10");
  BOOST_REQUIRE(hr);
  BOOST_TEST((hr->kind == MetricKind::HitRate && hr->k == 10 && hr->ranking()));
  const auto ndcg = parse_metric("ndcg@999999");
  BOOST_REQUIRE(ndcg);
  BOOST_TEST((ndcg->kind == MetricKind::Ndcg && ndcg->k == 999999));
  BOOST_TEST((parse_metric("gauc")->kind == MetricKind::Gauc && !parse_metric("gauc")->ranking()));
  const auto recall = parse_metric("recall@20");
  BOOST_REQUIRE(recall);
  BOOST_TEST((recall->kind == MetricKind::Recall && recall->k == 20 && recall->ranking()));
  BOOST_TEST((parse_metric("mrr")->kind == MetricKind::Mrr && parse_metric("mrr")->ranking() && parse_metric("mrr")->k == 0));
  for (const char* bad : {"hr@", "hr@0", "hr@1234567", "hr@1x", "mrr@10", "recall@", "precision", "AUC"})
    BOOST_TEST(!parse_metric(bad), bad);
}

BOOST_AUTO_TEST_CASE(base_spec_plan) {
  const Plan p = parse_plan(kBase, "test.toml");
  BOOST_TEST((p.encoder.kind == EncoderKind::Atrank && p.encoder.qkv_activation == Activation::Relu));
  BOOST_TEST(p.encoder.uses_history);
  BOOST_TEST((p.encoder.history_width == 128 && p.encoder.query_width == 128));
  BOOST_TEST((p.train.optimizer == OptimizerKind::Sgd && p.train.multitask == Multitask::Interleave));
  BOOST_TEST(!p.train.pairwise);
  BOOST_TEST((p.eval.select == Selection::Test && p.eval.select_metric == "auc" && !p.eval.ranking));

  BOOST_REQUIRE(p.groups.size() == 1u);
  const GroupPlan& g = p.groups[0];
  BOOST_TEST((g.attended && g.targeted && g.projected));
  BOOST_TEST((g.time.encoding == TimeEncoding::OneHot && g.time.combine == TimeCombine::Concat));
  BOOST_TEST(g.time.edges.size() == 12u);
  BOOST_TEST(g.time.edges.back() == 4096);
  BOOST_TEST(g.feature_width == 128);
  BOOST_TEST(g.time.concat_width == 12);
  BOOST_TEST(g.input_width == 140);
  BOOST_TEST(g.width == 128);

  // Tables in creation order: the group's features, then the task's bias table.
  BOOST_REQUIRE(p.tables.size() == 3u);
  BOOST_TEST(p.tables[0].name == "item");
  BOOST_TEST(p.tables[0].users == (std::vector<std::string>{"group `item` feature item id", "task `item` target"}));
  BOOST_TEST(p.tables[1].users ==
             (std::vector<std::string>{"group `item` feature item -> category", "task `item` target"}));
  BOOST_TEST(p.tables[2].name == "item_bias");
  BOOST_TEST((p.tables[2].init == InitKind::Zeros && p.tables[2].rows == 0));
  BOOST_TEST(g.features[1].table == 1);
  BOOST_REQUIRE(p.tasks.size() == 1u);
  BOOST_TEST((p.tasks[0].bias_table == 2 && p.tasks[0].target_width == 128 && p.tasks[0].group == 0));
}

BOOST_AUTO_TEST_CASE(a_target_only_group_gets_no_behavior_or_time_tables) {
  const Plan p = parse_plan(with_target_only_group(), "test.toml");
  BOOST_REQUIRE(p.groups.size() == 2u);
  const GroupPlan& shop = p.groups[1];
  BOOST_TEST((!shop.attended && shop.targeted && shop.projected));
  BOOST_TEST((shop.behavior_table == -1 && shop.behavior_width == 8));
  BOOST_TEST((shop.time.table == -1 && shop.time.table_name == "shop_time" && shop.time.concat_width == 4));
  BOOST_TEST(shop.input_width == 128 + 8 + 4);  // the projection keeps the unused widths
  BOOST_TEST((shop.activation == Activation::Tanh));
  std::vector<std::string> names;
  for (const auto& t : p.tables) names.push_back(t.name);
  BOOST_TEST(names == (std::vector<std::string>{"item", "category", "shop", "item_bias"}));
  BOOST_TEST(p.tasks[1].target_width == 128);

  // Attended, the group gets its behavior table and its time table (one row per bucket).
  const Plan all = parse_plan(with_target_only_group(), "test.toml", {"encoder.attend=[]"});
  BOOST_TEST(all.groups[1].attended);
  names.clear();
  for (const auto& t : all.tables) names.push_back(t.name);
  BOOST_TEST(names == (std::vector<std::string>{"item", "category", "shop", "behavior", "shop_time", "item_bias"}));
  const TablePlan& time = all.tables[std::size_t(all.groups[1].time.table)];
  BOOST_TEST((time.vocab == kTimeBuckets && time.rows == 13 && time.width == 4));
  BOOST_TEST(time.users == (std::vector<std::string>{"group `shop` time"}));
}

BOOST_AUTO_TEST_CASE(bpr_makes_pairwise_batches_and_a_user_table) {
  auto text = edit(kBase, "bias_table = \"item_bias\"", "bias_table = \"item_bias\"\nloss = \"bpr\"");
  text = edit(text, "heads = 8", "heads = 8\nkind = \"bpr\"\nuser_table = \"user\"");
  text = edit(text, "[tables.item]", "[tables.user]\nwidth = 128\n\n[tables.item]");
  const Plan p = parse_plan(text, "test.toml");
  BOOST_TEST(p.train.pairwise);
  BOOST_TEST((p.tasks[0].loss == Loss::Bpr && !p.encoder.uses_history));
  BOOST_TEST((!p.groups[0].attended && !p.groups[0].projected));
  BOOST_TEST(p.tables[std::size_t(p.encoder.user_table)].users ==
             (std::vector<std::string>{"encoder bpr (user vectors)"}));
  BOOST_TEST(p.encoder.history_width == 0);
}

BOOST_AUTO_TEST_CASE(selection_and_ranking_metrics) {
  auto text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"hr@10\", \"gauc\"]");
  Plan p = parse_plan(text, "test.toml");
  BOOST_TEST((p.eval.select_metric == "hr@10" && p.eval.ranking));
  BOOST_REQUIRE(p.eval.metrics.size() == 2u);
  BOOST_TEST((p.eval.metrics[0].kind == MetricKind::HitRate && p.eval.metrics[0].k == 10));
  text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"logloss\", \"auc\"]\nselect = \"valid\"");
  p = parse_plan(text, "test.toml", {"data.split=valid"});
  BOOST_TEST((p.eval.select_metric == "auc" && p.eval.select == Selection::Valid && !p.eval.ranking));
}

// Sampled negatives are built only for ranking metrics over sampled candidates:
// ranking among all objects needs the authors' one negative alone.
BOOST_AUTO_TEST_CASE(full_ranking_needs_no_sampled_negatives) {
  auto text = edit(kBase, "metrics = [\"auc\"]", "metrics = [\"auc\", \"ndcg@10\", \"mrr\"]\nrank_users = 50");
  Plan p = parse_plan(text, "test.toml");
  BOOST_TEST((p.eval.ranking && p.eval.ranking_scope == Ranking::Sampled && p.eval.rank_users == 50));
  BOOST_TEST(samples_ranking_negatives(p.spec.eval));
  p = parse_plan(text, "test.toml", {"eval.ranking=all"});
  BOOST_TEST((p.eval.ranking && p.eval.ranking_scope == Ranking::All));
  BOOST_TEST(!samples_ranking_negatives(p.spec.eval));
  p = parse_plan(kBase, "test.toml");
  BOOST_TEST(!samples_ranking_negatives(p.spec.eval));
}

BOOST_AUTO_TEST_SUITE_END()
