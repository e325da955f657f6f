// Gradient buffers of intermediate nodes are not zeroed before backward: the
// first op to write one stores, later ones add (Tape::input_grad_target).
// Every op that stores is checked here with its input an intermediate node
// h, alone and with a second consumer of h recorded before and after it, so
// that each side is once the first writer and once the second. (Checks on
// parameters alone would not see this: parameter gradients always add.)
#include <functional>

#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/autodiff/ops/norm.hpp"
#include "atrank/autodiff/ops/reduce.hpp"
#include "test/autodiff/op_test_util.hpp"

using namespace atrank;
using namespace atrank::autodiff;
using namespace atrank::test;

namespace {

using Op = std::function<Var(Tape<double>&, ParamArena<double>&, Var)>;

enum class Other { none, before, after };

// Checks op(h) for h = 1.5 x (x: shape s, uniform in [lo, hi)), with another
// consumer of h (a reshape into the output) recorded before or after op.
void check_writers(const char* name, const Op& op, const Shape& s, double lo = -1, double hi = 1) {
  for (const Other other : {Other::none, Other::before, Other::after}) {
    std::mt19937_64 rng(77);
    ParamArena<double> p;
    const int x = random_param_away_from_zero(p, "x", s, rng);
    for (std::int64_t i = 0; i < s.numel(); ++i) p.value(x)[i] = lo + (hi - lo) * (p.value(x)[i] + 1.05) / 2.1;
    // Parameters the ops use, registered before the check reads the arena.
    random_param(p, "w", {s.last(), 3}, rng);
    random_param(p, "b", {3}, rng);
    random_param(p, "gamma", {s.last()}, rng, 0.5, 1.5);
    random_param(p, "beta", {s.last()}, rng);
    auto r = check_gradients(p, {}, [&](Tape<double>& t) {
      const Var h = scale(t, p.on(t, x), 1.5);
      const Var flat_h = other == Other::before ? reshape(t, h, {s.numel()}) : Var{};
      const Var y = op(t, p, h);
      const Var y_flat = reshape(t, y, {t.shape(y).numel()});
      if (other == Other::none) return y_flat;
      return concat(t, {y_flat, other == Other::before ? flat_h : reshape(t, h, {s.numel()})}, 0);
    });
    BOOST_TEST_INFO(name << ", other consumer " << int(other));
    ATRANK_CHECK_GRADIENTS(r);
  }
}

Var param(Tape<double>& t, ParamArena<double>& p, const char* name) { return p.on(t, p.find(name)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(gradient_writers)

BOOST_AUTO_TEST_CASE(products) {
  check_writers("dense", [](auto& t, auto& p, Var h) { return dense(t, h, param(t, p, "w"), param(t, p, "b")); },
                {2, 3, 4});
  check_writers("dense_relu",
                [](auto& t, auto& p, Var h) { return dense_relu(t, h, param(t, p, "w"), param(t, p, "b")); },
                {2, 3, 4});
  // The kernel an intermediate too (a slice of a parameter, as Dense::prefix makes).
  check_writers("dense, kernel intermediate",
                [](auto& t, auto& p, Var h) { return dense(t, h, scale(t, param(t, p, "w"), 0.5)); }, {5, 4});
  check_writers("dense_relu, kernel intermediate",
                [](auto& t, auto& p, Var h) { return dense_relu(t, h, scale(t, param(t, p, "w"), 0.5)); }, {5, 4});
  // x W with W = x: one node is both inputs.
  check_writers("dense(h, h)", [](auto& t, auto&, Var h) { return dense(t, h, h); }, {4, 4});
  check_writers("matmul", [](auto& t, auto& p, Var h) { return matmul(t, h, param(t, p, "w")); }, {3, 4});
}

BOOST_AUTO_TEST_CASE(elementwise) {
  check_writers("add(h, h)", [](auto& t, auto&, Var h) { return add(t, h, h); }, {3, 4});
  check_writers("add, bias", [](auto& t, auto& p, Var h) { return add(t, h, param(t, p, "gamma")); }, {3, 4});
  check_writers("add, same-shape intermediate",
                [](auto& t, auto&, Var h) { return add(t, scale(t, h, 2.0), h); }, {3, 4});
  check_writers("add, broadcast intermediate",
                [](auto& t, auto& p, Var h) { return add(t, h, scale(t, param(t, p, "gamma"), 2.0)); }, {3, 4});
  check_writers("sub(h, h')", [](auto& t, auto&, Var h) { return sub(t, scale(t, h, 3.0), h); }, {3, 4});
  check_writers("mul(h, h)", [](auto& t, auto&, Var h) { return mul(t, h, h); }, {3, 4});
  check_writers("scale", [](auto& t, auto&, Var h) { return scale(t, h, -0.7); }, {3, 4});
  check_writers("relu", [](auto& t, auto&, Var h) { return relu(t, h); }, {3, 4});
  check_writers("tanh", [](auto& t, auto&, Var h) { return autodiff::tanh(t, h); }, {3, 4});
  check_writers("sigmoid", [](auto& t, auto&, Var h) { return sigmoid(t, h); }, {3, 4});
  check_writers("exp", [](auto& t, auto&, Var h) { return autodiff::exp(t, h); }, {3, 4});
  check_writers("log", [](auto& t, auto&, Var h) { return autodiff::log(t, h); }, {3, 4}, 0.2, 3.0);
}

BOOST_AUTO_TEST_CASE(norms) {
  check_writers("layer_norm",
                [](auto& t, auto& p, Var h) {
                  return layer_norm(t, h, param(t, p, "gamma"), param(t, p, "beta"), 1e-8);
                },
                {3, 7, 5}, -2, 2);
  check_writers("dropout",
                [](auto& t, auto&, Var h) {
                  std::mt19937_64 rng(7);  // the same mask every time
                  return dropout(t, h, 0.4, rng, true);
                },
                {4, 6});
}

BOOST_AUTO_TEST_CASE(layout) {
  check_writers("reshape", [](auto& t, auto&, Var h) { return reshape(t, h, {4, 3}); }, {3, 4});
  check_writers("concat(h, h)", [](auto& t, auto&, Var h) { return concat(t, {h, h}, 1); }, {3, 4});
  check_writers("concat(h', h)", [](auto& t, auto&, Var h) { return concat(t, {scale(t, h, 2.0), h}, 0); },
                {3, 4});
  check_writers("split_heads", [](auto& t, auto&, Var h) { return split_heads(t, h, 2); }, {2, 3, 4});
  check_writers("merge_heads", [](auto& t, auto&, Var h) { return merge_heads(t, h, 2); }, {4, 3, 2});
  check_writers("slice", [](auto& t, auto&, Var h) { return slice(t, h, 1, 1, 2); }, {3, 4});
}

BOOST_AUTO_TEST_CASE(unused_intermediate_gets_zero_gradient) {
  // h feeds nothing that reaches the output: its buffer is never written and
  // must read as zeros, and its op's backward must add nothing.
  std::mt19937_64 rng(78);
  ParamArena<double> p;
  const int x = random_param(p, "x", {3, 4}, rng);
  Tape<double> t;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass finds stale buffers
    t.clear();
    p.zero_grad();
    const Var xv = p.on(t, x);
    const Var unused = scale(t, xv, 2.0);
    const Var out = sum(t, scale(t, xv, 3.0));
    t.backward(out);
    for (int i = 0; i < 12; ++i) {
      BOOST_TEST(t.grad(unused)[i] == 0.0);
      BOOST_TEST(p.grad(x)[i] == 3.0);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
