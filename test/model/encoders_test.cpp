// The encoder table: baseline schemas (parameter counts), BPR scoring, and
// the interpreter's error messages.
#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/gradcheck.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using autodiff::Tape;
using test::group_batch;

namespace {

// The model error message for `spec` (fails the test when the build succeeds).
std::string build_error(const spec::Spec& spec, const data::Vocabulary& vocab) {
  try {
    test::build_model<float>(spec, vocab);
  } catch (const std::exception& e) {
    return e.what();
  }
  BOOST_FAIL("expected the build to fail");
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const std::int64_t kTinyTables = 7 * 4 + 3 * 4 + 7;     // item, category, item_bias
const std::int64_t kTinyProjection = (4 + 4 + 3) * 8 + 8;

}  // namespace

BOOST_AUTO_TEST_SUITE(encoders)

BOOST_AUTO_TEST_CASE(bpr_scores_with_a_user_table_and_ignores_histories) {
  auto spec = test::tiny_spec();
  spec.encoder.kind = "bpr";
  spec.encoder.user_table = "user";
  spec.tables.push_back(test::table("user", "user", 8));
  spec.tasks[0].loss = "bpr";
  auto vocab = test::tiny_vocab();
  vocab.sizes["user"] = 5;
  auto m = test::build_model<double>(spec, vocab);
  BOOST_TEST(m.param_count() == kTinyTables + 5 * 8);  // no projection, no blocks
  BOOST_TEST(m.dense().size() == 0u);
  test::randomize(m, 31);
  data::Batch b;
  b.size = 2;
  b.groups = {group_batch({{1, 2}, {}})};
  b.users = {4, 1};
  b.candidates_per_example = 2;
  b.candidates = {1, 2, 3, 4};
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, b, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(recurrent_and_cnn_baselines_count_parameters) {
  // Forward passes and gradients: baselines_test.cpp.
  auto vocab = test::tiny_vocab();
  auto spec = test::tiny_spec();
  spec.encoder.kind = "bilstm";
  spec.encoder.lstm_units = 8;
  auto lstm = test::build_model<float>(spec, vocab);
  const std::int64_t cell = (8 + 8) * 32 + 32;
  BOOST_TEST(lstm.param_count() == kTinyTables + kTinyProjection + 2 * cell + (16 * 8 + 8));

  spec.encoder.kind = "bilstm_att";
  auto att = test::build_model<float>(spec, vocab);
  BOOST_TEST(att.param_count() == lstm.param_count());

  spec.encoder.kind = "cnn";
  spec.encoder.cnn_widths = {1, 2};
  spec.encoder.cnn_filters = 3;
  auto cnn = test::build_model<float>(spec, vocab);
  BOOST_TEST(cnn.param_count() ==
             kTinyTables + kTinyProjection + (1 * 8 * 3 + 3) + (2 * 8 * 3 + 3) + (6 * 8 + 8));
}

BOOST_AUTO_TEST_CASE(unknown_encoder_lists_the_kinds) {
  auto spec = test::tiny_spec();
  spec.encoder.kind = "transformer";
  const std::string m = build_error(spec, test::tiny_vocab());
  BOOST_TEST(has(m, "transformer"), m);
  BOOST_TEST(has(m, "atrank, bpr, bilstm, bilstm_att, cnn"), m);
}

BOOST_AUTO_TEST_CASE(unknown_vocabulary_size_says_how_to_give_it) {
  const std::string m = build_error(test::tiny_spec(), data::Vocabulary{});
  BOOST_TEST(has(m, "vocabulary size for `item` unknown"), m);
  BOOST_TEST(has(m, "--set vocab.item=N"), m);
}

BOOST_AUTO_TEST_CASE(explicit_vocabulary_overrides_but_not_below_the_data) {
  auto spec = test::tiny_spec();
  spec.vocab["item"] = 10;
  auto m = test::build_model<float>(spec, test::tiny_vocab());
  BOOST_TEST(test::table_named(m, "item").rows == 10);
  spec.vocab["item"] = 5;
  const std::string e = build_error(spec, test::tiny_vocab());
  BOOST_TEST(has(e, "vocab.item = 5 is smaller"), e);
}

// What the spec says is checked by the plan, with the key that is wrong
// (test/spec has a test per rule); the model adds only what depends on the data.
BOOST_AUTO_TEST_CASE(spec_errors_come_from_the_plan_with_the_key) {
  auto spec = test::tiny_spec();
  spec.groups[0].features[1].table = "cat";
  std::string m = build_error(spec, test::tiny_vocab());
  BOOST_TEST(has(m, "groups.item.features[1].table: undefined table `cat`"), m);
  BOOST_TEST(has(m, "defined tables: item, category, brand, item_bias"), m);

  spec = test::tiny_spec();
  spec.tables[1].width = 6;  // target 4 + 6 = 10 wide, hidden 8
  m = build_error(spec, test::tiny_vocab());
  BOOST_TEST(has(m, "tasks.item.target: the target vector is 10 wide (features of group `item`: item 4 + category 6)"), m);

  spec = test::tiny_spec();
  spec.groups[0].features[1].through = "brand";  // brand ids into the category table
  m = build_error(spec, test::tiny_vocab());
  BOOST_TEST(has(m, "groups.item.features[1].table: table `category` indexes `category` ids"), m);

  // Two groups sharing a time table with different widths: both groups named.
  spec = test::multi_spec();
  spec.groups[2].time.table = "item_time";
  spec.groups[2].time.width = 2;
  m = build_error(spec, test::multi_vocab());
  BOOST_TEST(has(m, "groups.coupon.time.width: time table `item_time` is shared with group `item`"), m);
}

BOOST_AUTO_TEST_SUITE_END()
