// Specs, vocabularies and batches built in C++ for the model tests: a tiny
// copy of the authors' Amazon model and a tiny heterogeneous (item / query /
// coupon) model with shared tables and per-group time encodings.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "atrank/data/batch.hpp"
#include "atrank/model/model.hpp"
#include "atrank/spec/load.hpp"

namespace atrank::test {

// The model a spec built in code describes, resolved and planned as a loaded spec is.
template <class T>
model::Model<T> build_model(spec::Spec spec, const data::Vocabulary& vocab) {
  spec::resolve(spec);
  return model::build_model<T>(spec::make_plan(spec), vocab);
}

// What the plan requires of every spec besides the model: a name for
// messages, and a data path (the model tests never load data).
inline void in_code(spec::Spec& s) {
  s.file = "<in code>";
  s.data.path = "unused";
}

inline spec::TableSpec table(const std::string& name, const std::string& vocab, std::int64_t width,
                             const std::string& init = "glorot_uniform") {
  spec::TableSpec t;
  t.name = name;
  t.vocab = vocab;
  t.width = width;
  t.init = init;
  return t;
}

inline spec::FeatureSpec feature(const std::string& table, const std::string& through = "") {
  spec::FeatureSpec f;
  f.table = table;
  f.through = through;
  return f;
}

inline spec::TimeSpec one_hot_time(std::vector<std::int64_t> edges) {
  spec::TimeSpec t;
  t.encoding = "one_hot";
  t.edges_kind = "explicit";
  t.edges = std::move(edges);
  t.count = std::int64_t(t.edges.size());
  return t;
}

inline spec::TimeSpec embedding_time(std::vector<std::int64_t> edges, std::int64_t width,
                                     const std::string& table) {
  spec::TimeSpec t = one_hot_time(std::move(edges));
  t.encoding = "embedding";
  t.width = width;
  t.table = table;
  return t;
}

inline spec::TaskSpec task(const std::string& name, const std::string& target,
                           const std::string& bias, bool project = false) {
  spec::TaskSpec t;
  t.name = name;
  t.target = target;
  t.bias_table = bias;
  t.project_target = project;
  return t;
}

// The authors' Amazon ATRank (specs/amazon.toml) as a Spec.
inline spec::Spec amazon_spec(std::int64_t items, std::int64_t categories) {
  spec::Spec s;
  s.name = "amazon";
  in_code(s);
  s.tables = {table("item", "item", 64), table("category", "category", 64),
              table("item_bias", "item", 1, "zeros")};
  spec::GroupSpec g;
  g.name = "item";
  g.behaviors = {"review"};
  g.object = "item";
  g.features = {feature("item"), feature("category", "category")};
  g.time = one_hot_time({2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096});
  g.time.edges_kind = "log2";
  g.projection.width = 128;
  s.groups = {g};
  s.tasks = {task("item", "item", "item_bias")};
  s.vocab = {{"item", items}, {"category", categories}};
  return s;
}

// The same structure at toy sizes: item 4 + category 4 = hidden 8, 2 heads.
inline spec::Spec tiny_spec() {
  spec::Spec s;
  s.name = "tiny";
  in_code(s);
  s.tables = {table("item", "item", 4), table("category", "category", 4),
              table("brand", "brand", 4), table("item_bias", "item", 1, "zeros")};
  spec::GroupSpec g;
  g.name = "item";
  g.behaviors = {"review"};
  g.object = "item";
  g.features = {feature("item"), feature("category", "category")};
  g.time = one_hot_time({2, 4, 8});
  g.projection.width = 8;
  s.groups = {g};
  s.encoder.hidden = 8;
  s.encoder.heads = 2;
  s.encoder.ffn = 4;
  s.tasks = {task("item", "item", "item_bias")};
  s.tasks[0].l2 = 0.01;
  return s;
}

// tiny_spec with encoder `kind`: item 4 + category 4 (+ one-hot time) projected to 8.
inline spec::Spec baseline_spec(const std::string& kind) {
  auto spec = tiny_spec();
  spec.encoder.kind = kind;
  spec.encoder.lstm_units = 8;
  spec.encoder.cnn_widths = {1, 2, 3};
  spec.encoder.cnn_filters = 3;
  spec.encoder.cnn_max_length = 500;
  return spec;
}

inline data::Vocabulary tiny_vocab() {
  data::Vocabulary v;
  v.sizes = {{"item", 7}, {"category", 3}, {"brand", 4}};
  v.attributes["item"]["category"] = {0, 1, 2, 0, 1, 2, 0};
  v.attributes["item"]["brand"] = {3, 2, 1, 0, 3, 2, 1};
  return v;
}

// The paper's heterogeneous model at toy sizes: groups item (item, shop,
// category, behavior type, time embedding), query (query id, one-hot time),
// coupon (coupon, shop, category, time embedding); shop and category shared;
// every target projected through its group's layer.
inline spec::Spec multi_spec() {
  spec::Spec s;
  s.name = "multi";
  in_code(s);
  s.data.behavior_object_space = {{"search", "query"}, {"use", "coupon"}};
  s.tables = {table("item", "item", 4),        table("shop", "shop", 3),
              table("category", "category", 3), table("coupon", "coupon", 4),
              table("query", "query", 6),      table("behavior", "behavior", 2),
              table("item_bias", "item", 1, "zeros"), table("query_bias", "query", 1, "zeros"),
              table("coupon_bias", "coupon", 1, "zeros")};
  spec::GroupSpec item;
  item.name = "item";
  item.behaviors = {"click", "buy"};
  item.object = "item";
  item.features = {feature("item"), feature("shop", "shop"), feature("category", "category")};
  item.behavior_table = "behavior";
  item.time = embedding_time({2, 4, 8}, 3, "item_time");
  item.projection.width = 8;
  spec::GroupSpec query;
  query.name = "query";
  query.behaviors = {"search"};
  query.object = "query";
  query.features = {feature("query")};
  query.time = one_hot_time({2, 4});
  query.projection.width = 8;
  spec::GroupSpec coupon;
  coupon.name = "coupon";
  coupon.behaviors = {"use"};
  coupon.object = "coupon";
  coupon.features = {feature("coupon"), feature("shop", "shop"), feature("category", "category")};
  coupon.time = embedding_time({2, 4, 8}, 3, "coupon_time");
  coupon.projection.width = 8;
  s.groups = {item, query, coupon};
  s.encoder.hidden = 8;
  s.encoder.heads = 2;
  s.encoder.ffn = 4;
  s.tasks = {task("item", "item", "item_bias", true), task("query", "query", "query_bias", true),
             task("coupon", "coupon", "coupon_bias", true)};
  for (auto& t : s.tasks) t.l2 = 0.01;
  return s;
}

inline data::Vocabulary multi_vocab() {
  data::Vocabulary v;
  v.sizes = {{"item", 6}, {"shop", 4},  {"category", 3},
             {"coupon", 5}, {"query", 7}, {"behavior", 3}};
  // Items sell in shops 0/1, coupons are for shops 2/3: a shop row's gradient
  // tells which group it came from.
  v.attributes["item"]["shop"] = {0, 1, 0, 1, 0, 1};
  v.attributes["item"]["category"] = {0, 1, 2, 0, 1, 2};
  v.attributes["coupon"]["shop"] = {2, 3, 2, 3, 2};
  v.attributes["coupon"]["category"] = {2, 1, 0, 2, 1};
  return v;
}

// A group's padded history from per-example id lists; padding uses `pad`.
inline data::GroupBatch group_batch(const std::vector<std::vector<std::int32_t>>& ids,
                                    std::int32_t pad = 0, std::int32_t buckets = 4) {
  data::GroupBatch g;
  const auto b = ids.size();
  for (const auto& v : ids) g.max_len = std::max<std::int64_t>(g.max_len, std::int64_t(v.size()));
  g.objects.assign(b * std::size_t(g.max_len), pad);
  g.behaviors.assign(g.objects.size(), 0);
  g.buckets.assign(g.objects.size(), 0);
  for (std::size_t e = 0; e < b; ++e) {
    g.lengths.push_back(std::int32_t(ids[e].size()));
    for (std::size_t i = 0; i < ids[e].size(); ++i) {
      const auto k = e * std::size_t(g.max_len) + i;
      g.objects[k] = ids[e][i];
      g.behaviors[k] = std::int32_t((e + i) % 3);
      g.buckets[k] = std::int32_t((e * 7 + i * 3) % buckets);  // includes the overflow bucket
    }
  }
  return g;
}

// Every parameter and table entry uniform in [-0.5, 0.5): non-zero biases,
// layer norms and bias tables exercise every gradient path.
template <class T>
void randomize(model::Model<T>& m, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (auto& v : m.dense().values()) v = T(u(rng));
  for (auto* t : m.tables())
    for (auto& v : t->values) v = T(u(rng));
}

// A table's gradient as a dense (rows, width) tensor: its sparse slices added up.
template <class T>
xt::xtensor<double, 2> dense_grad(const autodiff::EmbeddingTable<T>& t) {
  xt::xtensor<double, 2> g = xt::zeros<double>({std::size_t(t.rows), std::size_t(t.width)});
  const auto slices = xt::adapt(t.grad.values, std::array<std::size_t, 2>{t.grad.rows.size(), std::size_t(t.width)});
  for (std::size_t s = 0; s < t.grad.rows.size(); ++s)
    xt::row(g, std::ptrdiff_t(t.grad.rows[s])) += xt::row(slices, std::ptrdiff_t(s));
  return g;
}

// The L2 norm of each row of a table's gradient (test helper only).
template <class T>
xt::xtensor<double, 1> grad_row_norms(const autodiff::EmbeddingTable<T>& t) {
  return xt::sqrt(xt::sum(xt::square(dense_grad(t)), {1}));
}

// One training step's loss and gradients (dense, then every table densified).
struct StepResult {
  double loss = 0;
  std::vector<double> dense;
  std::vector<xt::xtensor<double, 2>> tables;
};

template <class T>
StepResult training_step(model::Model<T>& m, const data::Batch& batch) {
  std::mt19937_64 rng(0);
  autodiff::Tape<T> t;
  const auto r = m.forward(t, batch, true, rng);
  m.zero_grad();
  t.backward(r.loss);
  StepResult s;
  s.loss = double(t.value(r.loss)[0]);
  s.dense.assign(m.dense().grads().begin(), m.dense().grads().end());
  for (auto* table : m.tables()) {
    s.tables.push_back(dense_grad(*table));
    table->grad.clear();
  }
  return s;
}

// The largest difference of two steps relative to the largest magnitude of
// what is compared (loss, each parameter's gradient, each table's gradient).
inline double largest_relative_difference(const StepResult& a, const StepResult& b) {
  auto rel = [](double diff, double scale) { return scale > 0 ? diff / scale : diff; };
  double worst = rel(std::abs(a.loss - b.loss), std::abs(a.loss));
  double scale = 0, diff = 0;
  for (std::size_t i = 0; i < a.dense.size(); ++i) {
    scale = std::max(scale, std::abs(a.dense[i]));
    diff = std::max(diff, std::abs(a.dense[i] - b.dense.at(i)));
  }
  worst = std::max(worst, rel(diff, scale));
  for (std::size_t k = 0; k < a.tables.size(); ++k)
    worst = std::max(worst, rel(xt::amax(xt::abs(a.tables[k] - b.tables.at(k)))(), xt::amax(xt::abs(a.tables[k]))()));
  return worst;
}

template <class T>
autodiff::EmbeddingTable<T>& table_named(model::Model<T>& m, const std::string& name) {
  const int i = m.params().tables.find(name);
  if (i < 0) throw std::runtime_error("no table " + name);
  return m.params().tables.at(i);
}

}  // namespace atrank::test
