#include <boost/test/unit_test.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

// op(m) of a 2-D view.
template <class E>
xt::xtensor<double, 2> op(const E& m, Trans t) {
  if (t == Trans::Yes) return xt::transpose(m);
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

BOOST_AUTO_TEST_CASE(matmul_all_transposes) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      std::mt19937_64 rng(10 + ta * 2 + tb);
      ParamArena<double> p;
      const int a = random_param(p, "a", ta ? Shape{4, 3} : Shape{3, 4}, rng);
      const int b = random_param(p, "b", tb ? Shape{5, 4} : Shape{4, 5}, rng);
      auto r = check_gradients(p, {}, [&](Tape<double>& t) {
        return matmul(t, p.on(t, a), p.on(t, b), Trans(ta), Trans(tb));
      });
      ATRANK_CHECK_GRADIENTS(r);
    }
}

BOOST_AUTO_TEST_CASE(dense_with_bias_rank3) {
  std::mt19937_64 rng(2);
  ParamArena<double> p;
  const int x = random_param(p, "x", Shape{2, 3, 4}, rng);
  const int w = random_param(p, "w", Shape{4, 5}, rng);
  const int b = random_param(p, "b", Shape{5}, rng);
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return dense(t, p.on(t, x), p.on(t, w), p.on(t, b));
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(dense_relu_with_and_without_bias) {
  for (const bool with_bias : {true, false}) {
    std::mt19937_64 rng(3);
    ParamArena<double> p;
    const int x = random_param(p, "x", Shape{2, 3, 4}, rng);
    const int w = random_param(p, "w", Shape{4, 5}, rng);
    const int b = random_param(p, "b", Shape{5}, rng);
    auto r = check_gradients(p, {}, [&](Tape<double>& t) {
      return dense_relu(t, p.on(t, x), p.on(t, w), with_bias ? p.on(t, b) : Var{});
    });
    ATRANK_CHECK_GRADIENTS(r);
  }
}

BOOST_AUTO_TEST_CASE(batched_matmul_all_transposes) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      std::mt19937_64 rng(20 + ta * 2 + tb);
      ParamArena<double> p;
      const int a = random_param(p, "a", ta ? Shape{2, 4, 3} : Shape{2, 3, 4}, rng);
      const int b = random_param(p, "b", tb ? Shape{2, 5, 4} : Shape{2, 4, 5}, rng);
      auto r = check_gradients(p, {}, [&](Tape<double>& t) {
        return batched_matmul(t, p.on(t, a), p.on(t, b), Trans(ta), Trans(tb));
      });
      ATRANK_CHECK_GRADIENTS(r);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(matmul_and_dense_forward_values) {
  ParamArena<double> p;
  const int a = p.add("a", Shape{2, 2});
  const int b = p.add("b", Shape{2, 2});
  const int bias = p.add("bias", Shape{2});
  std::copy_n(std::begin({1.0, 2.0, 3.0, 4.0}), 4, p.value(a));
  std::copy_n(std::begin({5.0, 6.0, 7.0, 8.0}), 4, p.value(b));
  std::copy_n(std::begin({0.5, -0.5}), 2, p.value(bias));
  Tape<double> t;
  Var m = matmul(t, p.on(t, a), p.on(t, b), Trans::Yes, Trans::No);  // a^T b
  const double expect_m[] = {26, 30, 38, 44};
  for (int i = 0; i < 4; ++i) BOOST_TEST(t.value(m)[i] == expect_m[i]);
  Var d = dense(t, p.on(t, a), p.on(t, b), p.on(t, bias));  // a b + bias
  const double expect_d[] = {19.5, 21.5, 43.5, 49.5};
  for (int i = 0; i < 4; ++i) BOOST_TEST(t.value(d)[i] == expect_d[i]);
}

BOOST_AUTO_TEST_CASE(products_match_xtensor) {
  std::mt19937_64 rng(30);
  ParamArena<double> p;
  const int a = random_param(p, "a", Shape{3, 4}, rng), at = random_param(p, "at", Shape{4, 3}, rng);
  const int b = random_param(p, "b", Shape{4, 5}, rng), bt = random_param(p, "bt", Shape{5, 4}, rng);
  const int x = random_param(p, "x", Shape{2, 3, 4}, rng), bias = random_param(p, "bias", Shape{5}, rng);
  const int ba = random_param(p, "ba", Shape{2, 3, 4}, rng), bb = random_param(p, "bb", Shape{2, 5, 4}, rng);
  Tape<double> t;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      const int ia = ta ? at : a, ib = tb ? bt : b;
      const Var m = matmul(t, p.on(t, ia), p.on(t, ib), Trans(ta), Trans(tb));
      expect_close(t.tensor(m), xt::linalg::dot(op(p.tensor(ia), Trans(ta)), op(p.tensor(ib), Trans(tb))));
    }
  // dense over rows of a rank-3 input: (2,3,4) -> (6,4) x (4,5) + bias -> (2,3,5).
  const Var d = dense(t, p.on(t, x), p.on(t, b), p.on(t, bias));
  const xt::xtensor<double, 2> rows = xt::reshape_view(p.tensor(x), {6, 4});
  const xt::xtensor<double, 2> want = xt::linalg::dot(rows, p.tensor(b)) + p.tensor(bias);
  expect_close(t.tensor(d), xt::reshape_view(want, {2, 3, 5}));
  // batched: one product per leading index, here a_i b_i^T.
  const Var bm = batched_matmul(t, p.on(t, ba), p.on(t, bb), Trans::No, Trans::Yes);
  for (std::size_t i = 0; i < 2; ++i) {
    const xt::xtensor<double, 2> ai = xt::view(p.tensor(ba), i), bi = xt::view(p.tensor(bb), i);
    expect_close(xt::view(t.tensor(bm), i), xt::linalg::dot(ai, xt::transpose(bi)));
  }
}

BOOST_AUTO_TEST_CASE(dense_relu_is_relu_of_dense_exactly) {
  // The fused op gives the composed ops' values and gradients bit for bit
  // (float, as training runs), over an input that feeds it through an
  // intermediate node.
  std::mt19937_64 rng(31);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  auto run = [&](bool fused, std::vector<float>& value, std::vector<float>& grads) {
    ParamArena<float> p;
    const int x = p.add("x", Shape{7, 6}), w = p.add("w", Shape{6, 5}), b = p.add("b", Shape{5});
    std::mt19937_64 init(32);
    for (auto& v : p.values()) v = u(init);
    Tape<float> t;
    const Var h = scale(t, p.on(t, x), 1.5f);
    const Var y = fused ? dense_relu(t, h, p.on(t, w), p.on(t, b)) : relu(t, dense(t, h, p.on(t, w), p.on(t, b)));
    value.assign(t.value(y), t.value(y) + 35);
    std::vector<float> seed(35);
    for (auto& s : seed) s = u(rng);
    t.backward_from(y, seed.data());
    grads = p.grads();
  };
  std::vector<float> v1, g1, v2, g2;
  run(true, v1, g1);
  rng.seed(31);  // the same seed gradient
  run(false, v2, g2);
  BOOST_TEST(v1 == v2, boost::test_tools::per_element());
  BOOST_TEST(g1 == g2, boost::test_tools::per_element());
}
