// The planner's model sections: [tables], [encoder] and [groups], and the
// one derivation of every group's widths.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "atrank/spec/planner.hpp"

namespace atrank::spec {

namespace {
std::string q(const std::string& s) { return "`" + s + "`"; }
}  // namespace

// ---- tables ------------------------------------------------------------------

void Planner::tables() {
  for (const auto& t : s_.tables) {
    const std::string path = "tables." + t.name;
    identifier(path + ".vocab", t.vocab, "an id space name");
    size(path + ".width", t.width);
    inits_[t.name] = one_of<InitKind>(path + ".init", t.init);
    if (inits_[t.name] == InitKind::Normal || inits_[t.name] == InitKind::TruncatedNormal)
      positive(path + ".init_scale", t.init_scale);
  }
}

// ---- encoder -----------------------------------------------------------------

void Planner::encoder() {
  const EncoderSpec& e = s_.encoder;
  EncoderPlan& plan = p_.encoder;
  plan.kind = one_of<EncoderKind>("encoder.kind", e.kind);
  plan.uses_history = plan.kind != EncoderKind::Bpr;
  size("encoder.hidden", e.hidden);
  size("encoder.heads", e.heads);
  count("encoder.blocks", e.blocks, kMaxBlocks, "blocks", "every training step runs them one after the other");
  size("encoder.ffn", e.ffn);
  unit_interval("encoder.dropout", e.dropout);
  plan.qkv_activation = one_of("encoder.qkv_activation", e.qkv_activation, qkv_activations());
  positive("encoder.layer_norm_eps", e.layer_norm_eps);
  size("encoder.lstm_units", e.lstm_units);
  size("encoder.cnn_filters", e.cnn_filters);
  size("encoder.cnn_max_length", e.cnn_max_length);
  plan.cnn_init = one_of<InitKind>("encoder.cnn_init", e.cnn_init);
  if (e.cnn_widths.empty()) fail("encoder.cnn_widths", "expected at least one convolution width");
  for (std::size_t i = 0; i < e.cnn_widths.size(); ++i) {
    const std::string path = "encoder.cnn_widths[" + std::to_string(i) + "]";
    size(path, e.cnn_widths[i]);
    if (plan.kind == EncoderKind::Cnn && e.cnn_widths[i] > e.cnn_max_length)
      fail(path, fmt::format("convolution width {} exceeds the padded length encoder.cnn_max_length = {}",
                             e.cnn_widths[i], e.cnn_max_length));
  }
  if (plan.kind == EncoderKind::Atrank && e.hidden % e.heads != 0)
    fail("encoder.heads", fmt::format("{} heads do not divide the hidden width {} ({}); choose a divisor of {}",
                                      e.heads, e.hidden, at("encoder.hidden"), e.hidden));
  std::set<std::string> seen;
  for (std::size_t i = 0; i < e.attend.size(); ++i) {
    const std::string path = "encoder.attend[" + std::to_string(i) + "]";
    group_ref(path, e.attend[i]);
    if (!seen.insert(e.attend[i]).second) fail(path, "group " + q(e.attend[i]) + " listed twice");
  }
  if (plan.kind == EncoderKind::Bpr && e.user_table.empty())
    fail("encoder.user_table", "encoder \"bpr\" needs a user embedding table (e.g. user_table = \"user\")");
  if (!e.user_table.empty()) {
    const TableSpec& t = table_ref("encoder.user_table", e.user_table);
    if (t.vocab != "user")
      fail("encoder.user_table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                     at("tables." + t.name + ".vocab") + "); the user table must index `user`");
  }
}

// ---- groups ------------------------------------------------------------------

void Planner::groups() {
  if (s_.groups.empty())
    fail("groups", "no behavior groups: define at least one [groups.<name>] with its object features");
  std::map<std::string, std::string> behavior_owner;   // behavior -> path that claimed it
  std::map<std::string, const GroupSpec*> time_owner;  // time table -> first group using it
  for (const auto& g : s_.groups) p_.groups.push_back(group(g, behavior_owner, time_owner));
}

GroupPlan Planner::group(const GroupSpec& g, std::map<std::string, std::string>& behavior_owner,
                         std::map<std::string, const GroupSpec*>& time_owner) {
  const std::string path = "groups." + g.name;
  const auto spaces = object_spaces();
  if (std::find(spaces.begin(), spaces.end(), g.object) == spaces.end())
    fail(path + ".object", "unknown object space " + q(g.object) + did_you_mean(g.object, spaces) +
                               "; the data has: " + join(spaces) +
                               " (data.object_space and data.behavior_object_space)");
  behaviors(g, behavior_owner);
  GroupPlan plan;
  plan.name = g.name;
  plan.index = int(p_.groups.size());
  plan.object = g.object;
  plan.behaviors = g.behaviors;
  if (g.features.empty())
    fail(path + ".features", "expected at least one feature (e.g. features = [\"" + g.object + "\"])");
  for (std::size_t i = 0; i < g.features.size(); ++i) {
    plan.features.push_back(feature(g, i));
    plan.feature_width += plan.features.back().width;
  }
  if (!g.behavior_table.empty()) {
    const TableSpec& t = table_ref(path + ".behavior_table", g.behavior_table);
    if (t.vocab != "behavior")
      fail(path + ".behavior_table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                         at("tables." + t.name + ".vocab") +
                                         "); a behavior-type table must index `behavior`");
    plan.behavior_table_name = t.name;
    plan.behavior_width = t.width;
  }
  plan.time = time(g, plan.feature_width + plan.behavior_width);
  if (plan.time.encoding == TimeEncoding::Embedding) shared_time_table(g, time_owner);
  plan.input_width = plan.feature_width + plan.behavior_width + plan.time.concat_width;
  plan.activation = one_of<Activation>(path + ".projection.activation", g.projection.activation);
  if (g.projection.enabled) size(path + ".projection.width", g.projection.width);
  plan.width = g.projection.enabled ? g.projection.width : plan.input_width;
  return plan;
}

void Planner::behaviors(const GroupSpec& g, std::map<std::string, std::string>& owner) const {
  for (std::size_t i = 0; i < g.behaviors.size(); ++i) {
    const std::string path = "groups." + g.name + ".behaviors[" + std::to_string(i) + "]";
    if (g.behaviors[i].empty()) fail(path, "expected a behavior name, got an empty string");
    if (auto it = owner.find(g.behaviors[i]); it != owner.end())
      fail(path, "behavior \"" + g.behaviors[i] + "\" already belongs to " + at(it->second) +
                     "; a behavior type belongs to one group");
    owner[g.behaviors[i]] = path;
  }
}

FeaturePlan Planner::feature(const GroupSpec& g, std::size_t i) const {
  const FeatureSpec& f = g.features[i];
  const std::string path = "groups." + g.name + ".features[" + std::to_string(i) + "]";
  const TableSpec& t = table_ref(path + ".table", f.table);
  const FeaturePlan plan{-1, t.name, f.through, t.width};
  if (f.through.empty()) {
    if (t.vocab != g.object)
      fail(path + ".table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                at("tables." + t.name + ".vocab") + ") but this feature looks up the group's " +
                                q(g.object) + " ids; map them first with through = \"" + t.vocab + "\"");
    return plan;
  }
  if (attributes_known()) {
    const auto attrs = attributes_of(g.object);
    if (std::find(attrs.begin(), attrs.end(), f.through) == attrs.end())
      fail(path + ".through", "no attribute " + q(f.through) + " is declared for " + q(g.object) + " objects" +
                                  did_you_mean(f.through, attrs) + "; declared: " + join(attrs) +
                                  " (data.attributes)");
  }
  if (t.vocab != f.through)
    fail(path + ".table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                              at("tables." + t.name + ".vocab") + ") but the attribute " + q(f.through) +
                              " gives " + q(f.through) + " ids");
  return plan;
}

// `base`: the width of the group's features and behavior type, which an added time encoding matches.
TimePlan Planner::time(const GroupSpec& g, std::int64_t base) const {
  const TimeSpec& t = g.time;
  const std::string path = "groups." + g.name + ".time";
  TimePlan plan;
  plan.encoding = one_of<TimeEncoding>(path + ".encoding", t.encoding);
  plan.combine = one_of<TimeCombine>(path + ".combine", t.combine);
  identifier(path + ".table", t.table, "a table name");
  positive(path + ".unit_seconds", t.unit_seconds);
  time_edges(g);
  plan.edges = bucket_edges(t);
  if (plan.encoding != TimeEncoding::Embedding) {
    if (t.width != 0)
      fail(path + ".width", fmt::format("width = {} applies to encoding = \"embedding\" only (encoding is \"{}\")",
                                        t.width, t.encoding));
    if (plan.encoding == TimeEncoding::OneHot && plan.combine == TimeCombine::Concat)
      plan.concat_width = std::int64_t(plan.edges.size());  // the overflow bucket: all zeros
    return plan;
  }
  size(path + ".width", t.width);
  if (plan.combine == TimeCombine::Add && t.width != base)
    fail(path + ".width", fmt::format("an added time embedding (combine = \"add\") must be as wide as the "
                                      "group's features and behavior type together ({}), got {}",
                                      base, t.width));
  plan.table_name = t.table;
  plan.embedding_width = t.width;
  if (plan.combine == TimeCombine::Concat) plan.concat_width = t.width;
  return plan;
}

void Planner::time_edges(const GroupSpec& g) const {
  const TimeSpec& t = g.time;
  const std::string path = "groups." + g.name + ".time";
  const auto kind = parse_choice<EdgesKind>(t.edges_kind);
  if (!kind) fail(path + ".edges", "unknown edges kind \"" + t.edges_kind + "\"; expected one of: log2, explicit");
  if (*kind == EdgesKind::Log2) {
    if (t.count < 1 || t.count > kMaxLog2Edges)
      fail(path + ".count", fmt::format("expected a positive number of log2 edges (at most {}), got {}",
                                        kMaxLog2Edges, t.count));
    return;
  }
  if (t.edges.empty()) fail(path + ".edges", "expected at least one bucket edge (or edges = \"log2\")");
  for (std::size_t i = 0; i < t.edges.size(); ++i) {
    if (t.edges[i] <= 0)
      fail(path + ".edges", fmt::format("bucket edges must be positive, got edges[{}] = {}", i, t.edges[i]));
    if (i > 0 && t.edges[i] <= t.edges[i - 1])
      fail(path + ".edges", fmt::format("bucket edges must increase: edges[{}] = {} is not above edges[{}] = {}",
                                        i, t.edges[i], i - 1, t.edges[i - 1]));
  }
  if (t.count != static_cast<std::int64_t>(t.edges.size()))
    fail(path + ".count", fmt::format("count = {} but {} edges are given (count applies to edges = \"log2\")",
                                      t.count, t.edges.size()));
}

// A time table is made by its group; groups may share one when they agree on its shape.
void Planner::shared_time_table(const GroupSpec& g, std::map<std::string, const GroupSpec*>& owner) const {
  const std::string path = "groups." + g.name + ".time";
  if (const TableSpec* t = s_.table(g.time.table))
    fail(path + ".table", "time table " + q(g.time.table) + " clashes with the table declared at " +
                              t->origin.str() + "; time tables are made by their group: choose another name");
  const auto [it, first] = owner.emplace(g.time.table, &g);
  if (first) return;
  const GroupSpec& o = *it->second;
  const std::string opath = "groups." + o.name + ".time";
  if (o.time.width != g.time.width)
    fail(path + ".width", fmt::format("time table {} is shared with group {} but is {} wide here and {} wide "
                                      "there ({})",
                                      q(g.time.table), q(o.name), g.time.width, o.time.width, at(opath + ".width")));
  if (o.time.edges != g.time.edges)
    fail(path + ".edges", fmt::format("time table {} is shared with group {} but has {} buckets here and {} "
                                      "there ({})",
                                      q(g.time.table), q(o.name), g.time.edges.size(), o.time.edges.size(),
                                      at(opath + ".edges")));
}

// ---- widths ------------------------------------------------------------------

std::string Planner::width_key(const GroupSpec& g) const {
  return "groups." + g.name + (g.projection.enabled ? ".projection.width" : ".projection.enabled");
}

// Every group the encoder reads gives vectors of the width it works at.
void Planner::group_widths() const {
  const EncoderKind kind = p_.encoder.kind;
  if (kind == EncoderKind::Bpr) return;  // no history encoder
  // The groups in encoder.attend order (all groups when it is empty).
  std::vector<const GroupPlan*> attended;
  for (const GroupPlan& g : p_.groups)
    if (s_.encoder.attend.empty()) attended.push_back(&g);
  for (const auto& name : s_.encoder.attend)
    attended.push_back(&p_.groups[std::size_t(s_.group(name) - s_.groups.data())]);
  const GroupPlan* first = nullptr;
  for (const GroupPlan* gp : attended) {
    const GroupPlan& g = *gp;
    const GroupSpec& gs = s_.groups[std::size_t(g.index)];
    if (kind == EncoderKind::Atrank || kind == EncoderKind::Cnn) {
      if (g.width != s_.encoder.hidden)
        fail(width_key(gs), fmt::format("group {} gives {}-wide vectors but the encoder works at the hidden width "
                                        "{} ({}); every group must match it",
                                        q(g.name), g.width, s_.encoder.hidden, at("encoder.hidden")));
    } else if (first && g.width != first->width) {
      fail(width_key(gs), fmt::format("group {} gives {}-wide vectors but group {} gives {} ({}); groups read by "
                                      "one recurrent encoder must have one width",
                                      q(g.name), g.width, q(first->name), first->width,
                                      at(width_key(s_.groups[std::size_t(first->index)]))));
    }
    if (!first) first = &g;
  }
}

}  // namespace atrank::spec
