// The specs shipped in specs/ load and validate, say what the reference says,
// and specs/README.md documents every key of the language.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "atrank/spec/schema.hpp"
#include "test/spec/spec_test_util.hpp"

using namespace atrank::spec;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = ATRANK_SOURCE_DIR;

Spec load(const std::string& relative, std::vector<std::string> overrides = {}) {
  try {
    return load_spec((kSource / relative).string(), overrides);
  } catch (const SpecError& e) {
    BOOST_FAIL(relative << ": " << e.what());
  }
  return {};
}

std::vector<std::int64_t> log2_edges(int n) {
  std::vector<std::int64_t> e;
  for (int i = 1; i <= n; ++i) e.push_back(std::int64_t{1} << i);
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shipped)

BOOST_AUTO_TEST_CASE(every_shipped_spec_loads_and_round_trips) {
  int count = 0;
  for (const auto& dir : {kSource / "specs", kSource / "specs" / "paper"}) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() != ".toml") continue;
      ++count;
      const std::string rel = fs::relative(entry.path(), kSource).string();
      BOOST_TEST_CONTEXT(rel) {
        const Spec s = load(rel, {"vocab.user=100", "vocab.item=1000", "vocab.category=10"});
        BOOST_TEST(!s.name.empty());
        const Spec back = parse_spec(to_toml(s), "resolved.toml");
        BOOST_CHECK(back == s);
      }
    }
  }
  BOOST_TEST(count >= 9);
}

BOOST_AUTO_TEST_CASE(paper_specs_load_with_vocab_overrides_only) {
  for (const std::string name : {"atrank", "bpr", "bilstm", "bilstm_att", "cnn"}) {
    BOOST_TEST_CONTEXT(name) {
      const Spec s = load("specs/paper/" + name + ".toml", {"vocab.item=63001", "vocab.category=801"});
      BOOST_TEST(s.encoder.kind == name);
      BOOST_TEST(s.data.source == "amazon");
      BOOST_TEST(s.vocab.at("item") == 63001);
    }
  }
}

BOOST_AUTO_TEST_CASE(amazon_spec_is_the_authors_model) {
  const Spec s = load("specs/amazon.toml");
  BOOST_TEST(s.data.source == "amazon");
  BOOST_TEST(s.data.amazon_category == "Electronics");
  BOOST_TEST(s.data.path == "datasets/amazon/files");
  BOOST_TEST(s.table("item")->width == 64);
  BOOST_TEST(s.table("category")->width == 64);
  BOOST_TEST(s.table("item_bias")->width == 1);
  BOOST_TEST(s.table("item_bias")->init == "zeros");
  BOOST_REQUIRE(s.groups.size() == 1u);
  const GroupSpec& g = s.groups[0];
  BOOST_REQUIRE(g.features.size() == 2u);
  BOOST_TEST(g.features[1].through == "category");
  BOOST_TEST(g.time.encoding == "one_hot");
  BOOST_TEST(g.time.combine == "concat");
  BOOST_TEST(g.time.edges == log2_edges(12));
  BOOST_TEST(g.time.unit_seconds == 86400);
  BOOST_TEST(g.projection.width == 128);
  BOOST_TEST(g.projection.activation == "none");
  BOOST_TEST(s.encoder.kind == "atrank");
  BOOST_TEST(s.encoder.hidden == 128);
  BOOST_TEST(s.encoder.heads == 8);
  BOOST_TEST(s.encoder.blocks == 1);
  BOOST_TEST(s.encoder.ffn == 32);
  BOOST_TEST(s.encoder.dropout == 0.0);
  BOOST_TEST(s.encoder.qkv_activation == "relu");
  BOOST_TEST(s.encoder.layer_norm_eps == 1e-8);
  BOOST_REQUIRE(s.tasks.size() == 1u);
  BOOST_TEST(s.tasks[0].bias_table == "item_bias");
  BOOST_TEST(s.tasks[0].loss == "sigmoid_ce");
  BOOST_TEST(s.tasks[0].l2 == 5e-5);
  BOOST_TEST(!s.tasks[0].project_target);
  BOOST_TEST(s.train.optimizer == "sgd");
  BOOST_TEST(s.train.learning_rate == 1.0);
  BOOST_REQUIRE(s.train.schedule.size() == 1u);
  BOOST_TEST(s.train.schedule[0].step == 336000);
  BOOST_TEST(s.train.schedule[0].learning_rate == 0.1);
  BOOST_TEST(s.train.clip_norm == 5.0);
  BOOST_TEST(s.train.batch_size == 32);
  BOOST_TEST(s.train.epochs == 10);
  BOOST_TEST(s.train.eval_every == 1000);
  // The paper's ATRank spec is the same model.
  Spec paper = load("specs/paper/atrank.toml");
  paper.name = s.name;
  BOOST_CHECK(paper == s);
}

BOOST_AUTO_TEST_CASE(multi_behavior_spec_shares_shop_and_category) {
  const Spec s = load("specs/multi-behavior.toml");
  BOOST_REQUIRE(s.groups.size() == 3u);
  BOOST_TEST(s.groups[0].name == "item");
  BOOST_TEST(s.groups[1].name == "query");
  BOOST_TEST(s.groups[2].name == "coupon");
  auto uses = [&](const std::string& group, const std::string& table) {
    for (const auto& f : s.group(group)->features)
      if (f.table == table) return true;
    return false;
  };
  for (const std::string t : {"shop", "category"}) {
    BOOST_TEST(uses("item", t));
    BOOST_TEST(uses("coupon", t));
    BOOST_TEST(!uses("query", t));
  }
  BOOST_TEST(uses("item", "brand"));
  BOOST_TEST(s.group("item")->behavior_table == "behavior");
  std::set<std::string> time_tables;
  for (const auto& g : s.groups) {
    time_tables.insert(g.time.table);
    BOOST_TEST(g.projection.width == 256);
  }
  BOOST_TEST(time_tables.size() == 3u);  // per-group time encodings
  BOOST_TEST(s.encoder.hidden == 256);
  BOOST_TEST(s.encoder.heads == 4);
  BOOST_TEST(s.encoder.dropout == 0.1);
  BOOST_REQUIRE(s.tasks.size() == 3u);
  BOOST_TEST(s.task("item")->learning_rate.value() == 0.1);
  BOOST_TEST(s.task("query")->learning_rate.value() == 0.04);
  BOOST_TEST(s.task("coupon")->learning_rate.value() == 0.08);
  for (const auto& t : s.tasks) {
    BOOST_TEST(t.project_target);
    BOOST_TEST(t.l2 == 1e-5);
  }
  BOOST_TEST(s.train.multitask == "interleave");
}

BOOST_AUTO_TEST_CASE(baseline_specs_have_the_reference_structure) {
  const Spec bpr = load("specs/paper/bpr.toml");
  BOOST_TEST(bpr.table(bpr.encoder.user_table)->width == 128);
  BOOST_TEST(bpr.table(bpr.encoder.user_table)->vocab == "user");
  BOOST_TEST(bpr.tasks[0].loss == "bpr");
  const Spec lstm = load("specs/paper/bilstm.toml");
  BOOST_TEST(lstm.encoder.lstm_units == 128);
  BOOST_TEST(lstm.groups[0].time.encoding == "none");
  BOOST_TEST(!lstm.groups[0].projection.enabled);
  const Spec att = load("specs/paper/bilstm_att.toml");
  BOOST_TEST(att.encoder.kind == "bilstm_att");
  BOOST_TEST(att.groups[0].time.encoding == "none");
  const Spec cnn = load("specs/paper/cnn.toml");
  BOOST_TEST(cnn.encoder.cnn_widths == (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  BOOST_TEST(cnn.encoder.cnn_filters == 32);
  BOOST_TEST(cnn.encoder.cnn_max_length == 500);
  BOOST_TEST(cnn.encoder.cnn_init == "truncated_normal");  // the authors' tf.truncated_normal(stddev=0.1)
  BOOST_TEST(cnn.groups[0].time.encoding == "one_hot");
}

BOOST_AUTO_TEST_CASE(quickstart_and_movielens_specs) {
  const Spec q = load("specs/quickstart.toml");
  BOOST_TEST(q.data.source == "csv");
  BOOST_TEST(q.data.path == "datasets/synthetic/quickstart");
  BOOST_TEST(q.train.eval_every == 0);
  const Spec m = load("specs/movielens.toml");
  BOOST_TEST(m.data.source == "movielens");
  BOOST_TEST(m.data.history_cap == 50);
  BOOST_TEST(m.train.batch_size == 32);
  BOOST_TEST(m.train.learning_rate == 1.0);
  BOOST_TEST(m.train.clip_norm == 5.0);
  BOOST_TEST(m.train.epochs == 10);
}

BOOST_AUTO_TEST_CASE(readme_documents_every_key) {
  std::ifstream in(kSource / "specs" / "README.md");
  BOOST_REQUIRE(in);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string readme = buf.str();
  for (std::string key : all_key_paths()) {
    for (std::size_t p; (p = key.find('*')) != std::string::npos;) key.replace(p, 1, "<name>");
    BOOST_CHECK_MESSAGE(readme.find("`" + key + "`") != std::string::npos, "specs/README.md lacks `" << key << "`");
  }
}

BOOST_AUTO_TEST_SUITE_END()
