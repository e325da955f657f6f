#include <boost/test/unit_test.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xview.hpp>

#include "atrank/autodiff/ops.hpp"
#include "atrank/autodiff/ops/fused_attention.hpp"
#include "atrank/autodiff/ops/select_rows.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/tensor/expect_close.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

// The unfused composition the fused op must equal.
Var composed(Tape<double>& t, Var q, Var k, Var v, std::int64_t heads, const std::int32_t* klen,
             const std::int32_t* qlen) {
  const std::int64_t d = t.shape(q)[2] / heads, tq = t.shape(q)[1];
  Var s = batched_matmul(t, split_heads(t, q, heads), split_heads(t, k, heads), Trans::No, Trans::Yes);
  s = scale(t, s, 1.0 / std::sqrt(double(d)));
  Var w = masked_softmax(t, s, klen, heads * tq);
  if (qlen) w = mask_sequence(t, w, qlen, heads);
  return merge_heads(t, batched_matmul(t, w, split_heads(t, v, heads)), heads);
}

// Head h of example b straight from the definition: softmax(q_h k_h^T / sqrt(d))
// v_h over the valid keys, zero rows for masked queries. -> (Tq, d)
template <class Q, class K>
xt::xtensor<double, 2> attention_head(const Q& q, const K& k, const K& v, std::size_t b,
                                      std::size_t h, std::size_t d, std::size_t keys,
                                      std::size_t queries) {
  auto cols = xt::range(h * d, (h + 1) * d);
  const xt::xtensor<double, 2> qh = xt::view(q, b, xt::all(), cols);
  const xt::xtensor<double, 2> kh = xt::view(k, b, xt::range(0, keys), cols);
  const xt::xtensor<double, 2> vh = xt::view(v, b, xt::range(0, keys), cols);
  xt::xtensor<double, 2> out = xt::zeros<double>({qh.shape(0), d});
  if (keys == 0) return out;
  const xt::xtensor<double, 2> s = xt::linalg::dot(qh, xt::transpose(kh)) / std::sqrt(double(d));
  // Reductions are evaluated before they broadcast (see the canary test).
  const xt::xtensor<double, 2> row_max = xt::amax(s, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> e = xt::exp(s - row_max);
  const xt::xtensor<double, 2> row_sum = xt::sum(e, {1}, xt::keep_dims);
  const xt::xtensor<double, 2> w = e / row_sum;
  xt::view(out, xt::range(0, queries)) = xt::view(xt::linalg::dot(w, vh), xt::range(0, queries));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gradcheck)

// Lengths cover a full history, a length-1 history and a fully masked one.
BOOST_AUTO_TEST_CASE(fused_attention_gradients_and_edge_lengths) {
  std::mt19937_64 rng(77);
  ParamArena<double> p;
  const int q = random_param(p, "q", Shape{3, 4, 6}, rng);
  const int k = random_param(p, "k", Shape{3, 5, 6}, rng);
  const int v = random_param(p, "v", Shape{3, 5, 6}, rng);
  const std::int32_t klen[] = {5, 1, 0};
  const std::int32_t qlen[] = {4, 2, 3};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return fused_attention(t, p.on(t, q), p.on(t, k), p.on(t, v), 2, klen, qlen);
  });
  ATRANK_CHECK_GRADIENTS(r);
  // The fully masked example passes no gradient and outputs zeros.
  Tape<double> t;
  Var out = fused_attention(t, p.on(t, q), p.on(t, k), p.on(t, v), 2, klen, qlen);
  for (int i = 2 * 4 * 6; i < 3 * 4 * 6; ++i) BOOST_TEST(t.value(out)[i] == 0.0);
  p.zero_grad();
  std::vector<double> seed(3 * 4 * 6, 1.0);
  t.backward_from(out, seed.data());
  for (int i = 2 * 5 * 6; i < 3 * 5 * 6; ++i) {
    BOOST_TEST(p.grad(k)[i] == 0.0);
    BOOST_TEST(p.grad(v)[i] == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(fused_attention_equals_the_composed_ops) {
  std::mt19937_64 rng(5);
  ParamArena<double> p;
  const int q = random_param(p, "q", Shape{2, 3, 8}, rng);
  const int k = random_param(p, "k", Shape{2, 4, 8}, rng);
  const std::int32_t klen[] = {4, 2};
  const std::int32_t qlen[] = {2, 3};
  for (const std::int32_t* ql : {static_cast<const std::int32_t*>(nullptr), qlen}) {
    Tape<double> t;
    Var a = fused_attention(t, p.on(t, q), p.on(t, k), p.on(t, k), 4, klen, ql);
    Var b = composed(t, p.on(t, q), p.on(t, k), p.on(t, k), 4, klen, ql);
    for (std::int64_t i = 0; i < t.shape(a).numel(); ++i)
      BOOST_TEST(t.value(a)[i] == t.value(b)[i], boost::test_tools::tolerance(1e-12));
  }
}

// Packed rows (self-attention over the valid positions only, example after
// example) against the padded layout: the same output rows and gradients, and
// the packed form's own finite-difference check. Queries padded (vanilla form)
// over packed keys too.
// q, k and v computed by other ops, as in a model (own gradient buffers,
// which this op's products write first instead of adding to zeros): the
// gradients are right, also for an example with queries but no keys on a
// tape whose previous step had keys there (check_gradients runs backward
// twice on one tape; the first build here is that previous step), whose
// rows of dQ must be zeroed rather than left from that step.
BOOST_AUTO_TEST_CASE(fused_attention_writes_the_gradients_of_computed_inputs) {
  std::mt19937_64 rng(9);
  ParamArena<double> p;
  const int x = random_param(p, "x", Shape{6, 6}, rng);        // packed key rows
  const int cand = random_param(p, "cand", Shape{4, 2, 6}, rng);  // two queries per example
  const std::int32_t before_len[] = {3, 1, 2, 0}, before_start[] = {0, 3, 4, 6};  // (one key: dQ = 0)
  const std::int32_t len[] = {3, 1, 0, 2}, start[] = {0, 3, 4, 4};
  int builds = 0;
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    const bool before = builds++ == 0;
    const Sequences keys{4, 3, before ? before_start : start, before ? before_len : len};
    const Var a = p.on(t, x);
    const Var q = scale(t, p.on(t, cand), 0.5);
    const Var k = scale(t, a, 1.5), v = scale(t, a, -0.7);
    return fused_attention(t, q, k, v, 2, Sequences::padded(4, 2), keys);
  });
  ATRANK_CHECK_GRADIENTS(r);
}

BOOST_AUTO_TEST_CASE(fused_attention_over_packed_rows_equals_the_padded_layout) {
  std::mt19937_64 rng(8);
  ParamArena<double> p;
  const std::int32_t len[] = {3, 1, 0, 2};  // an empty example between others
  const std::int32_t start[] = {0, 3, 4, 4};
  const std::int64_t rows = 6, batch = 4, t_max = 3, c = 6;
  const int x = random_param(p, "x", Shape{rows, c}, rng);   // packed (N,C): q = k = v
  const int cand = random_param(p, "cand", Shape{batch, 2, c}, rng);  // two queries per example
  const Sequences packed{batch, t_max, start, len};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    const Var a = p.on(t, x);
    return fused_attention(t, a, a, a, 2, packed, packed);
  });
  ATRANK_CHECK_GRADIENTS(r);
  auto r2 = check_gradients(p, {}, [&](Tape<double>& t) {
    const Var a = p.on(t, x);
    return fused_attention(t, p.on(t, cand), a, a, 3, Sequences::padded(batch, 2), packed);
  });
  ATRANK_CHECK_GRADIENTS(r2);

  // The padded layout of the same rows: packed row i of example b at b*T + j.
  std::vector<std::int32_t> to_padded(std::size_t(batch * t_max), -1), to_packed(static_cast<std::size_t>(rows));
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int32_t j = 0; j < len[b]; ++j) {
      to_padded[std::size_t(b * t_max + j)] = start[b] + j;
      to_packed[std::size_t(start[b] + j)] = std::int32_t(b * t_max + j);
    }
  auto run = [&](bool pack, int query) {
    Tape<double> t;
    const Var a = p.on(t, x);
    const Var keys = pack ? a : select_rows(t, a, to_padded.data(), Shape{batch, t_max, c});
    const Sequences key_rows = pack ? packed : Sequences::padded(batch, t_max, len);
    Var out = query == 0 ? fused_attention(t, keys, keys, keys, 2, key_rows, key_rows)
                         : fused_attention(t, p.on(t, cand), keys, keys, 3, Sequences::padded(batch, 2), key_rows);
    if (!pack && query == 0) out = select_rows(t, out, to_packed.data(), Shape{rows, c});
    std::vector<double> seed(std::size_t(t.shape(out).numel()));
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = std::sin(double(i));
    p.zero_grad();
    t.backward_from(out, seed.data());
    std::vector<double> result(t.value(out), t.value(out) + t.shape(out).numel());
    result.insert(result.end(), p.grad(x), p.grad(x) + rows * c);
    result.insert(result.end(), p.grad(cand), p.grad(cand) + batch * 2 * c);
    return result;
  };
  for (int query = 0; query < 2; ++query) {
    const auto a = run(true, query), b = run(false, query);
    BOOST_REQUIRE_EQUAL(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST(a[i] == b[i], boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(weights_beyond_the_lengths_are_zero_on_a_reused_tape) {
  // A reused tape keeps its nodes' buffers: the second pass (shorter
  // lengths) must not show the first pass's weights in its padding.
  std::mt19937_64 rng(4);
  ParamArena<double> p;
  const int q = random_param(p, "q", Shape{2, 3, 4}, rng);
  const std::int32_t full[] = {3, 3}, shorter[] = {2, 0};
  Tape<double> t;
  for (const std::int32_t* len : {full, shorter}) {
    t.clear();
    const Var a = p.on(t, q);
    const auto w = fused_attention_weights(t, fused_attention(t, a, a, a, 2, len, len));  // (B,H,T,T)
    for (std::size_t b = 0; b < 2; ++b)
      for (std::size_t h = 0; h < 2; ++h)
        for (std::size_t i = 0; i < 3; ++i)
          for (std::size_t j = 0; j < 3; ++j)
            if (i >= std::size_t(len[b]) || j >= std::size_t(len[b])) BOOST_TEST(w(b, h, i, j) == 0.0);
            else BOOST_TEST(w(b, h, i, j) > 0.0);
  }
}

BOOST_AUTO_TEST_CASE(packed_rows_outside_the_tensor_are_refused) {
  ParamArena<double> p;
  std::mt19937_64 rng(3);
  const int x = random_param(p, "x", Shape{4, 6}, rng);
  const std::int32_t len[] = {3, 2};
  const std::int32_t start[] = {0, 3};  // rows 3..4: one beyond the 4 rows
  Tape<double> t;
  const Var a = p.on(t, x);
  const Sequences packed{2, 3, start, len};
  BOOST_CHECK_THROW(fused_attention(t, a, a, a, 2, packed, packed), std::invalid_argument);
}

// Float runs its head products in the small-product kernel, double through
// BLAS (what the gradient checks cover): both give the same output and
// gradients at model sizes (head width 16, histories up to 50, packed rows of
// computed q, k, v whose gradients the products write first), self-attention
// and one query row per example.
BOOST_AUTO_TEST_CASE(float_attention_equals_double_at_model_sizes) {
  const std::int32_t len[] = {50, 7, 0, 17, 1, 13}, start[] = {0, 50, 57, 57, 74, 75};
  const std::int64_t batch = 6, rows = 88, c = 32, heads = 2;
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> x(std::size_t(rows * c)), cand(std::size_t(batch * c));
  for (auto& e : x) e = u(rng);
  for (auto& e : cand) e = u(rng);
  const Sequences packed{batch, 50, start, len};
  auto run = [&](auto zero, bool one_query) {
    using T = decltype(zero);
    ParamArena<T> p;
    const int xi = p.add("x", Shape{rows, c}), ci = p.add("cand", Shape{batch, 1, c});
    std::copy(x.begin(), x.end(), p.value(xi));
    std::copy(cand.begin(), cand.end(), p.value(ci));
    Tape<T> t;
    const Var a = p.on(t, xi);
    const Var k = scale(t, a, T(1.5)), v = scale(t, a, T(-0.7));
    const Var q = one_query ? scale(t, p.on(t, ci), T(2)) : scale(t, a, T(0.5));
    const Var out = one_query ? fused_attention(t, q, k, v, heads, Sequences::padded(batch, 1), packed)
                              : fused_attention(t, q, k, v, heads, packed, packed);
    std::vector<T> seed(std::size_t(t.shape(out).numel()));
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = T(std::sin(double(i)));
    t.backward_from(out, seed.data());
    std::vector<double> result(t.value(out), t.value(out) + t.shape(out).numel());
    result.insert(result.end(), p.grad(xi), p.grad(xi) + rows * c);
    result.insert(result.end(), p.grad(ci), p.grad(ci) + batch * c);
    return result;
  };
  for (bool one_query : {false, true}) {
    const auto f = run(0.f, one_query), d = run(0.0, one_query);
    BOOST_REQUIRE_EQUAL(f.size(), d.size());
    for (std::size_t i = 0; i < f.size(); ++i) {
      BOOST_TEST_INFO((one_query ? "one query" : "self-attention") << ", entry " << i);
      BOOST_TEST(std::abs(f[i] - d[i]) <= 1e-5 * (1 + std::abs(d[i])));
    }
  }
}

BOOST_AUTO_TEST_CASE(fused_attention_matches_the_definition_in_xtensor) {
  std::mt19937_64 rng(6);
  ParamArena<double> p;
  const int q = random_param(p, "q", Shape{3, 4, 6}, rng);
  const int k = random_param(p, "k", Shape{3, 5, 6}, rng);
  const int v = random_param(p, "v", Shape{3, 5, 6}, rng);
  const std::int32_t klen[] = {5, 2, 0};
  const std::int32_t qlen[] = {4, 1, 3};
  Tape<double> t;
  const auto out = t.tensor(fused_attention(t, p.on(t, q), p.on(t, k), p.on(t, v), 3, klen, qlen));
  for (std::size_t b = 0; b < 3; ++b)
    for (std::size_t h = 0; h < 3; ++h)
      expect_close(xt::view(out, b, xt::all(), xt::range(h * 2, h * 2 + 2)),
                   attention_head(p.tensor(q), p.tensor(k), p.tensor(v), b, h, 2,
                                  std::size_t(klen[b]), std::size_t(qlen[b])));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gradcheck)

// A row selected twice gets both gradients; -1 rows are zeros and pass none.
BOOST_AUTO_TEST_CASE(select_rows_packs_and_scatters) {
  std::mt19937_64 rng(9);
  ParamArena<double> p;
  const int x = random_param(p, "x", Shape{2, 3, 4}, rng);
  const std::int32_t rows[] = {0, 2, -1, 4, 4, -1};
  auto r = check_gradients(p, {}, [&](Tape<double>& t) {
    return select_rows(t, p.on(t, x), rows, Shape{2, 3, 4});
  });
  ATRANK_CHECK_GRADIENTS(r);
  Tape<double> t;
  Var out = select_rows(t, p.on(t, x), rows, Shape{2, 3, 4});
  for (int e = 0; e < 4; ++e) {
    BOOST_TEST(t.value(out)[2 * 4 + e] == 0.0);
    BOOST_TEST(t.value(out)[1 * 4 + e] == p.value(x)[2 * 4 + e]);
  }
  p.zero_grad();
  std::vector<double> seed(24, 1.0);
  t.backward_from(out, seed.data());
  BOOST_TEST(p.grad(x)[4 * 4] == 2.0);  // row 4 used twice
  BOOST_TEST(p.grad(x)[1 * 4] == 0.0);  // row 1 never used
}

BOOST_AUTO_TEST_SUITE_END()
