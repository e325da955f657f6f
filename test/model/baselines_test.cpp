// The paper's baseline encoders (bilstm, bilstm_att, cnn) through the whole
// model: gradient checks in double on tiny batches (with a length-1 history),
// and scores that do not depend on how much padding the batch adds.
#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/gradcheck.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using autodiff::Tape;
using test::baseline_spec;
using test::group_batch;
namespace tt = boost::test_tools;

namespace {

// As the authors' Bi-LSTMs: item + category unprojected (8 wide), no time.
spec::Spec unprojected(spec::Spec spec) {
  spec.groups[0].time.encoding = "none";
  spec.groups[0].projection.enabled = false;
  return spec;
}

data::Batch pointwise(const std::vector<std::vector<std::int32_t>>& hist,
                      const std::vector<std::int32_t>& targets, std::int32_t buckets = 4) {
  data::Batch b;
  b.size = std::int64_t(hist.size());
  b.groups = {group_batch(hist, 0, buckets)};
  b.targets = targets;
  for (std::size_t i = 0; i < targets.size(); ++i) b.labels.push_back(float(i % 2));
  return b;
}

void check_model_gradients(const spec::Spec& spec, const data::Batch& b, unsigned seed) {
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  test::randomize(m, seed);
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, b, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
}

// The score of example 0 alone equals its score beside a longer history.
void check_padding_invariance(const spec::Spec& spec, unsigned seed) {
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  test::randomize(m, seed);
  Tape<double> t;
  const auto alone = m.scores(t, pointwise({{3}, }, {5}));
  const auto padded = m.scores(t, pointwise({{3}, {1, 2, 4, 6, 5, 0}}, {5, 2}));
  const auto mid = m.scores(t, pointwise({{2, 3, 6}}, {5}));
  const auto mid_padded = m.scores(t, pointwise({{2, 3, 6}, {1, 2, 4, 6, 5, 0, 1}}, {5, 2}));
  BOOST_TEST(alone(0, 0) == padded(0, 0), tt::tolerance(1e-12));
  BOOST_TEST(mid(0, 0) == mid_padded(0, 0), tt::tolerance(1e-12));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(baselines)

BOOST_AUTO_TEST_CASE(bilstm_gradients_with_length_1_history) {
  check_model_gradients(baseline_spec("bilstm"), pointwise({{1, 2, 3}, {4}, {5, 6}}, {3, 4, 1}), 41);
}

BOOST_AUTO_TEST_CASE(bilstm_gradients_unprojected_history_as_the_authors) {
  check_model_gradients(unprojected(baseline_spec("bilstm")), pointwise({{1, 2}, {4}}, {3, 6}), 42);
}

BOOST_AUTO_TEST_CASE(bilstm_att_gradients_with_length_1_history) {
  check_model_gradients(baseline_spec("bilstm_att"), pointwise({{1, 2, 3}, {4}, {5, 6}}, {3, 4, 1}), 43);
}

BOOST_AUTO_TEST_CASE(bilstm_att_gradients_over_several_candidates) {
  // Pairwise loss: each of the 3 candidates attends over the outputs on its own.
  auto spec = unprojected(baseline_spec("bilstm_att"));
  spec.tasks[0].loss = "bpr";
  data::Batch b;
  b.size = 2;
  b.groups = {group_batch({{1, 2, 5}, {4}})};
  b.candidates_per_example = 3;
  b.candidates = {1, 2, 3, 4, 5, 6};
  check_model_gradients(spec, b, 44);
}

BOOST_AUTO_TEST_CASE(cnn_gradients_with_length_1_history) {
  check_model_gradients(baseline_spec("cnn"), pointwise({{1, 2, 3, 4}, {4}, {5, 6}}, {3, 4, 1}), 45);
}

BOOST_AUTO_TEST_CASE(cnn_gradients_when_histories_are_truncated_to_max_length) {
  // max length 3 < T = 5: the 3 most recent positions are kept; width 3 has
  // no all-padding window left for the full rows.
  auto spec = baseline_spec("cnn");
  spec.encoder.cnn_max_length = 3;
  check_model_gradients(spec, pointwise({{1, 2, 3, 4, 5}, {4}, {5, 6, 1, 2}}, {3, 4, 1}), 46);
}

BOOST_AUTO_TEST_CASE(cnn_truncation_keeps_the_most_recent_positions) {
  auto spec = baseline_spec("cnn");
  spec.encoder.cnn_max_length = 3;
  auto m = test::build_model<double>(spec, test::tiny_vocab());
  test::randomize(m, 47);
  Tape<double> t;
  // One time bucket everywhere: rows whose 3 most recent items agree score alike.
  const auto a = m.scores(t, pointwise({{6, 6}, {1, 2, 3, 4, 5}}, {2, 3}, 1));
  const auto b = m.scores(t, pointwise({{6, 6}, {6, 3, 4, 5}}, {2, 3}, 1));
  const auto c = m.scores(t, pointwise({{6, 6}, {3, 4, 5}}, {2, 3}, 1));
  const auto d = m.scores(t, pointwise({{6, 6}, {2, 4, 5}}, {2, 3}, 1));
  BOOST_TEST(a(1, 0) == b(1, 0), tt::tolerance(1e-12));
  BOOST_TEST(a(1, 0) == c(1, 0), tt::tolerance(1e-12));
  BOOST_TEST(a(1, 0) != d(1, 0));
}

BOOST_AUTO_TEST_CASE(cnn_kernels_start_as_the_authors_truncated_normal) {
  // 200 filters of widths 1..3 over 8 inputs: 9,600 kernel values. A plain
  // normal(0.1) puts ~4.6% of them beyond 0.2; the truncated normal none.
  auto spec = baseline_spec("cnn");
  spec.encoder.cnn_filters = 200;
  auto beyond_two_sigma = [&](const std::string& init) {
    spec.encoder.cnn_init = init;
    auto m = test::build_model<float>(spec, test::tiny_vocab());
    std::int64_t n = 0, count = 0;
    for (const char* name : {"encoder/conv_1/kernel", "encoder/conv_2/kernel", "encoder/conv_3/kernel"}) {
      const int id = m.dense().find(name);
      BOOST_REQUIRE(id >= 0);
      for (float x : m.dense().tensor(id)) {
        count += std::abs(x) > 0.2f;
        ++n;
      }
    }
    BOOST_TEST(n == 9600);
    return count;
  };
  BOOST_TEST(beyond_two_sigma("truncated_normal") == 0);
  BOOST_TEST(beyond_two_sigma("normal") > 100);
}

BOOST_AUTO_TEST_CASE(scores_do_not_depend_on_batch_padding) {
  check_padding_invariance(baseline_spec("bilstm"), 48);
  check_padding_invariance(baseline_spec("bilstm_att"), 49);
  check_padding_invariance(baseline_spec("cnn"), 50);
  auto short_cnn = baseline_spec("cnn");
  short_cnn.encoder.cnn_max_length = 4;  // windows beyond L are not pooled
  check_padding_invariance(short_cnn, 51);
}

BOOST_AUTO_TEST_SUITE_END()
