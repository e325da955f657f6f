// Optimizer updates checked against the update rules written as xtensor
// expressions over views of the parameters (dense arena and table rows).
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <xtensor/xadapt.hpp>
#include <xtensor/xio.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "atrank/train/optimizer.hpp"
#include "atrank/train/schedule.hpp"

using namespace atrank;
using namespace atrank::train;
using autodiff::Shape;

namespace {

struct Fixture {
  ParamArena<float> params;
  EmbeddingTable<float> table{"item", 5, 2};
  std::vector<EmbeddingTable<float>*> tables{&table};
  Fixture() {
    params.add("w", Shape{3});
    xt::adapt(params.values()).fill(1.f);
    table.tensor().fill(1.f);
  }
  // Row 1 looked up twice (two slices), row 3 once.
  void set_grads() {
    params.grads() = {1.f, 2.f, 2.f};
    table.grad.rows = {1, 3, 1};
    table.grad.values = {1.f, 0.f, 0.f, 2.f, 1.f, 0.f};
  }
  auto dense() { return params.tensor(0); }
  auto row(std::size_t r) { return xt::view(table.tensor(), r, xt::all()); }
};

bool near(const xt::xtensor<float, 1>& got, const xt::xtensor<float, 1>& want, double tol = 0) {
  return xt::allclose(got, want, 0.0, tol);
}

}  // namespace

BOOST_AUTO_TEST_CASE(global_norm_counts_each_lookup_slice_separately) {
  Fixture f;
  f.set_grads();
  // dense: 1+4+4 = 9; slices: 1 + 4 + 1 = 6 (row 1 twice: 1^2 + 1^2, not (1+1)^2).
  BOOST_TEST(global_grad_norm(f.params, f.tables) == std::sqrt(15.0), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(sum_of_squares_counts_every_entry_once) {
  // Every length around the partial sums' width (8): whole blocks and tails.
  for (std::size_t n = 0; n < 40; ++n) {
    std::vector<float> g(n);
    double want = 0;
    for (std::size_t i = 0; i < n; ++i) {
      g[i] = float(i % 7) - 2.5f;
      want += double(g[i]) * g[i];
    }
    BOOST_TEST(sum_of_squares(g.data(), n) == want, boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(sgd_updates_only_touched_rows_and_sums_duplicates) {
  Fixture f;
  Optimizer opt({OptimizerKind::Sgd});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.5, 1.0);
  BOOST_TEST(near(f.dense(), {0.5f, 0.f, 0.f}));
  BOOST_TEST(near(f.row(1), {0.f, 1.f}));  // two slices of 1: 1 - 0.5 - 0.5
  BOOST_TEST(near(f.row(3), {1.f, 0.f}));  // 1 - 0.5*2
  for (std::size_t r : {0, 2, 4}) BOOST_TEST(near(f.row(r), {1.f, 1.f}));  // untouched rows unchanged
  BOOST_TEST(f.table.grad.rows.empty());  // gradients consumed
  BOOST_TEST(xt::all(xt::equal(xt::adapt(f.params.grads()), 0.f)));
}

BOOST_AUTO_TEST_CASE(clip_scale_applies_to_dense_and_sparse) {
  Fixture f;
  Optimizer opt({OptimizerKind::Sgd});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 1.0, 0.25);
  BOOST_TEST(near(f.dense(), {0.75f, 0.5f, 0.5f}));
  BOOST_TEST(near(f.row(3), {1.f, 0.5f}));
}

BOOST_AUTO_TEST_CASE(adam_matches_the_tf_update_rule) {
  // Two dense steps against TF's Adam as an xtensor expression:
  // m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps).
  Fixture f;
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8, lr = 0.1;
  Optimizer opt({OptimizerKind::Adam, b1, b2, eps});
  opt.attach(f.params, f.tables);
  xt::xtensor<double, 1> w = xt::ones<double>({3}), m = xt::zeros<double>({3}), v = m;
  const xt::xtensor<double, 1> grads[2] = {{1.0, 2.0, -2.0}, {0.5, 0.0, 3.0}};
  for (int step = 1; step <= 2; ++step) {
    const auto& g = grads[step - 1];
    xt::adapt(f.params.grads()) = xt::cast<float>(g);
    opt.step(f.params, f.tables, lr, 1.0);
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double lr_t = lr * std::sqrt(1 - std::pow(b2, step)) / (1 - std::pow(b1, step));
    w -= lr_t * m / (xt::sqrt(v) + eps);
    BOOST_TEST(near(f.dense(), xt::cast<float>(w), 1e-5), "step " << step << ": " << (xt::xtensor<float, 1>(f.dense())) << " vs " << w);
  }
}

BOOST_AUTO_TEST_CASE(adam_lazy_rows_first_step) {
  Fixture f;
  Optimizer opt({OptimizerKind::Adam});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.1, 1.0);
  // First Adam step moves each touched coordinate with nonzero gradient by ~lr.
  BOOST_TEST(near(f.dense(), {0.9f, 0.9f, 0.9f}, 1e-4));
  BOOST_TEST(near(f.row(1), {0.9f, 1.f}, 1e-4));  // zero gradient coordinate stays
  BOOST_TEST(near(f.row(0), {1.f, 1.f}));         // untouched row stays
  // Second step with no gradient on row 1: lazy semantics leave it alone.
  xt::adapt(f.params.grads()).fill(0.f);
  f.table.grad.rows = {3};
  f.table.grad.values = {1.f, 1.f};
  const xt::xtensor<float, 1> before = f.row(1);
  opt.step(f.params, f.tables, 0.1, 1.0);
  BOOST_TEST(near(f.row(1), before));
  BOOST_TEST(opt.steps() == 2);
}

BOOST_AUTO_TEST_CASE(adagrad_accumulates) {
  Fixture f;
  Optimizer opt({OptimizerKind::Adagrad, 0.9, 0.999, 1e-8, 0.0});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.1, 1.0);
  // accumulator = g^2, update = lr * g / |g| = lr (row 1: summed duplicate slices, g = 2)
  BOOST_TEST(near(f.dense(), {0.9f, 0.9f, 0.9f}, 1e-6));
  BOOST_TEST(near(xt::view(f.row(1), xt::range(0, 1)), {0.9f}, 1e-6));
}

BOOST_AUTO_TEST_CASE(step_schedule) {
  std::vector<spec::ScheduleStep> s{{336000, 0.1}};
  BOOST_TEST(learning_rate_at(1.0, s, 0) == 1.0);
  BOOST_TEST(learning_rate_at(1.0, s, 335999) == 1.0);
  BOOST_TEST(learning_rate_at(1.0, s, 336000) == 0.1);
}
