#include <boost/test/unit_test.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "test/autodiff/op_test_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

// Parameters of the given shapes, named p0, p1, ...
std::vector<int> random_params(ParamArena<double>& p, const std::vector<Shape>& shapes,
                               std::mt19937_64& rng) {
  std::vector<int> ids;
  for (std::size_t i = 0; i < shapes.size(); ++i)
    ids.push_back(random_param(p, "p" + std::to_string(i), shapes[i], rng));
  return ids;
}

GradCheckReport check_concat(const std::vector<Shape>& shapes, int axis, unsigned seed) {
  std::mt19937_64 rng(seed);
  ParamArena<double> p;
  const auto ids = random_params(p, shapes, rng);
  return check_gradients(p, {}, [&](Tape<double>& t) {
    std::vector<Var> parts;
    for (int id : ids) parts.push_back(p.on(t, id));
    return concat(t, parts, axis);
  });
}

// split a into pieces, then reassemble them permuted and scaled so every
// piece's gradient is distinguishable.
GradCheckReport check_split(const Shape& s, const std::vector<std::int64_t>& sizes, int axis,
                            unsigned seed) {
  std::mt19937_64 rng(seed);
  ParamArena<double> p;
  const int a = random_param(p, "a", s, rng);
  return check_gradients(p, {}, [&](Tape<double>& t) {
    auto pieces = split(t, p.on(t, a), sizes, axis);
    std::vector<Var> back;
    for (std::size_t i = pieces.size(); i-- > 0;)
      back.push_back(scale(t, pieces[i], double(i) + 0.5));
    return concat(t, back, axis);
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(reshape_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return reshape(t, x, {4, 3}); }, {2, 6}, 30));
}

BOOST_AUTO_TEST_CASE(concat_feature_axis) {
  ATRANK_CHECK_GRADIENTS(check_concat({{2, 3, 2}, {2, 3, 4}, {2, 3, 1}}, -1, 31));
}
BOOST_AUTO_TEST_CASE(concat_sequence_axis) {
  ATRANK_CHECK_GRADIENTS(check_concat({{2, 1, 3}, {2, 4, 3}}, 1, 32));
}
BOOST_AUTO_TEST_CASE(concat_batch_axis) {
  ATRANK_CHECK_GRADIENTS(check_concat({{1, 2, 3}, {2, 2, 3}}, 0, 33));
}
BOOST_AUTO_TEST_CASE(concat_more_parts_than_input_slots) {
  ATRANK_CHECK_GRADIENTS(check_concat({{2, 1}, {2, 2}, {2, 1}, {2, 3}, {2, 1}, {2, 2}}, 1, 34));
}

BOOST_AUTO_TEST_CASE(concat_with_constant_and_repeated_part) {
  std::mt19937_64 rng(35);
  ParamArena<double> p;
  const int a = random_param(p, "a", {2, 3}, rng);
  const double c[4] = {1, 2, 3, 4};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    Var x = p.on(t, a);
    return concat(t, {x, t.constant({2, 2}, c), x}, -1);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(slice_feature_axis) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return slice(t, x, -1, 1, 2); }, {2, 3, 4}, 36));
}
BOOST_AUTO_TEST_CASE(slice_sequence_axis) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return slice(t, x, 1, 2, 1); }, {2, 3, 4}, 37));
}

BOOST_AUTO_TEST_CASE(split_feature_axis) { ATRANK_CHECK_GRADIENTS(check_split({2, 3, 6}, {1, 3, 2}, -1, 38)); }
BOOST_AUTO_TEST_CASE(split_sequence_axis) { ATRANK_CHECK_GRADIENTS(check_split({2, 5, 3}, {2, 1, 2}, 1, 39)); }

BOOST_AUTO_TEST_CASE(split_heads_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return split_heads(t, x, 2); }, {2, 3, 4}, 40));
}
BOOST_AUTO_TEST_CASE(merge_heads_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return merge_heads(t, x, 2); }, {4, 3, 2}, 41));
}
BOOST_AUTO_TEST_CASE(split_merge_heads_sequence_length_1) {
  ATRANK_CHECK_GRADIENTS(check_unary(
      [](Tape<double>& t, Var x) { return merge_heads(t, scale(t, split_heads(t, x, 3), 2.0), 3); },
      {2, 1, 6}, 42));
}
BOOST_AUTO_TEST_CASE(repeat_seq_op) {
  ATRANK_CHECK_GRADIENTS(check_unary([](Tape<double>& t, Var x) { return repeat_seq(t, x, 3); }, {2, 4}, 43));
}

BOOST_AUTO_TEST_CASE(layout_backward_accumulates) {
  // Each op consumes x once directly and once through scale(x) recorded after
  // it, so its backward runs last and must add to x's gradient, not overwrite it.
  auto twice = [](auto f) {
    return [f](Tape<double>& t, Var x) {
      Var a = f(t, x);
      Var b = f(t, scale(t, x, 2.0));
      return concat(t, {a, b}, 0);
    };
  };
  const Shape s{2, 3, 4};
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return reshape(t, x, {4, 6}); }), s, 45));
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return slice(t, x, 1, 1, 2); }), s, 46));
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return split_heads(t, x, 2); }), s, 47));
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return merge_heads(t, x, 2); }), s, 48));
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return concat(t, {x, x}, -1); }), s, 49));
  ATRANK_CHECK_GRADIENTS(check_unary(twice([](Tape<double>& t, Var x) { return repeat_seq(t, x, 2); }), {3, 4}, 50));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(layout_forward)

BOOST_AUTO_TEST_CASE(concat_values_both_axes) {
  Tape<double> t;
  const double a[4] = {1, 2, 3, 4};  // (2,2)
  const double b[2] = {5, 6};        // (2,1) or (1,2)
  Var f = concat(t, {t.constant({2, 2}, a), t.constant({2, 1}, b)}, -1);
  BOOST_TEST(t.shape(f) == Shape({2, 3}));
  const std::vector<double> wf = {1, 2, 5, 3, 4, 6};
  BOOST_TEST(values_of(t, f) == wf, boost::test_tools::per_element());
  Var s = concat(t, {t.constant({2, 2}, a), t.constant({1, 2}, b)}, 0);
  BOOST_TEST(t.shape(s) == Shape({3, 2}));
  const std::vector<double> ws = {1, 2, 3, 4, 5, 6};
  BOOST_TEST(values_of(t, s) == ws, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(layout_ops_match_xtensor) {
  std::mt19937_64 rng(51);
  ParamArena<double> p;
  const int a = random_param(p, "a", {2, 3, 6}, rng);
  const int b = random_param(p, "b", {2, 3, 2}, rng);
  const int r = random_param(p, "r", {2, 6}, rng);
  const auto av = p.tensor(a);
  Tape<double> t;
  expect_close(t.tensor(concat(t, {p.on(t, a), p.on(t, b)}, -1)),
               xt::concatenate(xt::xtuple(av, p.tensor(b)), 2));
  expect_close(t.tensor(slice(t, p.on(t, a), 1, 1, 2)), xt::view(av, xt::all(), xt::range(1, 3)));
  expect_close(t.tensor(slice(t, p.on(t, a), -1, 2, 3)),
               xt::view(av, xt::all(), xt::all(), xt::range(2, 5)));
  // (B,T,H*d) -> (B,T,H,d) -> (B,H,T,d) -> (B*H,T,d), for H = 3, d = 2.
  const xt::xtensor<double, 4> split4 = xt::transpose(xt::reshape_view(av, {2, 3, 3, 2}), {0, 2, 1, 3});
  expect_close(t.tensor(split_heads(t, p.on(t, a), 3)), xt::reshape_view(split4, {6, 3, 2}));
  // repeat_seq (B,C) -> (B,T,C): every row broadcast along a new axis 1.
  const xt::xtensor<double, 3> rows = xt::view(p.tensor(r), xt::all(), xt::newaxis(), xt::all());
  expect_close(t.tensor(repeat_seq(t, p.on(t, r), 4)), xt::broadcast(rows, {2, 4, 6}));
}

BOOST_AUTO_TEST_CASE(split_heads_values_and_roundtrip) {
  Tape<double> t;
  // x (B=1, T=2, H*d=4) with H=2: head 0 takes columns 0-1, head 1 columns 2-3.
  const double x[8] = {0, 1, 2, 3, 10, 11, 12, 13};
  Var xv = t.constant({1, 2, 4}, x);
  Var h = split_heads(t, xv, 2);
  BOOST_TEST(t.shape(h) == Shape({2, 2, 2}));
  const std::vector<double> wh = {0, 1, 10, 11, 2, 3, 12, 13};
  BOOST_TEST(values_of(t, h) == wh, boost::test_tools::per_element());
  // Roundtrip on a larger random tensor.
  std::mt19937_64 rng(44);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> big(3 * 5 * 12);
  for (auto& v : big) v = u(rng);
  Var bv = t.constant({3, 5, 12}, big.data());
  for (std::int64_t heads : {1, 2, 3, 4, 6, 12}) {
    Var back = merge_heads(t, split_heads(t, bv, heads), heads);
    BOOST_TEST(t.shape(back) == Shape({3, 5, 12}));
    BOOST_TEST(values_of(t, back) == big, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(split_slice_errors) {
  Tape<double> t;
  const double a[6] = {};
  Var x = t.constant({2, 3}, a);
  BOOST_CHECK_THROW(split(t, x, {1, 1}, -1), std::invalid_argument);
  BOOST_CHECK_THROW(slice(t, x, 1, 2, 2), std::invalid_argument);
  BOOST_CHECK_THROW(slice(t, x, 2, 0, 1), std::invalid_argument);
  BOOST_CHECK_THROW(reshape(t, x, {4}), std::invalid_argument);
  BOOST_CHECK_THROW(concat(t, {x, t.constant({3, 2}, a)}, 1), std::invalid_argument);
  BOOST_CHECK_THROW(split_heads(t, t.constant({1, 2, 3}, a), 2), std::invalid_argument);
  BOOST_CHECK_THROW(merge_heads(t, t.constant({3, 2, 1}, a), 2), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
