// One tape reused across batches of different shapes (as training does) must
// give exactly what a fresh tape gives: ops may not depend on stale node slots.
#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops.hpp"
#include "test/autodiff/lstm_cell.hpp"
#include "test/autodiff/op_test_util.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

struct Model {
  ParamArena<double> p;
  EmbeddingTable<double> table{"item", 7, 4};
  int w, gamma, beta, lw, lb;
  Model() {
    std::mt19937_64 rng(120);
    fill_random(table, rng);
    w = random_param(p, "w", {4, 4}, rng);
    gamma = random_param(p, "gamma", {4}, rng);
    beta = random_param(p, "beta", {4}, rng);
    lw = random_param(p, "lstm_w", {8, 16}, rng);
    lb = random_param(p, "lstm_b", {16}, rng);
  }

  // A small attention + LSTM + pooling model over a batch of B histories of length T.
  Var loss(Tape<double>& t, std::int64_t B, std::int64_t T, unsigned seed) {
    std::vector<std::int32_t> ids(static_cast<std::size_t>(B * T));
    std::vector<std::int32_t> len(static_cast<std::size_t>(B));
    std::mt19937_64 rng(seed);
    for (auto& i : ids) i = std::int32_t(rng() % 7);
    for (auto& l : len) l = std::int32_t(rng() % std::uint64_t(T + 1));
    std::vector<double> labels(static_cast<std::size_t>(B));
    for (auto& l : labels) l = double(rng() % 2);
    Var e = gather(t, table, ids.data(), {B, T});                        // (B,T,4)
    Var q = dense(t, e, p.on(t, w));                                     // (B,T,4)
    Var s = batched_matmul(t, q, e, Trans::No, Trans::Yes);              // (B,T,T)
    Var a = masked_softmax(t, s, len.data(), T);
    Var ctx = layer_norm(t, batched_matmul(t, a, e), p.on(t, gamma), p.on(t, beta), 1e-8);
    Var h = t.constant({B, 4}, std::vector<double>(std::size_t(B * 4), 0.0).data());
    Var c = h;
    for (std::int64_t step = 0; step < T; ++step) {
      Var x = reshape(t, slice(t, ctx, 1, step, 1), {B, 4});
      auto [hn, cn] = lstm_cell(t, x, h, c, p.on(t, lw), p.on(t, lb), 1.0);
      h = select_by_length(t, hn, h, len.data(), step);
      c = select_by_length(t, cn, c, len.data(), step);
    }
    Var pooled = masked_max_pool(t, mask_sequence(t, ctx, len.data()), len.data());  // (B,4)
    Var logit = sum_last(t, add(t, h, pooled));                                        // (B)
    return mean(t, sigmoid_cross_entropy(t, logit, labels.data()));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tape)

BOOST_AUTO_TEST_CASE(reuse_after_clear_matches_fresh_tape) {
  Model m;
  Tape<double> reused;
  const std::int64_t shapes[4][2] = {{3, 5}, {2, 2}, {4, 1}, {3, 5}};
  for (int k = 0; k < 4; ++k) {
    const auto B = shapes[k][0], T = shapes[k][1];
    Tape<double> fresh;
    m.p.zero_grad();
    m.table.grad.clear();
    Var lf = m.loss(fresh, B, T, 200 + k);
    fresh.backward(lf);
    const double loss_fresh = fresh.value(lf)[0];
    const std::vector<double> g_fresh = m.p.grads();
    const std::vector<double> t_fresh = m.table.grad.values;

    reused.clear();
    m.p.zero_grad();
    m.table.grad.clear();
    Var lr = m.loss(reused, B, T, 200 + k);
    reused.backward(lr);
    BOOST_TEST(reused.value(lr)[0] == loss_fresh);
    BOOST_TEST(m.p.grads() == g_fresh, boost::test_tools::per_element());
    BOOST_TEST(m.table.grad.values == t_fresh, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(whole_model_gradcheck) {
  Model m;
  auto r = check_gradients(m.p, {&m.table}, [&](Tape<double>& t) { return m.loss(t, 3, 4, 300); });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()
