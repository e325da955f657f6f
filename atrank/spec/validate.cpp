// validate(): values (enums, ranges, sizes) and cross-references (tables,
// attributes, groups, widths) of a resolved spec. Every message names the
// origin of the offending key, its path, what was expected and the choices.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "atrank/spec/document.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/spec/suggest.hpp"

namespace atrank::spec {

namespace {

const std::vector<std::string> kSources = {"amazon", "csv", "movielens"};
const std::vector<std::string> kTimeFormats = {"unix", "iso"};
const std::vector<std::string> kSplits = {"last", "valid"};
const std::vector<std::string> kInits = {"glorot_uniform", "zeros", "normal"};
const std::vector<std::string> kTimeEncodings = {"one_hot", "embedding", "none"};
const std::vector<std::string> kTimeCombines = {"concat", "add"};
const std::vector<std::string> kActivations = {"none", "relu", "tanh"};
const std::vector<std::string> kEncoders = {"atrank", "bpr", "bilstm", "bilstm_att", "cnn"};
const std::vector<std::string> kQkvActivations = {"relu", "none"};
const std::vector<std::string> kLosses = {"sigmoid_ce", "bpr"};
const std::vector<std::string> kOptimizers = {"sgd", "adam", "adagrad"};
const std::vector<std::string> kMultitask = {"interleave", "mixed"};
const std::vector<std::string> kSelect = {"valid", "test"};
const std::vector<std::string> kMetrics = {"auc", "gauc", "roc_auc", "logloss", "hr@K", "ndcg@K"};
// Attributes the built-in importers provide without declaring them.
const std::vector<std::string> kBuiltinAttributes = {"category"};

std::string q(const std::string& s) { return "`" + s + "`"; }

template <class T>
std::vector<std::string> names_of(const std::vector<T>& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.name);
  return out;
}

class Checker {
 public:
  explicit Checker(const Spec& s) : s_(s) {}

  void run() {
    names();
    data();
    vocab();
    tables();
    encoder();
    groups();
    group_widths();
    tasks();
    train();
    eval();
  }

 private:
  const Spec& s_;

  // The origin of `path`, else of the closest enclosing key that was written, else the file.
  Origin where(std::string path) const {
    while (!path.empty()) {
      if (auto it = s_.origins.find(path); it != s_.origins.end()) return it->second;
      const auto cut = path.find_last_of(".[");
      path = cut == std::string::npos ? "" : path.substr(0, cut);
    }
    Origin o;
    o.file = s_.file;
    return o;
  }
  std::string at(const std::string& path) const { return path + " at " + where(path).str(); }

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    spec::fail(where(path), path, what);
  }

  void one_of(const std::string& path, const std::string& value, const std::vector<std::string>& choices) const {
    if (std::find(choices.begin(), choices.end(), value) != choices.end()) return;
    fail(path, "unknown value \"" + value + "\"" + did_you_mean(value, choices) + "; expected one of: " + join(choices));
  }
  void positive(const std::string& path, std::int64_t v) const {
    if (v <= 0) fail(path, "expected a positive integer, got " + std::to_string(v));
  }
  void non_negative(const std::string& path, std::int64_t v) const {
    if (v < 0) fail(path, "expected a non-negative integer, got " + std::to_string(v));
  }
  void positive(const std::string& path, double v) const {
    if (!(v > 0)) fail(path, fmt::format("expected a positive number, got {}", v));
  }
  void non_negative(const std::string& path, double v) const {
    if (!(v >= 0)) fail(path, fmt::format("expected a non-negative number, got {}", v));
  }
  void unit_interval(const std::string& path, double v) const {  // [0, 1)
    if (!(v >= 0 && v < 1)) fail(path, fmt::format("expected a number in [0, 1), got {}", v));
  }
  void identifier(const std::string& path, const std::string& v, const std::string& what) const {
    if (v.empty()) fail(path, "expected " + what + ", got an empty string");
    if (!is_identifier(v)) fail(path, "invalid " + what + " \"" + v + "\": use letters, digits, `_` and `-`");
  }
  const TableSpec& table_ref(const std::string& path, const std::string& name) const {
    if (const TableSpec* t = s_.table(name)) return *t;
    const auto defined = names_of(s_.tables);
    fail(path, "undefined table " + q(name) + did_you_mean(name, defined) + "; defined tables: " + join(defined));
  }
  const GroupSpec& group_ref(const std::string& path, const std::string& name) const {
    if (const GroupSpec* g = s_.group(name)) return *g;
    const auto defined = names_of(s_.groups);
    fail(path, "undefined group " + q(name) + did_you_mean(name, defined) + "; defined groups: " + join(defined));
  }

  // ---- names -----------------------------------------------------------------
  template <class T>
  void unique_names(const std::string& section, const std::vector<T>& v) const {
    std::map<std::string, std::string> seen;
    for (const auto& x : v) {
      const std::string path = section + "." + x.name;
      identifier(path, x.name, "name");
      if (auto it = seen.find(x.name); it != seen.end())
        fail(path, "defined twice (also " + at(it->second) + ")");
      seen[x.name] = path;
    }
  }
  void names() const {
    unique_names("tables", s_.tables);
    unique_names("groups", s_.groups);
    unique_names("tasks", s_.tasks);
  }

  // ---- data ------------------------------------------------------------------
  std::vector<std::string> object_spaces() const {
    std::vector<std::string> out = {s_.data.object_space};
    for (const auto& [b, space] : s_.data.behavior_object_space)
      if (std::find(out.begin(), out.end(), space) == out.end()) out.push_back(space);
    return out;
  }
  // Attributes available for objects of `space` (declared, or built into the importer).
  std::vector<std::string> attributes_of(const std::string& space) const {
    std::vector<std::string> out;
    if ((s_.data.source == "amazon" || s_.data.source == "movielens") && space == s_.data.object_space)
      out = kBuiltinAttributes;
    for (const auto& a : s_.data.attributes)
      if (a.object_space == space) out.push_back(a.name);
    return out;
  }
  bool attributes_known() const {
    return s_.data.source == "amazon" || s_.data.source == "movielens" || !s_.data.attributes.empty();
  }

  void data() const {
    const DataSpec& d = s_.data;
    one_of("data.source", d.source, kSources);
    if (d.path.empty())
      fail("data.path", "expected the data location (a directory, or a file for csv), got an empty string");
    if (d.source == "amazon" && d.amazon_category.empty())
      fail("data.amazon_category", "source \"amazon\" needs the category of the files, e.g. \"Electronics\"");
    if (d.delimiter.size() != 1 && d.delimiter != "\\t" && d.delimiter != "tab")
      fail("data.delimiter", "expected a single character (\",\", \";\", \"\\t\" or \"tab\"), got \"" + d.delimiter + "\"");
    one_of("data.time_format", d.time_format, kTimeFormats);
    one_of("data.split", d.split, kSplits);
    if (!d.synthetic.empty()) one_of("data.synthetic", d.synthetic, {"single", "multi"});
    positive("data.time_unit_seconds", d.time_unit_seconds);
    non_negative("data.history_cap", d.history_cap);
    non_negative("data.min_events", d.min_events);
    non_negative("data.liked_threshold", static_cast<std::int64_t>(d.liked_threshold));
    identifier("data.object_space", d.object_space, "an id space name");
    if (d.default_behavior.empty()) fail("data.default_behavior", "expected a behavior name, got an empty string");
    if (d.source == "csv") {
      if (!d.header && d.columns.empty())
        fail("data.columns", "a csv without header (data.header = false) needs the column names in order");
      const std::vector<std::pair<std::string, std::string>> used = {
          {"data.user_column", d.user_column},
          {"data.object_column", d.object_column},
          {"data.time_column", d.time_column},
          {"data.behavior_column", d.behavior_column}};
      for (const auto& [path, column] : used) {
        if (column.empty()) {
          if (path == "data.behavior_column") continue;  // optional
          fail(path, "expected a column name, got an empty string");
        }
        if (!d.columns.empty() && std::find(d.columns.begin(), d.columns.end(), column) == d.columns.end())
          fail(path, "column " + q(column) + " is not among data.columns" + did_you_mean(column, d.columns) +
                         "; columns: " + join(d.columns));
      }
    }
    for (const auto& [behavior, space] : d.behavior_object_space)
      identifier("data.behavior_object_space." + behavior, space, "an id space name");
    std::map<std::pair<std::string, std::string>, std::string> seen;
    for (std::size_t i = 0; i < d.attributes.size(); ++i) {
      const AttributeSpec& a = d.attributes[i];
      const std::string path = "data.attributes[" + std::to_string(i) + "]";
      identifier(path + ".name", a.name, "an attribute name (its id space)");
      identifier(path + ".object_space", a.object_space, "an id space name");
      const auto spaces = object_spaces();
      if (std::find(spaces.begin(), spaces.end(), a.object_space) == spaces.end())
        fail(path + ".object_space", "unknown object space " + q(a.object_space) + did_you_mean(a.object_space, spaces) +
                                         "; the data has: " + join(spaces) +
                                         " (data.object_space and data.behavior_object_space)");
      if (a.column.empty()) fail(path + ".column", "expected the column holding the attribute, got an empty string");
      if (!a.path.empty() && a.object_column.empty())
        fail(path + ".object_column", "an attribute file (path = \"" + a.path +
                                          "\") needs the column of the object id, got an empty string");
      const auto key = std::make_pair(a.object_space, a.name);
      if (auto it = seen.find(key); it != seen.end())
        fail(path + ".name", "attribute " + q(a.name) + " of " + q(a.object_space) + " declared twice (also " +
                                 at(it->second) + ")");
      seen[key] = path + ".name";
    }
  }

  // Id spaces a size can be given for: users, behaviors, object spaces,
  // attributes and whatever a table indexes.
  std::vector<std::string> id_spaces() const {
    std::vector<std::string> out = {"user", "behavior"};
    auto add = [&out](const std::string& x) {
      if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
    };
    for (const auto& x : object_spaces()) add(x);
    for (const auto& x : kBuiltinAttributes)
      if (s_.data.source == "amazon" || s_.data.source == "movielens") add(x);
    for (const auto& a : s_.data.attributes) add(a.name);
    for (const auto& t : s_.tables) add(t.vocab);
    return out;
  }

  void vocab() const {
    const auto spaces = id_spaces();
    for (const auto& [space, size] : s_.vocab) {
      identifier("vocab." + space, space, "an id space name");
      if (std::find(spaces.begin(), spaces.end(), space) == spaces.end())
        fail("vocab." + space, "unknown id space " + q(space) + did_you_mean(space, spaces) +
                                   "; the spec's id spaces: " + join(spaces));
      positive("vocab." + space, size);
    }
  }

  void tables() const {
    for (const auto& t : s_.tables) {
      const std::string path = "tables." + t.name;
      identifier(path + ".vocab", t.vocab, "an id space name");
      positive(path + ".width", t.width);
      one_of(path + ".init", t.init, kInits);
      if (t.init == "normal") positive(path + ".init_scale", t.init_scale);
    }
  }

  // ---- encoder ---------------------------------------------------------------
  void encoder() const {
    const EncoderSpec& e = s_.encoder;
    one_of("encoder.kind", e.kind, kEncoders);
    positive("encoder.hidden", e.hidden);
    positive("encoder.heads", e.heads);
    positive("encoder.blocks", e.blocks);
    positive("encoder.ffn", e.ffn);
    unit_interval("encoder.dropout", e.dropout);
    one_of("encoder.qkv_activation", e.qkv_activation, kQkvActivations);
    positive("encoder.layer_norm_eps", e.layer_norm_eps);
    positive("encoder.lstm_units", e.lstm_units);
    positive("encoder.cnn_filters", e.cnn_filters);
    positive("encoder.cnn_max_length", e.cnn_max_length);
    if (e.cnn_widths.empty()) fail("encoder.cnn_widths", "expected at least one convolution width");
    for (std::size_t i = 0; i < e.cnn_widths.size(); ++i) {
      const std::string path = "encoder.cnn_widths[" + std::to_string(i) + "]";
      positive(path, e.cnn_widths[i]);
      if (e.kind == "cnn" && e.cnn_widths[i] > e.cnn_max_length)
        fail(path, fmt::format("convolution width {} exceeds the padded length encoder.cnn_max_length = {}",
                               e.cnn_widths[i], e.cnn_max_length));
    }
    if (e.kind == "atrank" && e.hidden % e.heads != 0)
      fail("encoder.heads", fmt::format("{} heads do not divide the hidden width {} ({}); choose a divisor of {}",
                                        e.heads, e.hidden, at("encoder.hidden"), e.hidden));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < e.attend.size(); ++i) {
      const std::string path = "encoder.attend[" + std::to_string(i) + "]";
      group_ref(path, e.attend[i]);
      if (!seen.insert(e.attend[i]).second) fail(path, "group " + q(e.attend[i]) + " listed twice");
    }
    if (e.kind == "bpr" && e.user_table.empty())
      fail("encoder.user_table", "encoder \"bpr\" needs a user embedding table (e.g. user_table = \"user\")");
    if (!e.user_table.empty()) {
      const TableSpec& t = table_ref("encoder.user_table", e.user_table);
      if (t.vocab != "user")
        fail("encoder.user_table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                       at("tables." + t.name + ".vocab") + "); the user table must index `user`");
    }
  }

  // ---- groups ----------------------------------------------------------------
  void groups() const {
    if (s_.groups.empty())
      fail("groups", "no behavior groups: define at least one [groups.<name>] with its object features");
    const auto spaces = object_spaces();
    std::map<std::string, std::string> behavior_owner;  // behavior -> path that claimed it
    std::map<std::string, const GroupSpec*> time_owner; // time table -> first group using it
    for (const auto& g : s_.groups) {
      const std::string path = "groups." + g.name;
      if (std::find(spaces.begin(), spaces.end(), g.object) == spaces.end())
        fail(path + ".object", "unknown object space " + q(g.object) + did_you_mean(g.object, spaces) +
                                   "; the data has: " + join(spaces) +
                                   " (data.object_space and data.behavior_object_space)");
      for (std::size_t i = 0; i < g.behaviors.size(); ++i) {
        const std::string bpath = path + ".behaviors[" + std::to_string(i) + "]";
        if (g.behaviors[i].empty()) fail(bpath, "expected a behavior name, got an empty string");
        if (auto it = behavior_owner.find(g.behaviors[i]); it != behavior_owner.end())
          fail(bpath, "behavior \"" + g.behaviors[i] + "\" already belongs to " + at(it->second) +
                          "; a behavior type belongs to one group");
        behavior_owner[g.behaviors[i]] = bpath;
      }
      if (g.features.empty())
        fail(path + ".features", "expected at least one feature (e.g. features = [\"" + g.object + "\"])");
      for (std::size_t i = 0; i < g.features.size(); ++i) feature(g, i);
      if (!g.behavior_table.empty()) {
        const TableSpec& t = table_ref(path + ".behavior_table", g.behavior_table);
        if (t.vocab != "behavior")
          fail(path + ".behavior_table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                             at("tables." + t.name + ".vocab") +
                                             "); a behavior-type table must index `behavior`");
      }
      time(g);
      if (g.time.encoding == "embedding") {
        const std::string tpath = path + ".time";
        if (const TableSpec* t = s_.table(g.time.table))
          fail(tpath + ".table", "time table " + q(g.time.table) + " clashes with the table declared at " +
                                     t->origin.str() + "; time tables are made by their group: choose another name");
        auto [it, first] = time_owner.emplace(g.time.table, &g);
        if (!first) {
          const GroupSpec& o = *it->second;
          const std::string opath = "groups." + o.name + ".time";
          if (o.time.width != g.time.width)
            fail(tpath + ".width", fmt::format("time table {} is shared with group {} but is {} wide here and {} wide "
                                               "there ({})",
                                               q(g.time.table), q(o.name), g.time.width, o.time.width,
                                               at(opath + ".width")));
          if (o.time.edges != g.time.edges)
            fail(tpath + ".edges", fmt::format("time table {} is shared with group {} but has {} buckets here and {} "
                                               "there ({})",
                                               q(g.time.table), q(o.name), g.time.edges.size(), o.time.edges.size(),
                                               at(opath + ".edges")));
        }
      }
      one_of(path + ".projection.activation", g.projection.activation, kActivations);
      if (g.projection.enabled) positive(path + ".projection.width", g.projection.width);
    }
  }

  void feature(const GroupSpec& g, std::size_t i) const {
    const FeatureSpec& f = g.features[i];
    const std::string path = "groups." + g.name + ".features[" + std::to_string(i) + "]";
    const TableSpec& t = table_ref(path + ".table", f.table);
    if (f.through.empty()) {
      if (t.vocab != g.object)
        fail(path + ".table", "table " + q(t.name) + " indexes " + q(t.vocab) + " ids (" +
                                  at("tables." + t.name + ".vocab") + ") but this feature looks up the group's " +
                                  q(g.object) + " ids; map them first with through = \"" + t.vocab + "\"");
      return;
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
  }

  void time(const GroupSpec& g) const {
    const TimeSpec& t = g.time;
    const std::string path = "groups." + g.name + ".time";
    one_of(path + ".encoding", t.encoding, kTimeEncodings);
    one_of(path + ".combine", t.combine, kTimeCombines);
    identifier(path + ".table", t.table, "a table name");
    positive(path + ".unit_seconds", t.unit_seconds);
    if (t.edges_kind == "log2") {
      if (t.count < 1 || t.count > 62)
        fail(path + ".count", fmt::format("expected a positive number of log2 edges (at most 62), got {}", t.count));
    } else if (t.edges_kind == "explicit") {
      if (t.edges.empty()) fail(path + ".edges", "expected at least one bucket edge (or edges = \"log2\")");
      for (std::size_t i = 0; i < t.edges.size(); ++i) {
        const std::string epath = path + ".edges";
        if (t.edges[i] <= 0)
          fail(epath, fmt::format("bucket edges must be positive, got edges[{}] = {}", i, t.edges[i]));
        if (i > 0 && t.edges[i] <= t.edges[i - 1])
          fail(epath, fmt::format("bucket edges must increase: edges[{}] = {} is not above edges[{}] = {}", i,
                                  t.edges[i], i - 1, t.edges[i - 1]));
      }
      if (t.count != static_cast<std::int64_t>(t.edges.size()))
        fail(path + ".count", fmt::format("count = {} but {} edges are given (count applies to edges = \"log2\")",
                                          t.count, t.edges.size()));
    } else {
      fail(path + ".edges", "unknown edges kind \"" + t.edges_kind + "\"; expected one of: log2, explicit");
    }
    if (t.encoding == "embedding") {
      positive(path + ".width", t.width);
    } else if (t.width != 0) {
      fail(path + ".width", fmt::format("width = {} applies to encoding = \"embedding\" only (encoding is \"{}\")",
                                        t.width, t.encoding));
    }
  }

  // ---- widths ----------------------------------------------------------------
  std::int64_t features_width(const GroupSpec& g, std::string* parts = nullptr) const {
    std::int64_t w = 0;
    for (const auto& f : g.features) {
      const std::int64_t fw = s_.table(f.table)->width;
      w += fw;
      if (parts) *parts += (parts->empty() ? "" : " + ") + f.table + " " + std::to_string(fw);
    }
    return w;
  }
  // The width of a group's vectors as the encoder sees them.
  std::int64_t group_width(const GroupSpec& g) const {
    if (g.projection.enabled) return g.projection.width;
    std::int64_t w = features_width(g);
    if (!g.behavior_table.empty()) w += s_.table(g.behavior_table)->width;
    if (g.time.combine == "concat") {
      if (g.time.encoding == "one_hot") w += static_cast<std::int64_t>(g.time.edges.size());
      if (g.time.encoding == "embedding") w += g.time.width;
    }
    return w;
  }
  std::string width_key(const GroupSpec& g) const {
    return "groups." + g.name + (g.projection.enabled ? ".projection.width" : ".projection.enabled");
  }
  std::vector<const GroupSpec*> attended() const {
    std::vector<const GroupSpec*> out;
    if (s_.encoder.attend.empty())
      for (const auto& g : s_.groups) out.push_back(&g);
    for (const auto& n : s_.encoder.attend) out.push_back(s_.group(n));
    return out;
  }

  void group_widths() const {
    const EncoderSpec& e = s_.encoder;
    if (e.kind == "bpr") return;  // no history encoder
    const GroupSpec* first = nullptr;
    for (const GroupSpec* g : attended()) {
      const std::int64_t w = group_width(*g);
      if (e.kind == "atrank" || e.kind == "cnn") {
        if (w != e.hidden)
          fail(width_key(*g), fmt::format("group {} gives {}-wide vectors but the encoder works at the hidden width {} "
                                          "({}); every group must match it",
                                          q(g->name), w, e.hidden, at("encoder.hidden")));
      } else if (first && w != group_width(*first)) {
        fail(width_key(*g), fmt::format("group {} gives {}-wide vectors but group {} gives {} ({}); groups read by "
                                        "one recurrent encoder must have one width",
                                        q(g->name), w, q(first->name), group_width(*first), at(width_key(*first))));
      }
      if (!first) first = g;
    }
  }

  // ---- tasks -----------------------------------------------------------------
  void tasks() const {
    if (s_.tasks.empty())
      fail("tasks", "no tasks: define at least one [tasks.<name>] with target = \"<group>\"");
    const EncoderSpec& e = s_.encoder;
    for (const auto& t : s_.tasks) {
      const std::string path = "tasks." + t.name;
      const GroupSpec& g = group_ref(path + ".target", t.target);
      one_of(path + ".loss", t.loss, kLosses);
      non_negative(path + ".l2", t.l2);
      positive(path + ".weight", t.weight);
      if (t.learning_rate) {
        positive(path + ".learning_rate", *t.learning_rate);
        if (s_.train.multitask == "mixed")
          fail(path + ".learning_rate", "a per-task learning rate needs train.multitask = \"interleave\" (" +
                                            at("train.multitask") + " is \"mixed\")");
      }
      if (!t.bias_table.empty()) {
        const TableSpec& b = table_ref(path + ".bias_table", t.bias_table);
        if (b.width != 1)
          fail(path + ".bias_table", fmt::format("bias table {} is {} wide ({}); a bias table has width 1",
                                                 q(b.name), b.width, at("tables." + b.name + ".width")));
        if (b.vocab != g.object)
          fail(path + ".bias_table", "bias table " + q(b.name) + " indexes " + q(b.vocab) + " ids (" +
                                         at("tables." + b.name + ".vocab") + ") but the target group " + q(g.name) +
                                         " predicts " + q(g.object) + " objects");
      }
      if (t.project_target && !g.projection.enabled)
        fail(path + ".project_target", "the target group " + q(g.name) + " has no projection (" +
                                           at("groups." + g.name + ".projection.enabled") + ")");
      // score = bias + dot(user vector, target vector): equal widths.
      std::string parts;
      std::int64_t target_width = 0;
      if (t.project_target) {
        target_width = g.projection.width;
        parts = "groups." + g.name + ".projection.width";
      } else {
        target_width = features_width(g, &parts);
        parts = "features of group `" + g.name + "`: " + parts;
      }
      std::int64_t user_width = e.hidden;
      std::string user_key = "encoder.hidden";
      if (e.kind == "bpr") {
        user_width = s_.table(e.user_table)->width;
        user_key = "tables." + e.user_table + ".width";
      }
      if (target_width != user_width)
        fail(path + ".target", fmt::format("the target vector is {} wide ({}) but the user vector is {} wide ({}); "
                                           "the score dot(user, target) needs equal widths",
                                           target_width, parts, user_width, at(user_key)));
      if (e.kind == "bilstm_att" && target_width != e.lstm_units)
        fail(path + ".target", fmt::format("the target vector is {} wide ({}) but bilstm_att attends with it over "
                                           "the {}-unit LSTM states ({}); they must be equal",
                                           target_width, parts, e.lstm_units, at("encoder.lstm_units")));
    }
  }

  // ---- training and evaluation -------------------------------------------------
  void train() const {
    const TrainSpec& t = s_.train;
    one_of("train.optimizer", t.optimizer, kOptimizers);
    positive("train.learning_rate", t.learning_rate);
    for (std::size_t i = 0; i < t.schedule.size(); ++i) {
      const std::string path = "train.schedule[" + std::to_string(i) + "]";
      non_negative(path + ".step", t.schedule[i].step);
      positive(path + ".learning_rate", t.schedule[i].learning_rate);
      if (i > 0 && t.schedule[i].step <= t.schedule[i - 1].step)
        fail(path + ".step", fmt::format("schedule steps must increase: step {} does not come after step {} ({})",
                                         t.schedule[i].step, t.schedule[i - 1].step,
                                         at("train.schedule[" + std::to_string(i - 1) + "].step")));
    }
    unit_interval("train.beta1", t.beta1);
    unit_interval("train.beta2", t.beta2);
    positive("train.adam_eps", t.adam_eps);
    non_negative("train.adagrad_init", t.adagrad_init);
    positive("train.batch_size", t.batch_size);
    positive("train.epochs", t.epochs);
    non_negative("train.clip_norm", t.clip_norm);
    positive("train.threads", t.threads);
    non_negative("train.eval_every", t.eval_every);
    non_negative("train.checkpoint_every", t.checkpoint_every);
    one_of("train.multitask", t.multitask, kMultitask);
    positive("train.eval_batch_size", t.eval_batch_size);
    non_negative("train.max_steps", t.max_steps);
  }

  static bool ranked_metric(const std::string& m, const std::string& prefix) {
    if (m.rfind(prefix, 0) != 0 || m.size() == prefix.size() || m.size() > prefix.size() + 6) return false;
    for (std::size_t i = prefix.size(); i < m.size(); ++i)
      if (m[i] < '0' || m[i] > '9') return false;
    return std::stoll(m.substr(prefix.size())) > 0;
  }

  void eval() const {
    const EvalSpec& e = s_.eval;
    if (e.metrics.empty()) fail("eval.metrics", "expected at least one metric; choices: " + join(kMetrics));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < e.metrics.size(); ++i) {
      const std::string& m = e.metrics[i];
      const std::string path = "eval.metrics[" + std::to_string(i) + "]";
      const bool plain = m == "auc" || m == "gauc" || m == "roc_auc" || m == "logloss";
      if (!plain && !ranked_metric(m, "hr@") && !ranked_metric(m, "ndcg@"))
        fail(path, "unknown metric \"" + m + "\"" +
                       did_you_mean(m, {"auc", "gauc", "roc_auc", "logloss", "hr@10", "ndcg@10"}) +
                       "; expected one of: " + join(kMetrics) + " (K a positive integer)");
      if (!seen.insert(m).second) fail(path, "metric \"" + m + "\" listed twice");
    }
    positive("eval.negatives", e.negatives);
    one_of("eval.select", e.select, kSelect);
    if (e.select == "valid" && s_.data.split != "valid")
      fail("eval.select", "selecting on \"valid\" needs a validation split: data.split = \"valid\" (" +
                              at("data.split") + " is \"" + s_.data.split + "\")");
  }
};

}  // namespace

void validate(const Spec& spec) { Checker(spec).run(); }

}  // namespace atrank::spec
