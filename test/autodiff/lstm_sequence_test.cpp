// lstm_sequence (a whole LSTM direction as one node) and last_valid: gradient
// checks in double, and equality with the step-by-step TF cell composition
// (lstm_cell + select_by_length, reverse_sequence by hand).
#include <algorithm>
#include <cmath>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/lstm_sequence.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "test/autodiff/lstm_cell.hpp"
#include "test/autodiff/op_test_util.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;
namespace tt = boost::test_tools;

namespace {

struct SeqParams {
  ParamArena<double> p;
  int x, w, b;  // x (B,T,in), w (in+H, 4H) as TF's kernel, b (4H)
  std::int64_t in, H;
  SeqParams(std::int64_t B, std::int64_t T, std::int64_t in_, std::int64_t H_, unsigned seed)
      : in(in_), H(H_) {
    std::mt19937_64 rng(seed);
    x = random_param(p, "x", {B, T, in}, rng);
    w = random_param(p, "w", {in + H, 4 * H}, rng);
    b = random_param(p, "b", {4 * H}, rng);
  }
  Var run(Tape<double>& t, const std::int32_t* len, bool reverse) {
    const Var k = p.on(t, w);
    const Var xw = dense(t, p.on(t, x), slice(t, k, 0, 0, in), p.on(t, b));
    return lstm_sequence(t, xw, slice(t, k, 0, in, H), len, reverse, 1.0);
  }
};

// The reference: per row, the TF cell step by step over the row's positions in
// reading order (forward 0..len-1, reverse len-1..0); outputs at the position read.
std::vector<double> reference(SeqParams& sp, const std::int32_t* len, bool reverse) {
  Tape<double> t;
  const Shape sx = sp.p.slice(sp.x).shape;
  const std::int64_t B = sx[0], T = sx[1], H = sp.H;
  std::vector<double> out(std::size_t(B * T * H), 0.0);
  for (std::int64_t b = 0; b < B; ++b) {
    t.clear();
    const Var x = reshape(t, slice(t, sp.p.on(t, sp.x), 0, b, 1), Shape{T, sp.in});
    std::vector<double> zeros(std::size_t(H), 0.0);
    Var h = t.constant(Shape{1, H}, zeros.data()), c = t.constant(Shape{1, H}, zeros.data());
    for (std::int64_t s = 0; s < len[b]; ++s) {
      const std::int64_t pos = reverse ? len[b] - 1 - s : s;
      auto [hn, cn] = lstm_cell(t, slice(t, x, 0, pos, 1), h, c, sp.p.on(t, sp.w),
                                sp.p.on(t, sp.b), 1.0);
      h = hn;
      c = cn;
      std::copy(t.value(h), t.value(h) + H, out.begin() + (b * T + pos) * H);
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lstm_sequence_op)

BOOST_AUTO_TEST_CASE(matches_the_tf_cell_step_by_step_both_directions) {
  SeqParams sp(4, 5, 3, 2, 201);
  const std::int32_t len[4] = {5, 1, 3, 0};
  for (bool reverse : {false, true}) {
    Tape<double> t;
    const auto got = values_of(t, sp.run(t, len, reverse));
    const auto want = reference(sp, len, reverse);
    BOOST_REQUIRE_EQUAL(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      BOOST_TEST(got[i] == want[i], tt::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(gradients_forward_with_length_1_and_empty_rows) {
  SeqParams sp(3, 4, 3, 2, 202);
  const std::int32_t len[3] = {4, 1, 0};
  auto r = check_gradients(sp.p, {}, [&](Tape<double>& t) { return sp.run(t, len, false); });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(gradients_reverse_direction) {
  SeqParams sp(3, 4, 2, 3, 203);
  const std::int32_t len[3] = {2, 4, 1};
  auto r = check_gradients(sp.p, {}, [&](Tape<double>& t) { return sp.run(t, len, true); });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(gradients_of_final_states_as_the_bilstm_reads_them) {
  // Forward state at the last valid step and backward output at step 0.
  SeqParams sp(3, 4, 2, 2, 204);
  const std::int32_t len[3] = {3, 1, 4};
  auto r = check_gradients(sp.p, {}, [&](Tape<double>& t) {
    const Var fw = last_valid(t, sp.run(t, len, false), len);
    const Var bw = reshape(t, slice(t, sp.run(t, len, true), 1, 0, 1), Shape{3, 2});
    return concat(t, {fw, bw}, -1);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(last_valid_picks_and_routes_gradients) {
  std::mt19937_64 rng(205);
  ParamArena<double> p;
  const int x = random_param(p, "x", {4, 3, 2}, rng);
  const std::int32_t len[4] = {3, 1, 0, 7};  // full, first, empty (zeros), clamped
  Tape<double> t;
  const auto v = values_of(t, last_valid(t, p.on(t, x), len));
  const double* xv = p.value(x);
  BOOST_TEST(v[0] == xv[(0 * 3 + 2) * 2]);
  BOOST_TEST(v[2] == xv[(1 * 3 + 0) * 2]);
  BOOST_TEST(v[4] == 0.0);
  BOOST_TEST(v[6] == xv[(3 * 3 + 2) * 2]);
  auto r = check_gradients(p, {}, [&](Tape<double>& tt2) { return last_valid(tt2, p.on(tt2, x), len); });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(rejects_mismatched_shapes) {
  SeqParams sp(2, 3, 2, 2, 206);
  const std::int32_t len[2] = {3, 2};
  Tape<double> t;
  const Var x = sp.p.on(t, sp.x);  // (2,3,2): not 4H wide
  BOOST_CHECK_THROW(lstm_sequence(t, x, slice(t, sp.p.on(t, sp.w), 0, 2, 2), len, false, 1.0),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
