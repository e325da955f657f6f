// Building and running a behavior group's embedding block.
#include "atrank/model/group_embedding.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/nn/reused_list.hpp"
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

namespace {

// The map object -> `f.through` of the vocabulary, checked against the rows
// of the feature's table; null when the vocabulary has none.
AttributeMap attribute_map(const data::Vocabulary& vocab, const std::string& object, const spec::FeaturePlan& f,
                           std::int64_t rows) {
  const auto os = vocab.attributes.find(object);
  if (os == vocab.attributes.end()) return nullptr;
  const auto m = os->second.find(f.through);
  if (m == os->second.end()) return nullptr;
  for (std::size_t i = 0; i < m->second.size(); ++i)
    if (m->second[i] < 0 || m->second[i] >= rows)
      throw std::invalid_argument("attribute map " + object + " -> " + f.through + " sends " + object + " " +
                                  std::to_string(i) + " to " + std::to_string(m->second[i]) + ", outside table `" +
                                  f.table_name + "` (" + std::to_string(rows) + " rows)");
  return std::make_shared<const std::vector<std::int32_t>>(m->second);
}

}  // namespace

template <class T>
GroupEmbedding<T> GroupEmbedding<T>::make(BuildContext<T>& ctx, const spec::GroupPlan& plan) {
  GroupEmbedding g;
  g.plan = plan;
  for (const auto& f : plan.features)
    g.maps.push_back(f.through.empty() ? nullptr
                                       : attribute_map(ctx.vocab, plan.object, f, ctx.params.tables.at(f.table).rows));
  if (plan.time.dense) {
    const std::string scope = "group/" + plan.name + "/time";
    const std::int64_t base = plan.feature_width + plan.behavior_width;
    ctx.begin_block();
    g.time_dense = nn::Dense<T>::make(ctx.params, scope, 1, base, nn::Activation::Tanh);
    ctx.end_block(scope, "dense", "tanh dense of the raw bucket 1 -> " + std::to_string(base) + ", added");
  }
  if (plan.projected) {
    const std::string scope = "group/" + plan.name + "/projection";
    ctx.begin_block();
    g.projection = nn::Dense<T>::make(ctx.params, scope, plan.input_width, plan.width, activation(plan.activation));
    ctx.end_block(scope, "dense",
                  std::to_string(plan.input_width) + " -> " + std::to_string(plan.width) + " (" +
                      spec::name_of(plan.activation) + ")");
  }
  return g;
}

template <class T>
void GroupEmbedding<T>::append_features(Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids, const Shape& shape,
                                        std::vector<Var>& parts) const {
  for (std::size_t i = 0; i < plan.features.size(); ++i) {
    const spec::FeaturePlan& f = plan.features[i];
    auto& table = p.tables.at(f.table);
    if (f.through.empty()) {
      parts.push_back(autodiff::gather(t, table, ids, shape));
    } else {
      const AttributeMap& map = maps[i];
      if (!map)
        throw std::invalid_argument("group `" + plan.name + "`: attribute map " + plan.object + " -> " + f.through +
                                    " is missing from the vocabulary");
      parts.push_back(autodiff::gather_mapped(t, table, map->data(), std::int64_t(map->size()), ids, shape));
    }
  }
}

template <class T>
Var GroupEmbedding<T>::object_features(Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                                       const Shape& shape) const {
  struct Parts;
  std::vector<Var>& parts = nn::reused_list<Parts, std::vector<Var>>();
  append_features(t, p, ids, shape, parts);
  return parts.size() == 1 ? parts[0] : autodiff::concat(t, parts, -1);
}

template <class T>
Var GroupEmbedding<T>::history(Tape<T>& t, nn::Params<T>& p, const data::GroupBatch& g,
                               std::int64_t batch, bool packed_rows) const {
  using spec::TimeCombine;
  using spec::TimeEncoding;
  const std::int64_t len = g.max_len;
  check_size(plan.name, "objects", g.objects.size(), batch * len);
  check_size(plan.name, "lengths", g.lengths.size(), batch);
  // Packed rows: the (B,T) ids at the valid positions only, kept on the tape
  // for the gathers' backward.
  struct Valid;
  std::vector<std::int64_t>& valid = nn::reused_list<Valid, std::vector<std::int64_t>>();
  if (packed_rows) {
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t j = 0; j < std::clamp<std::int64_t>(g.lengths[std::size_t(b)], 0, len); ++j)
        valid.push_back(b * len + j);
    if (valid.empty()) return Var{};
  }
  auto ids = [&](const std::vector<std::int32_t>& all) -> const std::int32_t* {
    if (!packed_rows) return all.data();
    std::int32_t* picked = nn::tape_ints(t, valid.size());
    for (std::size_t i = 0; i < valid.size(); ++i) picked[i] = all[std::size_t(valid[i])];
    return picked;
  };
  const Shape shape = packed_rows ? Shape{std::int64_t(valid.size())} : Shape{batch, len};
  // Features, behavior and time in one concat: one copy of the rows forward
  // and one split of their gradient backward.
  struct Parts;
  std::vector<Var>& parts = nn::reused_list<Parts, std::vector<Var>>();
  append_features(t, p, ids(g.objects), shape, parts);
  if (plan.behavior_table >= 0) {
    check_size(plan.name, "behaviors", g.behaviors.size(), batch * len);
    parts.push_back(autodiff::gather(t, p.tables.at(plan.behavior_table), ids(g.behaviors), shape));
  }
  const spec::TimePlan& time = plan.time;
  Var time_part;
  if (time.encoding != TimeEncoding::None) {
    check_size(plan.name, "buckets", g.buckets.size(), batch * len);
    const std::int32_t* buckets = ids(g.buckets);
    if (time.encoding == TimeEncoding::OneHot && time.combine == TimeCombine::Concat)
      time_part = autodiff::one_hot(t, buckets, shape, std::int64_t(time.edges.size()));
    else if (time.encoding == TimeEncoding::OneHot)  // add: tanh dense of the raw bucket number
      time_part = time_dense(t, p, nn::constant_from(t, packed_rows ? Shape{shape[0], 1} : Shape{batch, len, 1}, buckets));
    else
      time_part = autodiff::gather(t, p.tables.at(time.table), buckets, shape);
    if (time.combine == TimeCombine::Concat) parts.push_back(time_part);
  }
  Var x = parts.size() == 1 ? parts[0] : autodiff::concat(t, parts, -1);  // shape + (input_width)
  if (time.encoding != TimeEncoding::None && time.combine == TimeCombine::Add) x = autodiff::add(t, x, time_part);
  return plan.projected ? projection(t, p, x) : x;  // shape + (width)
}

template <class T>
Var GroupEmbedding<T>::target(Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                              const Shape& shape, bool project) const {
  const Var x = object_features(t, p, ids, shape);
  if (!project) return x;
  if (!plan.projected) throw std::logic_error("group `" + plan.name + "` has no projection for targets");
  return projection.prefix(t, p, x);
}

namespace {

// "one_hot of 12 buckets (edges 2..4096; beyond the last: zeros), concat", ...
std::string time_text(const spec::GroupPlan& plan) {
  const spec::TimePlan& time = plan.time;
  const bool concat = time.combine == spec::TimeCombine::Concat;
  std::ostringstream d;
  switch (time.encoding) {
    case spec::TimeEncoding::None: d << "none"; break;
    case spec::TimeEncoding::OneHot:
      if (concat)
        d << "one_hot of " << time.edges.size() << " buckets (" << edges_text(time.edges)
          << "; beyond the last: zeros), concat";
      else
        d << "tanh dense of the bucket number (" << time.edges.size() + 1 << " buckets, " << edges_text(time.edges)
          << "), added";
      break;
    case spec::TimeEncoding::Embedding:
      d << "embedding `" << time.table_name << "` of " << time.edges.size() + 1 << " buckets ("
        << edges_text(time.edges) << "), " << (concat ? "concat" : "added");
      break;
  }
  if (!plan.attended && time.encoding != spec::TimeEncoding::None) d << " (not attended: unused)";
  return d.str();
}

}  // namespace

template <class T>
GroupSummary GroupEmbedding<T>::summary() const {
  GroupSummary s;
  s.name = plan.name;
  s.behaviors = plan.behaviors;
  s.object = plan.object;
  s.attended = plan.attended;
  for (const auto& f : plan.features) s.features.push_back({f.table_name, f.through, f.width});
  s.behavior_table = plan.behavior_table_name;
  s.behavior_width = plan.behavior_width;
  s.time = time_text(plan);
  s.time_table = plan.time.table_name;
  s.time_width = plan.time.concat_width;
  s.input_width = plan.input_width;
  s.width = plan.projected ? plan.width : 0;
  s.projection_activation = plan.projected ? spec::name_of(plan.activation) : "";
  s.params = (plan.projected ? projection.param_count() : 0) + (plan.time.dense ? time_dense.param_count() : 0);
  return s;
}

template struct GroupEmbedding<float>;
template struct GroupEmbedding<double>;

}  // namespace atrank::model
