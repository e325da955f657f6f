// Building and running a behavior group's embedding block.
#include "atrank/model/group_embedding.hpp"

#include <sstream>
#include <stdexcept>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

void check_size(const std::string& group, const char* what, std::size_t got, std::int64_t want) {
  if (std::int64_t(got) != want)
    throw std::invalid_argument("batch group `" + group + "`: " + what + " has " +
                                std::to_string(got) + " entries, expected " +
                                std::to_string(want) + " (B x T)");
}

std::string edges_text(const std::vector<std::int64_t>& e) {
  if (e.empty()) return "no edges";
  std::ostringstream s;
  s << "edges " << e.front();
  if (e.size() > 2) s << ".." << e.back();
  else if (e.size() == 2) s << "," << e.back();
  return s.str();
}

}  // namespace

template <class T>
GroupEmbedding<T> GroupEmbedding<T>::make(BuildContext<T>& ctx, const spec::GroupPlan& plan) {
  GroupEmbedding g;
  g.name = plan.name;
  g.index = plan.index;
  g.object = plan.object;
  g.attended = plan.attended;
  g.projected = plan.projected;
  g.add_features(ctx, plan);
  g.behavior_table = plan.behavior_table;
  g.behavior_width = plan.behavior_width;
  g.add_time(ctx, plan);
  g.input_width = plan.input_width;
  g.width = plan.input_width;
  if (plan.projected) g.add_projection(ctx, plan);
  return g;
}

// The features' tables, and the attribute maps of the features looked up through one.
template <class T>
void GroupEmbedding<T>::add_features(BuildContext<T>& ctx, const spec::GroupPlan& plan) {
  for (const auto& fp : plan.features) {
    Feature f;
    f.table = fp.table;
    f.table_name = fp.table_name;
    f.through = fp.through;
    f.width = fp.width;
    if (!f.through.empty()) f.map = attribute_map(ctx, f);
    feature_width += f.width;
    features.push_back(std::move(f));
  }
}

// The map object id -> attribute id of `f` from the vocabulary (null when the
// vocabulary has none: check-only builds), checked against the table's rows.
template <class T>
std::shared_ptr<const std::vector<std::int32_t>> GroupEmbedding<T>::attribute_map(BuildContext<T>& ctx,
                                                                                   const Feature& f) const {
  const auto os = ctx.vocab.attributes.find(object);
  if (os == ctx.vocab.attributes.end()) return nullptr;
  const auto m = os->second.find(f.through);
  if (m == os->second.end()) return nullptr;
  const std::int64_t rows = ctx.params.tables.at(f.table).rows;
  for (std::size_t i = 0; i < m->second.size(); ++i)
    if (m->second[i] < 0 || m->second[i] >= rows)
      throw std::invalid_argument("attribute map " + object + " -> " + f.through + " sends " + object + " " +
                                  std::to_string(i) + " to " + std::to_string(m->second[i]) + ", outside table `" +
                                  f.table_name + "` (" + std::to_string(rows) + " rows)");
  return std::make_shared<const std::vector<std::int32_t>>(m->second);
}

template <class T>
void GroupEmbedding<T>::add_time(BuildContext<T>& ctx, const spec::GroupPlan& plan) {
  time = plan.time.encoding;
  combine = plan.time.combine;
  if (time == spec::TimeEncoding::None) return;
  edges = plan.time.edges;
  time_width = plan.time.concat_width;
  time_table = plan.time.table;
  time_table_name = plan.time.table_name;
  if (!plan.time.dense) return;
  const std::string scope = "group/" + name + "/time";
  const std::int64_t base = feature_width + behavior_width;
  ctx.begin_block();
  time_dense = nn::Dense<T>::make(ctx.params, scope, 1, base, nn::Activation::Tanh);
  ctx.end_block(scope, "dense", "tanh dense of the raw bucket 1 -> " + std::to_string(base) + ", added");
}

template <class T>
void GroupEmbedding<T>::add_projection(BuildContext<T>& ctx, const spec::GroupPlan& plan) {
  const std::string scope = "group/" + name + "/projection";
  ctx.begin_block();
  projection = nn::Dense<T>::make(ctx.params, scope, input_width, plan.width, activation(plan.activation));
  ctx.end_block(scope, "dense",
                std::to_string(input_width) + " -> " + std::to_string(plan.width) + " (" +
                    spec::name_of(plan.activation) + ")");
  width = plan.width;
}

template <class T>
Var GroupEmbedding<T>::object_features(Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                                       const Shape& shape) const {
  std::vector<Var> parts;
  for (const auto& f : features) {
    auto& table = p.tables.at(f.table);
    if (f.through.empty()) {
      parts.push_back(autodiff::gather(t, table, ids, shape));
    } else {
      if (!f.map)
        throw std::invalid_argument("group `" + name + "`: attribute map " + object + " -> " +
                                    f.through + " is missing from the vocabulary");
      parts.push_back(autodiff::gather_mapped(t, table, f.map->data(),
                                              std::int64_t(f.map->size()), ids, shape));
    }
  }
  return parts.size() == 1 ? parts[0] : autodiff::concat(t, parts, -1);
}

template <class T>
Var GroupEmbedding<T>::history(Tape<T>& t, nn::Params<T>& p, const data::GroupBatch& g,
                               std::int64_t batch) const {
  const std::int64_t len = g.max_len;
  const Shape shape{batch, len};
  check_size(name, "objects", g.objects.size(), batch * len);
  check_size(name, "lengths", g.lengths.size(), batch);
  Var x = object_features(t, p, g.objects.data(), shape);  // (B,T,F)
  std::vector<Var> parts{x};
  if (behavior_table >= 0) {
    check_size(name, "behaviors", g.behaviors.size(), batch * len);
    parts.push_back(autodiff::gather(t, p.tables.at(behavior_table), g.behaviors.data(), shape));
  }
  Var time_part;
  if (time != spec::TimeEncoding::None) {
    check_size(name, "buckets", g.buckets.size(), batch * len);
    if (time == spec::TimeEncoding::OneHot && combine == spec::TimeCombine::Concat)
      time_part = autodiff::one_hot(t, g.buckets.data(), shape, std::int64_t(edges.size()));
    else if (time == spec::TimeEncoding::OneHot)  // add: tanh dense of the raw bucket number
      time_part = time_dense(t, p, nn::constant_from(t, Shape{batch, len, 1}, g.buckets.data()));
    else
      time_part = autodiff::gather(t, p.tables.at(time_table), g.buckets.data(), shape);
    if (combine == spec::TimeCombine::Concat) parts.push_back(time_part);
  }
  x = parts.size() == 1 ? parts[0] : autodiff::concat(t, parts, -1);  // (B,T,input_width)
  if (time != spec::TimeEncoding::None && combine == spec::TimeCombine::Add) x = autodiff::add(t, x, time_part);
  return projected ? projection(t, p, x) : x;  // (B,T,width)
}

template <class T>
Var GroupEmbedding<T>::target(Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                              const Shape& shape, bool project) const {
  const Var x = object_features(t, p, ids, shape);
  if (!project) return x;
  if (!projected) throw std::logic_error("group `" + name + "` has no projection for targets");
  return projection.prefix(t, p, x);
}

template <class T>
GroupSummary GroupEmbedding<T>::summary(const spec::GroupPlan& plan) const {
  GroupSummary s;
  s.name = name;
  s.behaviors = plan.behaviors;
  s.object = object;
  s.attended = attended;
  for (const auto& f : features) s.features.push_back({f.table_name, f.through, f.width});
  s.behavior_table = plan.behavior_table_name;
  s.behavior_width = behavior_width;
  std::ostringstream d;
  switch (time) {
    case spec::TimeEncoding::None: d << "none"; break;
    case spec::TimeEncoding::OneHot:
      if (combine == spec::TimeCombine::Concat)
        d << "one_hot of " << edges.size() << " buckets (" << edges_text(edges)
          << "; beyond the last: zeros), concat";
      else
        d << "tanh dense of the bucket number (" << edges.size() + 1 << " buckets, "
          << edges_text(edges) << "), added";
      break;
    case spec::TimeEncoding::Embedding:
      s.time_table = time_table_name;
      d << "embedding `" << time_table_name << "` of "
        << edges.size() + 1 << " buckets (" << edges_text(edges) << "), "
        << (combine == spec::TimeCombine::Concat ? "concat" : "added");
      break;
  }
  if (!attended && time != spec::TimeEncoding::None) d << " (not attended: unused)";
  s.time = d.str();
  s.time_width = time_width;
  s.input_width = input_width;
  s.width = projected ? width : 0;
  s.projection_activation = projected ? spec::name_of(plan.activation) : "";
  s.params = (projected ? projection.param_count() : 0) +
             (time_dense.kernel >= 0 ? time_dense.param_count() : 0);
  return s;
}

template struct GroupEmbedding<float>;
template struct GroupEmbedding<double>;

}  // namespace atrank::model
