// Several behavior groups in one model: shared tables, per-group time
// encodings, users without events in a group, packing with padding inside
// the concatenation, mixed-task batches, and specs differing in their groups.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <numeric>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xoperation.hpp>

#include "atrank/autodiff/gradcheck.hpp"
#include "test/autodiff/gradcheck_util.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using autodiff::Tape;
using autodiff::Var;
using test::group_batch;

namespace {

// Example 0 has no query events (its padded slots hold the otherwise unused
// query id 5); example 1 has events in every group; example 2 has none at all.
data::Batch multi_batch(int task) {
  data::Batch b;
  b.size = 3;
  b.groups = {group_batch({{1, 2, 3}, {0, 4}, {}}),
              group_batch({{}, {1, 2}, {}}, /*pad=*/5),
              group_batch({{0, 1}, {2, 3, 4}, {}})};
  b.users = {0, 1, 2};
  b.task = {task, task, task};
  if (task == 0) b.targets = {5, 2, 3};  // items
  if (task == 1) b.targets = {3, 6, 0};  // queries
  if (task == 2) b.targets = {4, 0, 1};  // coupons
  b.labels = {1, 0, 1};
  return b;
}

std::vector<std::string> table_names(const model::ModelSummary& s) {
  std::vector<std::string> n;
  for (const auto& t : s.tables) n.push_back(t.name);
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(groups)

BOOST_AUTO_TEST_CASE(multi_group_forward_gradients_for_every_task) {
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 21);
  for (int task = 0; task < 3; ++task) {
    const data::Batch batch = multi_batch(task);
    std::mt19937_64 rng(0);
    auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
      return m.forward(t, batch, true, rng).loss;
    });
    ATRANK_CHECK_GRADIENTS(r);
  }
}

BOOST_AUTO_TEST_CASE(packed_rows_give_the_loss_and_gradients_of_the_padded_history) {
  // Three groups of different lengths (one user with no events at all) packed
  // example after example, against the padded history packed to the front.
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 27);
  for (int task = 0; task < 3; ++task) {
    const data::Batch batch = multi_batch(task);
    m.use_padded_history(false);
    const test::StepResult packed = test::training_step(m, batch);
    m.use_padded_history(true);
    const test::StepResult padded = test::training_step(m, batch);
    BOOST_TEST(test::largest_relative_difference(packed, padded) < 1e-6, "task " << task);
  }
}

BOOST_AUTO_TEST_CASE(no_events_in_a_group_gives_finite_outputs_and_no_gradient_to_its_rows) {
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 22);
  const data::Batch batch = multi_batch(0);
  std::mt19937_64 rng(0);
  Tape<double> t;
  const auto r = m.forward(t, batch, true, rng);
  BOOST_TEST(xt::all(xt::isfinite(t.tensor(r.logits))));
  BOOST_TEST(std::isfinite(t.tensor(r.loss)(0)));
  m.zero_grad();
  t.backward(r.loss);
  auto& query = test::table_named(m, "query");
  const auto norms = test::grad_row_norms(query);
  // Only example 1's queries 1 and 2 may receive gradient; the padded id 5 of
  // example 0 (no query events) none at all.
  BOOST_TEST(norms(5) == 0.0);
  BOOST_TEST(norms(1) > 0.0);
  BOOST_TEST(norms(2) > 0.0);
  for (int row : {0, 3, 4, 6}) BOOST_TEST(norms(row) == 0.0);
  BOOST_TEST(xt::all(xt::isfinite(xt::adapt(m.dense().grads()))));
}

BOOST_AUTO_TEST_CASE(padding_values_inside_the_concatenation_do_not_matter) {
  // Changing what sits in padded slots (ids, buckets) leaves every output unchanged.
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 23);
  data::Batch a = multi_batch(0);
  data::Batch b = a;
  for (auto& g : b.groups)
    for (std::size_t e = 0; e < 3; ++e)
      for (std::int64_t i = g.lengths[e]; i < g.max_len; ++i) {
        const auto k = e * std::size_t(g.max_len) + std::size_t(i);
        g.objects[k] = 1;
        g.buckets[k] = 2;
        g.behaviors[k] = 1;
      }
  Tape<double> ta, tb;
  const Var sa = m.score(ta, a), sb = m.score(tb, b);
  BOOST_TEST(xt::allclose(ta.tensor(sa), tb.tensor(sb), 0.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(shared_table_receives_gradient_from_both_groups) {
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 24);
  const auto& s = m.summary();
  for (const auto& t : s.tables)
    if (t.name == "shop" || t.name == "category") {
      BOOST_REQUIRE(t.users.size() >= 2u);  // the two groups, then tasks scoring their targets
      BOOST_TEST(t.users[0].find("group `item`") != std::string::npos, t.users[0]);
      BOOST_TEST(t.users[1].find("group `coupon`") != std::string::npos, t.users[1]);
    }
  // Query task: the target does not touch shops, so shop rows 0/1 (items) and
  // 2/3 (coupons) learn only through the two histories.
  const data::Batch batch = multi_batch(1);
  std::mt19937_64 rng(0);
  Tape<double> t;
  const auto r = m.forward(t, batch, true, rng);
  m.zero_grad();
  t.backward(r.loss);
  auto& shop = test::table_named(m, "shop");
  const auto norms = test::grad_row_norms(shop);
  for (int row = 0; row < 4; ++row) BOOST_TEST(norms(row) > 0.0, "shop row " << row);
  // One table, one value buffer: both groups read the same rows.
  BOOST_TEST(m.params().tables.find("shop") >= 0);
  int shops = 0;
  for (auto* tb : m.tables()) shops += tb->name == "shop";
  BOOST_TEST(shops == 1);
}

BOOST_AUTO_TEST_CASE(time_encodings_are_separate_parameters_per_group) {
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  const auto& s = m.summary();
  const auto names = table_names(s);
  BOOST_TEST((std::find(names.begin(), names.end(), "item_time") != names.end()));
  BOOST_TEST((std::find(names.begin(), names.end(), "coupon_time") != names.end()));
  for (const auto& t : s.tables)
    if (t.name == "item_time" || t.name == "coupon_time") {
      BOOST_TEST(t.users.size() == 1u);
      BOOST_TEST(t.rows == 4);  // 3 edges + the overflow bucket
      BOOST_TEST(t.width == 3);
    }
  BOOST_TEST(s.groups[0].time.find("item_time") != std::string::npos, s.groups[0].time);
  BOOST_TEST(s.groups[1].time.find("one_hot") != std::string::npos, s.groups[1].time);
  BOOST_TEST(s.groups[2].time.find("coupon_time") != std::string::npos, s.groups[2].time);
  // Same configuration, different parameters: each gets its own gradient.
  test::randomize(m, 25);
  auto& it = test::table_named(m, "item_time");
  auto& ct = test::table_named(m, "coupon_time");
  BOOST_TEST(&it != &ct);
  BOOST_TEST(it.values.data() != ct.values.data());
  const data::Batch batch = multi_batch(0);
  std::mt19937_64 rng(0);
  Tape<double> t;
  const auto r = m.forward(t, batch, true, rng);
  m.zero_grad();
  t.backward(r.loss);
  // One gradient row per real history position (packed rows: none for padding).
  auto positions = [&](int g) {
    const auto& l = batch.groups[std::size_t(g)].lengths;
    return std::size_t(std::accumulate(l.begin(), l.end(), 0));
  };
  BOOST_TEST(it.grad.rows.size() == positions(0));  // item history (B=3, T=3)
  BOOST_TEST(ct.grad.rows.size() == positions(2));  // coupon history (B=3, T=3)
  BOOST_TEST(positions(0) < 3u * 3u);
  // Per-group projections are separate too.
  BOOST_TEST(m.dense().find("group/item/projection/kernel") >= 0);
  BOOST_TEST(m.dense().find("group/query/projection/kernel") >= 0);
  BOOST_TEST(m.dense().find("group/coupon/projection/kernel") >= 0);
}

BOOST_AUTO_TEST_CASE(mixed_task_batch_gradients) {
  auto m = test::build_model<double>(test::multi_spec(), test::multi_vocab());
  test::randomize(m, 26);
  data::Batch batch = multi_batch(0);
  batch.task = {0, 1, 2};
  batch.targets = {5, 6, 1};  // an item, a query, a coupon
  auto spec = test::multi_spec();
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
  // Each example is scored by its own task's head.
  Tape<double> t;
  const Var mixed = m.score(t, batch);
  for (int task = 0; task < 3; ++task) {
    data::Batch one = batch;
    one.task = {task, task, task};
    const std::int32_t own[3][3] = {{5, 0, 0}, {0, 6, 0}, {0, 0, 1}};
    one.targets = {own[task][0], own[task][1], own[task][2]};
    Tape<double> t1;
    const Var s = m.score(t1, one);
    BOOST_TEST(std::abs(t1.tensor(s).flat(std::size_t(task)) - t.tensor(mixed).flat(std::size_t(task))) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(attending_over_one_group_only) {
  auto spec = test::multi_spec();
  spec.encoder.attend = {"item"};
  auto m = test::build_model<double>(spec, test::multi_vocab());
  const auto& s = m.summary();
  BOOST_TEST(s.groups[0].attended);
  BOOST_TEST(!s.groups[1].attended);
  BOOST_TEST(!s.groups[2].attended);
  // Unattended groups keep their projection (their targets use it, with the
  // time and behavior rows as the authors' zero padding) but no time table.
  const auto names = table_names(s);
  BOOST_TEST((std::find(names.begin(), names.end(), "coupon_time") == names.end()));
  BOOST_TEST((std::find(names.begin(), names.end(), "item_time") != names.end()));
  BOOST_TEST(s.groups[2].input_width == 4 + 3 + 3 + 3);
  test::randomize(m, 27);
  const data::Batch batch = multi_batch(2);
  std::mt19937_64 rng(0);
  auto r = autodiff::check_gradients(m.dense(), m.tables(), [&](Tape<double>& t) {
    return m.forward(t, batch, true, rng).loss;
  });
  ATRANK_CHECK_GRADIENTS(r);
  // Query histories do not matter any more.
  data::Batch other = batch;
  other.groups[1] = group_batch({{3, 3, 3}, {}, {6}});
  Tape<double> ta, tb;
  const Var sa = m.score(ta, batch), sb = m.score(tb, other);
  BOOST_TEST(xt::all(xt::equal(ta.tensor(sa), tb.tensor(sb))));
}

BOOST_AUTO_TEST_CASE(specs_differing_only_in_groups_build_different_models) {
  // A: item features (item, category), one-hot time. B: item features (item,
  // brand), an embedded time. Same declared tables, same encoder and task.
  const spec::Spec a = test::tiny_spec();
  spec::Spec b = test::tiny_spec();
  b.groups[0].features = {test::feature("item"), test::feature("brand", "brand")};
  b.groups[0].time = test::embedding_time({2, 4, 8}, 5, "item_time");
  BOOST_TEST((a.tables.size() == b.tables.size() && a.tasks.size() == b.tasks.size()));

  auto ma = test::build_model<double>(a, test::tiny_vocab());
  auto mb = test::build_model<double>(b, test::tiny_vocab());
  const auto na = table_names(ma.summary()), nb = table_names(mb.summary());
  BOOST_TEST((std::find(na.begin(), na.end(), "category") != na.end()));
  BOOST_TEST((std::find(na.begin(), na.end(), "brand") == na.end()));
  BOOST_TEST((std::find(nb.begin(), nb.end(), "brand") != nb.end()));
  BOOST_TEST((std::find(nb.begin(), nb.end(), "item_time") != nb.end()));
  BOOST_TEST(ma.summary().groups[0].features[1].table == "category");
  BOOST_TEST(mb.summary().groups[0].features[1].table == "brand");
  BOOST_TEST(ma.param_count() != mb.param_count());
  // 7x4 + 3x4 + 7 + (4+4+3)x8+8 vs 7x4 + 4x4 + 7 + 4x5 + (4+4+5)x8+8, same blocks.
  BOOST_TEST(ma.param_count() - mb.param_count() == (3 * 4 + 11 * 8) - (4 * 4 + 4 * 5 + 13 * 8));

  for (auto* m : {&ma, &mb}) {
    test::randomize(*m, 28);
    data::Batch batch;
    batch.size = 2;
    batch.groups = {group_batch({{1, 2}, {3}})};
    batch.targets = {4, 5};
    batch.labels = {1, 0};
    std::mt19937_64 rng(0);
    Tape<double> t;
    const auto r = m->forward(t, batch, true, rng);
    m->zero_grad();
    t.backward(r.loss);
    BOOST_TEST(std::isfinite(t.value(r.loss)[0]));
    double norm = 0;
    for (double v : m->dense().grads()) norm += v * v;
    BOOST_TEST(norm > 0);
    auto rc = autodiff::check_gradients(m->dense(), m->tables(), [&](Tape<double>& tt) {
      return m->forward(tt, batch, true, rng).loss;
    });
    ATRANK_CHECK_GRADIENTS(rc);
  }
}

BOOST_AUTO_TEST_SUITE_END()
