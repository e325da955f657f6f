// The keys of every table of the language, with their readers and writers.
#include "atrank/spec/schema.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <tuple>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

namespace atrank::spec {

// ---- exact reads ------------------------------------------------------------

void read_into(std::int64_t& out, const At& at) {
  if (auto v = at.node->as_integer()) {
    out = v->get();
    return;
  }
  at.fail("expected an integer, got " + describe(*at.node));
}

void read_into(int& out, const At& at) {
  std::int64_t v = 0;
  read_into(v, at);
  if (v < INT_MIN || v > INT_MAX) at.fail("integer " + std::to_string(v) + " out of range");
  out = static_cast<int>(v);
}

void read_into(std::uint64_t& out, const At& at) {
  std::int64_t v = 0;
  if (!at.node->is_integer()) at.fail("expected a non-negative integer, got " + describe(*at.node));
  read_into(v, at);
  if (v < 0) at.fail("expected a non-negative integer, got " + describe(*at.node));
  out = static_cast<std::uint64_t>(v);
}

void read_into(double& out, const At& at) {
  if (auto v = at.node->as_floating_point()) {
    out = v->get();
    return;
  }
  if (auto v = at.node->as_integer()) {
    out = static_cast<double>(v->get());
    return;
  }
  at.fail("expected a number, got " + describe(*at.node));
}

void read_into(bool& out, const At& at) {
  if (auto v = at.node->as_boolean()) {
    out = v->get();
    return;
  }
  at.fail("expected a boolean (true or false), got " + describe(*at.node));
}

void read_into(std::string& out, const At& at) {
  if (auto v = at.node->as_string()) {
    out = v->get();
    return;
  }
  // `--set data.path=2024`: the text as typed, when it parsed as another scalar.
  if (auto it = at.doc->raw_text.find(at.node); it != at.doc->raw_text.end() && at.node->is_value()) {
    out = it->second;
    return;
  }
  at.fail("expected a string, got " + describe(*at.node));
}

void read_into(std::optional<double>& out, const At& at) {
  double v = 0;
  read_into(v, at);
  out = v;
}

namespace {
template <class T>
void read_array(std::vector<T>& out, const At& at, const char* what) {
  const toml::array* a = at.node->as_array();
  if (!a) at.fail(std::string("expected an array of ") + what + ", got " + describe(*at.node));
  out.clear();
  for (std::size_t i = 0; i < a->size(); ++i) {
    T v{};
    read_into(v, at.element(*a->get(i), i));
    out.push_back(v);
  }
}
}  // namespace

void read_into(std::vector<std::string>& out, const At& at) { read_array(out, at, "strings"); }
void read_into(std::vector<std::int64_t>& out, const At& at) { read_array(out, at, "integers"); }

// ---- literals ---------------------------------------------------------------

std::string emit_value(std::int64_t v) { return std::to_string(v); }
std::string emit_value(int v) { return std::to_string(v); }
std::string emit_value(std::uint64_t v) { return std::to_string(v); }
std::string emit_value(bool v) { return v ? "true" : "false"; }

std::string emit_value(double v) {
  std::string s = fmt::format("{}", v);  // shortest text that reads back to v
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";  // "nan", "inf" contain 'n'
  return s;
}

std::string emit_value(const std::string& v) {
  std::string out = "\"";
  for (const char c : v) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string emit_value(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + emit_value(v[i]);
  return out + "]";
}

std::string emit_value(const std::vector<std::int64_t>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + emit_value(v[i]);
  return out + "]";
}

std::string emit_key(const std::string& key) { return is_identifier(key) ? key : emit_value(key); }

// ---- entry order ------------------------------------------------------------

std::vector<std::pair<const toml::key*, const toml::node*>> ordered_entries(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (auto&& [k, v] : t) out.emplace_back(&k, &v);
  // Keys written in the file keep their order; keys created by --set (no
  // position) come last, in name order (the table's own order).
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const auto& sa = a.first->source().begin;
    const auto& sb = b.first->source().begin;
    const bool fa = sa.line != 0, fb = sb.line != 0;
    if (fa != fb) return fa;
    if (!fa) return false;
    return std::tie(sa.line, sa.column) < std::tie(sb.line, sb.column);
  });
  return out;
}

// ---- schema -----------------------------------------------------------------

namespace {

template <class T, class = void>
struct has_origin : std::false_type {};
template <class T>
struct has_origin<T, std::void_t<decltype(std::declval<T&>().origin)>> : std::true_type {};

template <class S, class T>
Field<S> field(std::string key, T S::*member) {
  return {std::move(key), [member](S& s, const At& at) { read_into(s.*member, at); },
          [member](const S& s) -> std::optional<std::string> { return emit_value(s.*member); }};
}

// A sub-table written as its own [section] by the emitter.
template <class S, class T>
Field<S> section(std::string key, T S::*member, const std::vector<Field<T>>& (*fields)()) {
  return {std::move(key),
          [member, fields](S& s, const At& at) {
            read_fields(at, fields(), s.*member);
            if constexpr (has_origin<T>::value) (s.*member).origin = at.origin();
          },
          [](const S&) -> std::optional<std::string> { return std::nullopt; }};
}

template <class T>
std::string inline_table(const T& v, const std::vector<Field<T>>& fields) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& f : fields) {
    const auto text = f.write(v);
    if (!text) continue;
    out += (first ? "" : ", ") + emit_key(f.key) + " = " + *text;
    first = false;
  }
  return out + (first ? "}" : " }");
}

template <class T>
void read_table_array(std::vector<T>& out, const At& at, const std::vector<Field<T>>& fields, const char* what) {
  const toml::array* a = at.node->as_array();
  if (!a) at.fail(std::string("expected an array of tables (") + what + "), got " + describe(*at.node));
  out.clear();
  for (std::size_t i = 0; i < a->size(); ++i) {
    const At e = at.element(*a->get(i), i);
    T v{};
    read_fields(e, fields, v);
    if constexpr (has_origin<T>::value) v.origin = e.origin();
    out.push_back(v);
  }
}

template <class T>
void read_string_map(std::map<std::string, T>& out, const At& at, const char* what) {
  const toml::table* t = at.node->as_table();
  if (!t) at.fail(std::string("expected a table of ") + what + ", got " + describe(*at.node));
  out.clear();
  for (const auto& [k, v] : ordered_entries(*t)) {
    const std::string key(k->str());
    const At e = at.child(*v, key);
    if (!is_identifier(key))
      spec::fail(at.doc->origin(*k, *v), e.path, "invalid name: use letters, digits, `_` and `-`");
    e.record();
    T value{};
    read_into(value, e);
    out[key] = value;
  }
}

template <class T>
std::string inline_map(const std::map<std::string, T>& m) {
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, v] : m) {
    out += (first ? "" : ", ") + emit_key(k) + " = " + emit_value(v);
    first = false;
  }
  return out + (first ? "}" : " }");
}

// Written by the emitter as [sections] of their own.
std::optional<std::string> none(const Spec&) { return std::nullopt; }

}  // namespace

const std::vector<Field<AttributeSpec>>& attribute_fields() {
  static const std::vector<Field<AttributeSpec>> f = {
      field("name", &AttributeSpec::name),
      field("object_space", &AttributeSpec::object_space),
      field("path", &AttributeSpec::path),
      field("object_column", &AttributeSpec::object_column),
      field("column", &AttributeSpec::column),
  };
  return f;
}

const std::vector<Field<DataSpec>>& data_fields() {
  static const std::vector<Field<DataSpec>> f = {
      field("source", &DataSpec::source),
      field("path", &DataSpec::path),
      field("amazon_category", &DataSpec::amazon_category),
      field("files", &DataSpec::files),
      field("delimiter", &DataSpec::delimiter),
      field("header", &DataSpec::header),
      field("columns", &DataSpec::columns),
      field("user_column", &DataSpec::user_column),
      field("object_column", &DataSpec::object_column),
      field("behavior_column", &DataSpec::behavior_column),
      field("time_column", &DataSpec::time_column),
      field("time_format", &DataSpec::time_format),
      field("default_behavior", &DataSpec::default_behavior),
      field("liked_threshold", &DataSpec::liked_threshold),
      field("object_space", &DataSpec::object_space),
      {"behavior_object_space",
       [](DataSpec& d, const At& at) { read_string_map(d.behavior_object_space, at, "behavior = id space strings"); },
       [](const DataSpec& d) -> std::optional<std::string> { return inline_map(d.behavior_object_space); }},
      field("time_unit_seconds", &DataSpec::time_unit_seconds),
      field("history_cap", &DataSpec::history_cap),
      field("split", &DataSpec::split),
      field("seed", &DataSpec::seed),
      field("skip_bad_lines", &DataSpec::skip_bad_lines),
      field("min_events", &DataSpec::min_events),
      field("cache_dir", &DataSpec::cache_dir),
      field("synthetic", &DataSpec::synthetic),
      {"attributes",
       [](DataSpec& d, const At& at) {
         read_table_array(d.attributes, at, attribute_fields(), "[[data.attributes]]");
       },
       [](const DataSpec&) -> std::optional<std::string> { return std::nullopt; }},  // [[data.attributes]]
  };
  return f;
}

const std::vector<Field<TableSpec>>& table_fields() {
  static const std::vector<Field<TableSpec>> f = {
      field("vocab", &TableSpec::vocab),
      field("width", &TableSpec::width),
      field("init", &TableSpec::init),
      field("init_scale", &TableSpec::init_scale),
  };
  return f;
}

const std::vector<Field<FeatureSpec>>& feature_fields() {
  static const std::vector<Field<FeatureSpec>> f = {
      field("table", &FeatureSpec::table),
      {"through", [](FeatureSpec& s, const At& at) { read_into(s.through, at); },
       [](const FeatureSpec& s) -> std::optional<std::string> {
         if (s.through.empty()) return std::nullopt;
         return emit_value(s.through);
       }},
  };
  return f;
}

const std::vector<Field<TimeSpec>>& time_fields() {
  static const std::vector<Field<TimeSpec>> f = {
      field("encoding", &TimeSpec::encoding),
      {"edges",
       [](TimeSpec& t, const At& at) {
         if (auto s = at.node->as_string()) {
           if (s->get() != "log2")
             at.fail("expected \"log2\" or an array of integers, got " + describe(*at.node) +
                     did_you_mean(s->get(), {"log2"}));
           t.edges_kind = "log2";
           t.edges.clear();
           return;
         }
         if (!at.node->is_array()) at.fail("expected \"log2\" or an array of integers, got " + describe(*at.node));
         read_into(t.edges, at);
         t.edges_kind = "explicit";
       },
       [](const TimeSpec& t) -> std::optional<std::string> {
         return t.edges_kind == "log2" ? emit_value(std::string("log2")) : emit_value(t.edges);
       }},
      {"count", [](TimeSpec& t, const At& at) { read_into(t.count, at); },
       [](const TimeSpec& t) -> std::optional<std::string> {
         if (t.edges_kind != "log2") return std::nullopt;
         return emit_value(t.count);
       }},
      field("width", &TimeSpec::width),
      field("combine", &TimeSpec::combine),
      field("table", &TimeSpec::table),
      field("unit_seconds", &TimeSpec::unit_seconds),
  };
  return f;
}

const std::vector<Field<ProjectionSpec>>& projection_fields() {
  static const std::vector<Field<ProjectionSpec>> f = {
      field("enabled", &ProjectionSpec::enabled),
      field("width", &ProjectionSpec::width),
      field("activation", &ProjectionSpec::activation),
  };
  return f;
}

const std::vector<Field<GroupSpec>>& group_fields() {
  static const std::vector<Field<GroupSpec>> f = {
      field("behaviors", &GroupSpec::behaviors),
      field("object", &GroupSpec::object),
      {"features",
       [](GroupSpec& g, const At& at) {
         const toml::array* a = at.node->as_array();
         if (!a) at.fail("expected an array of features (table names or {table = ..., through = ...}), got " +
                         describe(*at.node));
         g.features.clear();
         for (std::size_t i = 0; i < a->size(); ++i) {
           const At e = at.element(*a->get(i), i);
           FeatureSpec fs;
           if (e.node->is_string()) {
             read_into(fs.table, e);
             e.record();
             e.spec->origins[e.path + ".table"] = e.origin();
           } else if (e.node->is_table()) {
             read_fields(e, feature_fields(), fs);
           } else {
             e.fail("expected a table name or {table = ..., through = ...}, got " + describe(*e.node));
           }
           fs.origin = e.origin();
           g.features.push_back(fs);
         }
       },
       [](const GroupSpec& g) -> std::optional<std::string> {
         std::string out = "[";
         for (std::size_t i = 0; i < g.features.size(); ++i)
           out += (i ? ", " : "") + inline_table(g.features[i], feature_fields());
         return out + "]";
       }},
      field("behavior_table", &GroupSpec::behavior_table),
      section("time", &GroupSpec::time, &time_fields),
      section("projection", &GroupSpec::projection, &projection_fields),
  };
  return f;
}

const std::vector<Field<EncoderSpec>>& encoder_fields() {
  static const std::vector<Field<EncoderSpec>> f = {
      field("kind", &EncoderSpec::kind),
      field("hidden", &EncoderSpec::hidden),
      field("heads", &EncoderSpec::heads),
      field("blocks", &EncoderSpec::blocks),
      field("ffn", &EncoderSpec::ffn),
      field("dropout", &EncoderSpec::dropout),
      field("qkv_activation", &EncoderSpec::qkv_activation),
      field("layer_norm_eps", &EncoderSpec::layer_norm_eps),
      field("attend", &EncoderSpec::attend),
      field("lstm_units", &EncoderSpec::lstm_units),
      field("cnn_widths", &EncoderSpec::cnn_widths),
      field("cnn_filters", &EncoderSpec::cnn_filters),
      field("cnn_max_length", &EncoderSpec::cnn_max_length),
      field("cnn_init", &EncoderSpec::cnn_init),
      field("user_table", &EncoderSpec::user_table),
  };
  return f;
}

const std::vector<Field<TaskSpec>>& task_fields() {
  static const std::vector<Field<TaskSpec>> f = {
      field("target", &TaskSpec::target),
      field("bias_table", &TaskSpec::bias_table),
      field("loss", &TaskSpec::loss),
      field("l2", &TaskSpec::l2),
      field("weight", &TaskSpec::weight),
      {"learning_rate", [](TaskSpec& t, const At& at) { read_into(t.learning_rate, at); },
       [](const TaskSpec& t) -> std::optional<std::string> {
         if (!t.learning_rate) return std::nullopt;
         return emit_value(*t.learning_rate);
       }},
      field("project_target", &TaskSpec::project_target),
  };
  return f;
}

const std::vector<Field<ScheduleStep>>& schedule_fields() {
  static const std::vector<Field<ScheduleStep>> f = {
      field("step", &ScheduleStep::step),
      field("learning_rate", &ScheduleStep::learning_rate),
  };
  return f;
}

const std::vector<Field<EarlyStopSpec>>& early_stop_fields() {
  static const std::vector<Field<EarlyStopSpec>> f = {
      field("metric", &EarlyStopSpec::metric),
      field("patience", &EarlyStopSpec::patience),
      field("min_delta", &EarlyStopSpec::min_delta),
  };
  return f;
}

const std::vector<Field<TrainSpec>>& train_fields() {
  static const std::vector<Field<TrainSpec>> f = {
      field("optimizer", &TrainSpec::optimizer),
      field("learning_rate", &TrainSpec::learning_rate),
      {"schedule",
       [](TrainSpec& t, const At& at) {
         const toml::array* a = at.node->as_array();
         if (!a) at.fail("expected an array of {step = N, learning_rate = X}, got " + describe(*at.node));
         t.schedule.clear();
         for (std::size_t i = 0; i < a->size(); ++i) {
           ScheduleStep s;
           read_fields(at.element(*a->get(i), i), schedule_fields(), s);
           t.schedule.push_back(s);
         }
       },
       [](const TrainSpec& t) -> std::optional<std::string> {
         std::string out = "[";
         for (std::size_t i = 0; i < t.schedule.size(); ++i)
           out += (i ? ", " : "") + inline_table(t.schedule[i], schedule_fields());
         return out + "]";
       }},
      field("beta1", &TrainSpec::beta1),
      field("beta2", &TrainSpec::beta2),
      field("adam_eps", &TrainSpec::adam_eps),
      field("adagrad_init", &TrainSpec::adagrad_init),
      field("batch_size", &TrainSpec::batch_size),
      field("epochs", &TrainSpec::epochs),
      field("clip_norm", &TrainSpec::clip_norm),
      field("seed", &TrainSpec::seed),
      field("threads", &TrainSpec::threads),
      field("eval_every", &TrainSpec::eval_every),
      field("checkpoint_every", &TrainSpec::checkpoint_every),
      field("multitask", &TrainSpec::multitask),
      field("eval_batch_size", &TrainSpec::eval_batch_size),
      field("max_steps", &TrainSpec::max_steps),
      // Written only when on, so that specs without it keep their saved text (and fingerprint).
      {"early_stop", [](TrainSpec& t, const At& at) { read_fields(at, early_stop_fields(), t.early_stop); },
       [](const TrainSpec& t) -> std::optional<std::string> {
         if (t.early_stop.metric.empty()) return std::nullopt;
         return inline_table(t.early_stop, early_stop_fields());
       }},
  };
  return f;
}

const std::vector<Field<EvalSpec>>& eval_fields() {
  static const std::vector<Field<EvalSpec>> f = {
      field("metrics", &EvalSpec::metrics),
      field("negatives", &EvalSpec::negatives),
      field("select", &EvalSpec::select),
      field("ranking", &EvalSpec::ranking),
      field("rank_users", &EvalSpec::rank_users),
  };
  return f;
}

namespace {
// [tables.<name>], [groups.<name>], [tasks.<name>]: a table of named tables in file order.
template <class T>
void read_named(std::vector<T>& out, const At& at, const std::vector<Field<T>>& fields) {
  const toml::table* t = at.node->as_table();
  if (!t) at.fail("expected a table of named entries ([" + at.path + ".<name>]), got " + describe(*at.node));
  out.clear();
  for (const auto& [k, v] : ordered_entries(*t)) {
    const std::string name(k->str());
    const At e = at.child(*v, name);
    if (!is_identifier(name))
      spec::fail(at.doc->origin(*k, *v), e.path, "invalid name: use letters, digits, `_` and `-`");
    T item;
    item.name = name;
    read_fields(e, fields, item);
    item.origin = e.origin();
    out.push_back(item);
  }
}
}  // namespace

const std::vector<Field<Spec>>& spec_fields() {
  static const std::vector<Field<Spec>> f = {
      field("name", &Spec::name),
      field("description", &Spec::description),
      section("data", &Spec::data, &data_fields),
      {"vocab", [](Spec& s, const At& at) { read_string_map(s.vocab, at, "id space = size integers"); }, none},
      {"tables", [](Spec& s, const At& at) { read_named(s.tables, at, table_fields()); }, none},
      {"groups", [](Spec& s, const At& at) { read_named(s.groups, at, group_fields()); }, none},
      section("encoder", &Spec::encoder, &encoder_fields),
      {"tasks", [](Spec& s, const At& at) { read_named(s.tasks, at, task_fields()); }, none},
      section("train", &Spec::train, &train_fields),
      section("eval", &Spec::eval, &eval_fields),
  };
  return f;
}

std::vector<std::string> all_key_paths() {
  std::vector<std::string> out;
  auto add = [&out](const std::string& prefix, const auto& fields) {
    for (const auto& f : fields) out.push_back(prefix + f.key);
  };
  add("", spec_fields());
  add("data.", data_fields());
  add("data.attributes[].", attribute_fields());
  out.push_back("vocab.*");
  add("tables.*.", table_fields());
  add("groups.*.", group_fields());
  add("groups.*.features[].", feature_fields());
  add("groups.*.time.", time_fields());
  add("groups.*.projection.", projection_fields());
  add("encoder.", encoder_fields());
  add("tasks.*.", task_fields());
  add("train.", train_fields());
  add("train.schedule[].", schedule_fields());
  add("train.early_stop.", early_stop_fields());
  add("eval.", eval_fields());
  return out;
}

}  // namespace atrank::spec
