#include <boost/test/unit_test.hpp>

#include <cmath>

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
    for (std::size_t i = 0; i < 3; ++i) params.values()[i] = 1.f;
    for (std::size_t i = 0; i < table.values.size(); ++i) table.values[i] = 1.f;
  }
  // Row 1 looked up twice (two slices), row 3 once.
  void set_grads() {
    params.grads() = {1.f, 2.f, 2.f};
    table.grad.rows = {1, 3, 1};
    table.grad.values = {1.f, 0.f, 0.f, 2.f, 1.f, 0.f};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(global_norm_counts_each_lookup_slice_separately) {
  Fixture f;
  f.set_grads();
  // dense: 1+4+4 = 9; slices: 1 + 4 + 1 = 6 (row 1 twice: 1^2 + 1^2, not (1+1)^2).
  BOOST_TEST(global_grad_norm(f.params, f.tables) == std::sqrt(15.0), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(sgd_updates_only_touched_rows_and_sums_duplicates) {
  Fixture f;
  Optimizer opt({OptimizerKind::Sgd});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.5, 1.0);
  BOOST_TEST(f.params.values()[1] == 0.f);
  BOOST_TEST(f.table.row(1)[0] == 0.f);   // 1 - 0.5*(1+1)
  BOOST_TEST(f.table.row(1)[1] == 1.f);
  BOOST_TEST(f.table.row(3)[1] == 0.f);   // 1 - 0.5*2
  for (int r : {0, 2, 4}) BOOST_TEST(f.table.row(r)[0] == 1.f);  // untouched rows unchanged
  BOOST_TEST(f.table.grad.rows.empty());  // gradients consumed
  BOOST_TEST(f.params.grads()[0] == 0.f);
}

BOOST_AUTO_TEST_CASE(clip_scale_applies_to_dense_and_sparse) {
  Fixture f;
  Optimizer opt({OptimizerKind::Sgd});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 1.0, 0.25);
  BOOST_TEST(f.params.values()[0] == 0.75f);
  BOOST_TEST(f.table.row(3)[1] == 0.5f);
}

BOOST_AUTO_TEST_CASE(adam_lazy_rows_first_step) {
  Fixture f;
  Optimizer opt({OptimizerKind::Adam});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.1, 1.0);
  // First Adam step moves each touched coordinate with nonzero gradient by ~lr.
  BOOST_TEST(std::abs(f.params.values()[0] - 0.9f) < 1e-4);
  BOOST_TEST(std::abs(f.table.row(1)[0] - 0.9f) < 1e-4);
  BOOST_TEST(f.table.row(1)[1] == 1.f);  // zero gradient coordinate stays
  BOOST_TEST(f.table.row(0)[0] == 1.f);  // untouched row stays
  // Second step with no gradient on row 1: lazy semantics leave it alone.
  f.params.grads() = {0.f, 0.f, 0.f};
  f.table.grad.rows = {3};
  f.table.grad.values = {1.f, 1.f};
  const float before = f.table.row(1)[0];
  opt.step(f.params, f.tables, 0.1, 1.0);
  BOOST_TEST(f.table.row(1)[0] == before);
  BOOST_TEST(opt.steps() == 2);
}

BOOST_AUTO_TEST_CASE(adagrad_accumulates) {
  Fixture f;
  Optimizer opt({OptimizerKind::Adagrad, 0.9, 0.999, 1e-8, 0.0});
  opt.attach(f.params, f.tables);
  f.set_grads();
  opt.step(f.params, f.tables, 0.1, 1.0);
  // accumulator = g^2, update = lr * g / |g| = lr
  BOOST_TEST(std::abs(f.params.values()[1] - 0.9f) < 1e-6);
  BOOST_TEST(std::abs(f.table.row(1)[0] - 0.9f) < 1e-6);  // summed duplicate slices: g = 2
}

BOOST_AUTO_TEST_CASE(step_schedule) {
  std::vector<spec::ScheduleStep> s{{336000, 0.1}};
  BOOST_TEST(learning_rate_at(1.0, s, 0) == 1.0);
  BOOST_TEST(learning_rate_at(1.0, s, 335999) == 1.0);
  BOOST_TEST(learning_rate_at(1.0, s, 336000) == 0.1);
}
