// The test-only LSTM cell ops (test/autodiff/lstm_cell.hpp): gradient
// checks, hand-computed values, and equality with the cell written in generic ops.
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "test/autodiff/lstm_cell.hpp"
#include "test/autodiff/op_test_util.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

namespace {

// The same cell written with generic ops, straight from the TF definition.
template <class T>
std::pair<Var, Var> lstm_reference(Tape<T>& t, Var x, Var h, Var c, Var w, Var b, T fb) {
  const std::int64_t H = t.shape(h)[1];
  Var z = dense(t, concat(t, {x, h}, -1), w, b);
  auto g = split(t, z, {H, H, H, H}, -1);  // i, j, f, o
  const T fbv[1] = {fb};
  Var f = sigmoid(t, add(t, g[2], t.constant({1}, fbv)));
  Var cn = add(t, mul(t, c, f), mul(t, sigmoid(t, g[0]), tanh(t, g[1])));
  Var hn = mul(t, tanh(t, cn), sigmoid(t, g[3]));
  return {hn, cn};
}

struct LstmParams {
  ParamArena<double> p;
  int x, h, c, w, b;
  LstmParams(std::int64_t B, std::int64_t in, std::int64_t H, unsigned seed) {
    std::mt19937_64 rng(seed);
    x = random_param(p, "x", {B, in}, rng);
    h = random_param(p, "h", {B, H}, rng);
    c = random_param(p, "c", {B, H}, rng);
    w = random_param(p, "w", {in + H, 4 * H}, rng);
    b = random_param(p, "b", {4 * H}, rng);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(lstm_cell_op) {
  LstmParams lp(3, 4, 2, 100);
  auto& p = lp.p;
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    auto [hn, cn] = lstm_cell(t, p.on(t, lp.x), p.on(t, lp.h), p.on(t, lp.c), p.on(t, lp.w),
                              p.on(t, lp.b), 1.0);
    return concat(t, {hn, cn}, -1);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(lstm_cell_two_steps_with_select_by_length) {
  // A two-step dynamic_rnn over a batch with lengths (2, 1, 0): the state is
  // carried through padding. x_t: (3, 2), H = 2.
  std::mt19937_64 rng(101);
  ParamArena<double> p;
  const int x0 = random_param(p, "x0", {3, 2}, rng);
  const int x1 = random_param(p, "x1", {3, 2}, rng);
  const int w = random_param(p, "w", {4, 8}, rng);
  const int b = random_param(p, "b", {8}, rng);
  const int h0 = random_param(p, "h0", {3, 2}, rng);
  const int c0 = random_param(p, "c0", {3, 2}, rng);
  const std::int32_t len[3] = {2, 1, 0};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var h = p.on(t, h0), c = p.on(t, c0);
    const int xs[2] = {x0, x1};
    for (int s = 0; s < 2; ++s) {
      auto [hn, cn] = lstm_cell(t, p.on(t, xs[s]), h, c, p.on(t, w), p.on(t, b), 1.0);
      h = select_by_length(t, hn, h, len, s);
      c = select_by_length(t, cn, c, len, s);
    }
    return concat(t, {h, c}, -1);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(select_by_length_op) {
  std::mt19937_64 rng(102);
  ParamArena<double> p;
  const int a = random_param(p, "next", {4, 3}, rng);
  const int b = random_param(p, "prev", {4, 3}, rng);
  const std::int32_t len[4] = {3, 1, 2, 0};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return select_by_length(t, p.on(t, a), p.on(t, b), len, 1);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(lstm_cell_forward)

BOOST_AUTO_TEST_CASE(lstm_cell_hand_computed_values) {
  // B = 1, in = 2, H = 1; gates in TF order i, j, f, o; forget_bias = 1.
  Tape<double> t;
  const double x[2] = {1, -2}, h[1] = {0.5}, c[1] = {-0.3};
  const double w[12] = {0.5, 1.0, -0.5, 2.0, 0.1, -0.2, 0.3, 0.4, 0.7, 0.6, -0.8, 0.2};
  const double b[4] = {0.1, -0.1, 0.2, 0.0};
  auto [hn, cn] = lstm_cell(t, t.constant({1, 2}, x), t.constant({1, 1}, h),
                            t.constant({1, 1}, c), t.constant({3, 4}, w), t.constant({4}, b), 1.0);
  BOOST_TEST(t.value(hn)[0] == 0.36210281307007774, tt::tolerance(1e-12));
  BOOST_TEST(t.value(cn)[0] == 0.49831040489614975, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(lstm_cell_matches_composite_of_ops) {
  LstmParams lp(3, 4, 5, 107);
  auto& p = lp.p;
  for (double fb : {0.0, 1.0}) {
    Tape<double> t;
    Var x = p.on(t, lp.x), h = p.on(t, lp.h), c = p.on(t, lp.c), w = p.on(t, lp.w),
        b = p.on(t, lp.b);
    auto [hf, cf] = lstm_cell(t, x, h, c, w, b, fb);
    auto [hr, cr] = lstm_reference(t, x, h, c, w, b, fb);
    for (std::int64_t i = 0; i < 15; ++i) {
      BOOST_TEST(t.value(hf)[i] == t.value(hr)[i], tt::tolerance(1e-12));
      BOOST_TEST(t.value(cf)[i] == t.value(cr)[i], tt::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(select_by_length_values) {
  Tape<double> t;
  const double nx[3] = {1, 2, 3}, pv[3] = {-1, -2, -3};
  const std::int32_t len[3] = {1, 2, 0};
  Var y = select_by_length(t, t.constant({3, 1}, nx), t.constant({3, 1}, pv), len, 1);
  const std::vector<double> want = {-1, 2, -3};
  BOOST_TEST(values_of(t, y) == want, tt::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
