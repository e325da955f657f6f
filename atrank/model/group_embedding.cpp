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
GroupEmbedding<T> GroupEmbedding<T>::make(BuildContext<T>& ctx, int index, bool attended,
                                          bool project, std::int64_t hidden) {
  const spec::GroupSpec& gs = ctx.spec.groups.at(std::size_t(index));
  GroupEmbedding g;
  g.name = gs.name;
  g.index = index;
  g.object = gs.object.empty() ? "item" : gs.object;
  g.attended = attended;
  g.projected = project;
  const std::string who = "group `" + g.name + "`";
  if (gs.features.empty()) throw std::invalid_argument(who + " has no features to embed");

  for (const auto& fs : gs.features) {
    Feature f;
    f.table_name = fs.table;
    f.through = fs.through;
    const std::string space = fs.through.empty() ? g.object : fs.through;
    const std::string user =
        who + " feature " + (fs.through.empty() ? g.object + " id" : g.object + " -> " + fs.through);
    f.table = ctx.use_table(fs.table, user, space);
    f.width = ctx.params.tables.at(f.table).width;
    if (!fs.through.empty()) {
      auto os = ctx.vocab.attributes.find(g.object);
      if (os != ctx.vocab.attributes.end()) {
        auto m = os->second.find(fs.through);
        if (m != os->second.end()) {
          const std::int64_t rows = ctx.params.tables.at(f.table).rows;
          for (std::size_t i = 0; i < m->second.size(); ++i)
            if (m->second[i] < 0 || m->second[i] >= rows)
              throw std::invalid_argument("attribute map " + g.object + " -> " + fs.through +
                                          " sends " + g.object + " " + std::to_string(i) +
                                          " to " + std::to_string(m->second[i]) + ", outside table `" +
                                          fs.table + "` (" + std::to_string(rows) + " rows)");
          f.map = std::make_shared<const std::vector<std::int32_t>>(m->second);
        }
      }
    }
    g.feature_width += f.width;
    g.features.push_back(std::move(f));
  }

  // Behavior and time encodings only feed histories: a group that is only a
  // target keeps their widths in its projection (the authors pad the target
  // with zeros there) but gets no tables for them.
  if (!gs.behavior_table.empty()) {
    if (attended) {
      g.behavior_table = ctx.use_table(gs.behavior_table, who + " behavior type", "behavior");
      g.behavior_width = ctx.params.tables.at(g.behavior_table).width;
    } else if (const spec::TableSpec* bt = find_table(ctx.spec, gs.behavior_table)) {
      g.behavior_width = bt->width;
    }
  }

  const auto& ts = gs.time;
  g.combine = ts.combine == "add" ? TimeCombine::Add : TimeCombine::Concat;
  if (ts.combine != "add" && ts.combine != "concat")
    throw std::invalid_argument(who + ": time combine `" + ts.combine + "` (valid: concat, add)");
  const std::int64_t base = g.feature_width + g.behavior_width;
  if (ts.encoding == "none") {
    g.time = TimeEncoding::None;
  } else if (ts.encoding == "one_hot" || ts.encoding == "embedding") {
    g.edges = time_edges(ts);
    if (g.edges.empty()) throw std::invalid_argument(who + ": time encoding needs bucket edges");
    if (ts.encoding == "one_hot") {
      g.time = TimeEncoding::OneHot;
      if (g.combine == TimeCombine::Concat) {
        g.time_width = std::int64_t(g.edges.size());  // overflow bucket -> all zeros
      } else if (attended) {
        ctx.begin_block();
        g.time_dense = nn::Dense<T>::make(ctx.params, "group/" + g.name + "/time", 1, base,
                                          nn::Activation::Tanh);
        ctx.end_block("group/" + g.name + "/time", "dense",
                      "tanh dense of the raw bucket 1 -> " + std::to_string(base) + ", added");
      }
    } else {
      g.time = TimeEncoding::Embedding;
      const std::string tname = ts.table.empty() ? g.name + "_time" : ts.table;
      g.time_table_name = tname;
      const spec::TableSpec* declared = find_table(ctx.spec, tname);
      std::int64_t width = ts.width;
      nn::Init init = nn::Init::glorot();
      if (declared != nullptr) {
        if (width > 0 && declared->width != width)
          throw std::invalid_argument(who + " time embedding is " + std::to_string(width) +
                                      " wide but its table `" + tname + "` is declared " +
                                      std::to_string(declared->width) + " wide");
        width = declared->width;
        init = nn::parse_init(declared->init, declared->init_scale);
      }
      if (g.combine == TimeCombine::Add) {
        if (width == 0) width = base;
        if (width != base)
          throw std::invalid_argument(who + ": an added time embedding must be as wide as the "
                                      "features (" + std::to_string(base) + "), not " +
                                      std::to_string(width));
      }
      if (width <= 0)
        throw std::invalid_argument(who + ": time encoding `embedding` needs a positive width");
      // One row per bucket, the overflow bucket (gap >= last edge) included.
      if (attended)
        g.time_table = ctx.params.tables.use(tname, "time buckets",
                                             std::int64_t(g.edges.size()) + 1, width, init,
                                             who + " time");
      if (g.combine == TimeCombine::Concat) g.time_width = width;
    }
  } else {
    throw std::invalid_argument(who + ": time encoding `" + ts.encoding +
                                "` (valid: one_hot, embedding, none)");
  }

  g.input_width = base + g.time_width;
  g.width = g.input_width;
  if (project) {
    const std::int64_t out = gs.projection.width > 0 ? gs.projection.width : hidden;
    const nn::Activation act = nn::parse_activation(gs.projection.activation);
    ctx.begin_block();
    g.projection = nn::Dense<T>::make(ctx.params, "group/" + g.name + "/projection", g.input_width,
                                      out, act);
    ctx.end_block("group/" + g.name + "/projection", "dense",
                  std::to_string(g.input_width) + " -> " + std::to_string(out) + " (" +
                      gs.projection.activation + ")");
    g.width = out;
  }
  return g;
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
  if (time != TimeEncoding::None) {
    check_size(name, "buckets", g.buckets.size(), batch * len);
    if (time == TimeEncoding::OneHot && combine == TimeCombine::Concat)
      time_part = autodiff::one_hot(t, g.buckets.data(), shape, std::int64_t(edges.size()));
    else if (time == TimeEncoding::OneHot)  // add: tanh dense of the raw bucket number
      time_part = time_dense(t, p, nn::constant_from(t, Shape{batch, len, 1}, g.buckets.data()));
    else
      time_part = autodiff::gather(t, p.tables.at(time_table), g.buckets.data(), shape);
    if (combine == TimeCombine::Concat) parts.push_back(time_part);
  }
  x = parts.size() == 1 ? parts[0] : autodiff::concat(t, parts, -1);  // (B,T,input_width)
  if (time != TimeEncoding::None && combine == TimeCombine::Add) x = autodiff::add(t, x, time_part);
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
GroupSummary GroupEmbedding<T>::summary(const spec::GroupSpec& gs) const {
  GroupSummary s;
  s.name = name;
  s.behaviors = gs.behaviors;
  s.object = object;
  s.attended = attended;
  for (const auto& f : features) s.features.push_back({f.table_name, f.through, f.width});
  s.behavior_table = gs.behavior_table;
  s.behavior_width = behavior_width;
  std::ostringstream d;
  switch (time) {
    case TimeEncoding::None: d << "none"; break;
    case TimeEncoding::OneHot:
      if (combine == TimeCombine::Concat)
        d << "one_hot of " << edges.size() << " buckets (" << edges_text(edges)
          << "; beyond the last: zeros), concat";
      else
        d << "tanh dense of the bucket number (" << edges.size() + 1 << " buckets, "
          << edges_text(edges) << "), added";
      break;
    case TimeEncoding::Embedding:
      s.time_table = time_table_name;
      d << "embedding `" << time_table_name << "` of "
        << edges.size() + 1 << " buckets (" << edges_text(edges) << "), "
        << (combine == TimeCombine::Concat ? "concat" : "added");
      break;
  }
  if (!attended && time != TimeEncoding::None) d << " (not attended: unused)";
  s.time = d.str();
  s.time_width = time_width;
  s.input_width = input_width;
  s.width = projected ? width : 0;
  s.projection_activation = projected ? gs.projection.activation : "";
  s.params = (projected ? projection.param_count() : 0) +
             (time_dense.kernel >= 0 ? time_dense.param_count() : 0);
  return s;
}

template struct GroupEmbedding<float>;
template struct GroupEmbedding<double>;

}  // namespace atrank::model
