// Score input lines through simdjson's DOM (depth-limited, no recursion on
// our side), every value checked against the run's id maps.
#include "atrank/infer/score_input.hpp"

#include <simdjson.h>

#include <limits>

#include "atrank/data/fields.hpp"

namespace atrank::infer {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

// Parses one line; every failure names the field.
class LineParser {
 public:
  LineParser(const ScoreSchema& schema, int default_task, const std::string& source, std::int64_t line)
      : schema_(schema), default_task_(default_task), source_(source), line_(line) {}

  ScoreRequest parse(std::string_view text) {
    element doc;
    if (const auto err = parser_.parse(text.data(), text.size()).get(doc))
      fail("", std::string("malformed JSON (") + simdjson::error_message(err) + ")");
    simdjson::dom::object obj;
    if (doc.get(obj)) fail("", "expected a JSON object, got " + type_name(doc));
    ScoreRequest r;
    r.line = line_;
    r.task = default_task_;
    element history, candidates;
    bool has_history = false, has_candidates = false;
    std::vector<std::string_view> seen;
    for (const auto field : obj) {
      const std::string_view key = field.key;
      once(seen, "", key);
      if (key == "history") has_history = true, history = field.value;
      else if (key == "candidates") has_candidates = true, candidates = field.value;
      else if (key == "task") r.task = task(field.value);
      else if (key == "time") r.has_time = true, r.time = time("time", field.value);
      else if (key == "user") r.user = raw_id("user", field.value);
      else
        fail(std::string(key), std::string("unknown field (expected history, ") +
                                   (schema_.wants_candidates() ? "candidates, " : "") + "task, time, user)");
    }
    if (!has_history) fail("history", "missing (a list of {object, behavior, time}; [] for none)");
    events(history, r.history);
    if (schema_.wants_candidates()) {
      if (has_candidates) targets(candidates, r.task, r.candidates);
      else if (schema_.requires_candidates()) fail("candidates", "missing (a list of objects to score)");
    } else if (has_candidates) {
      fail("candidates", "recommend ranks every object of the task; candidates belong to `atrank score`");
    }
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw ScoreInputError(source_, line_, field, problem);
  }

  // A key may appear once per object (JSON allows repeats; a repeat here is a mistake).
  void once(std::vector<std::string_view>& seen, const std::string& prefix, std::string_view key) const {
    for (const auto k : seen)
      if (k == key) fail(prefix + std::string(key), "given twice");
    seen.push_back(key);
  }

  static std::string type_name(element e) {
    switch (e.type()) {
      case element_type::ARRAY: return "an array";
      case element_type::OBJECT: return "an object";
      case element_type::INT64:
      case element_type::UINT64: return "an integer";
      case element_type::DOUBLE: return "a number";
      case element_type::STRING: return "a string";
      case element_type::BOOL: return "a boolean";
      case element_type::NULL_VALUE: return "null";
    }
    return "a value";
  }

  // A raw id: a string (trimmed, non-empty, no NUL) or an integer (its decimal text).
  std::string raw_id(const std::string& field, element e) const {
    std::string_view s;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    if (!e.get(s)) {
      std::string problem;
      if (!data::check_id(s, problem)) fail(field, "id " + problem);
      return std::string(s);
    }
    if (!e.get(i)) return std::to_string(i);
    if (!e.get(u)) return std::to_string(u);
    fail(field, "expected an id (a string or an integer), got " + type_name(e));
  }

  // Unix seconds: an integer, a finite number (truncated) or a string (digits or ISO-8601, UTC).
  std::int64_t time(const std::string& field, element e) const {
    std::int64_t t = 0;
    double d = 0;
    std::string_view s;
    if (!e.get(t)) return t;
    if (!e.get(d)) {
      if (data::truncate_seconds(d, t)) return t;
      fail(field, "time out of range");
    }
    if (!e.get(s)) {
      if (data::parse_time(s, spec::TimeFormat::Unix, t) || data::parse_time(s, spec::TimeFormat::Iso, t)) return t;
      fail(field, "\"" + std::string(s) + "\" is not a time (unix seconds, or YYYY-MM-DD[THH:MM[:SS]][Z])");
    }
    fail(field, "expected a time (unix seconds or a date string), got " + type_name(e));
  }

  int task(element e) const {
    std::string_view name;
    if (e.get(name)) fail("task", "expected a task name (a string), got " + type_name(e));
    const int k = schema_.task(name);
    if (k < 0) fail("task", "unknown task \"" + std::string(name) + "\" (the run's tasks: " + schema_.task_names() + ")");
    return k;
  }

  simdjson::dom::array array(const std::string& field, element e, const std::string& of) const {
    simdjson::dom::array a;
    if (e.get(a)) fail(field, "expected a list of " + of + ", got " + type_name(e));
    return a;
  }

  void events(element e, std::vector<Event>& out) const {
    std::size_t i = 0;
    for (const element ev : array("history", e, "{object, behavior, time}")) {
      const std::string at = "history[" + std::to_string(i++) + "]";
      simdjson::dom::object obj;
      if (ev.get(obj)) fail(at, "expected an object {object, behavior, time}, got " + type_name(ev));
      std::string object;
      bool has_object = false, has_time = false;
      int behavior = schema_.default_behavior();
      Event out_event;
      std::vector<std::string_view> seen;
      for (const auto field : obj) {
        const std::string_view key = field.key;
        once(seen, at + ".", key);
        if (key == "object") {
          has_object = true;
          object = raw_id(at + ".object", field.value);
        } else if (key == "behavior") {
          behavior = event_behavior(at + ".behavior", field.value);
        } else if (key == "time") {
          has_time = true;
          out_event.time = time(at + ".time", field.value);
        } else {
          fail(at + "." + std::string(key), "unknown field (expected object, behavior, time)");
        }
      }
      if (!has_object) fail(at + ".object", "missing");
      if (!has_time) fail(at + ".time", "missing");
      if (behavior < 0)
        fail(at + ".behavior", "missing (the run has several behaviors: " + schema_.behavior_names() + ")");
      out_event.behavior = behavior;
      out_event.object = schema_.object_of_behavior(behavior, object);
      if (out_event.object < 0)
        fail(at + ".object",
             "unknown " + schema_.space_of_behavior(behavior) + " \"" + object + "\" (not in the run's id map)");
      out.push_back(out_event);
    }
  }

  int event_behavior(const std::string& field, element e) const {
    std::string_view name;
    if (e.get(name)) fail(field, "expected a behavior name (a string), got " + type_name(e));
    const int b = schema_.behavior(name);
    if (b < 0)
      fail(field, "unknown behavior \"" + std::string(name) + "\" (the run's behaviors: " + schema_.behavior_names() +
                      ")");
    if (!schema_.in_a_group(b))
      fail(field, "behavior \"" + std::string(name) + "\" is in no group of the spec: the model does not read it");
    return b;
  }

  void targets(element e, int task, std::vector<std::int32_t>& out) const {
    std::size_t i = 0;
    for (const element c : array("candidates", e, "objects")) {
      const std::string at = "candidates[" + std::to_string(i++) + "]";
      const std::string raw = raw_id(at, c);
      const std::int32_t row = schema_.target_of_task(task, raw);
      if (row < 0)
        fail(at, "unknown " + schema_.space_of_task(task) + " \"" + raw + "\" (not in the run's id map)");
      out.push_back(row);
    }
    if (out.empty()) fail("candidates", "empty (nothing to score)");
  }

  const ScoreSchema& schema_;
  const int default_task_;
  const std::string& source_;
  const std::int64_t line_;
  simdjson::dom::parser parser_;
};

}  // namespace

ScoreSchema::ScoreSchema(const data::IdMaps& ids, const data::Layout& layout, bool candidates,
                         bool candidates_required)
    : candidates_(candidates),
      candidates_required_(candidates_required),
      behavior_space_(ids.behavior_space),
      grouped_(ids.vocab.behaviors.size(), 0) {
  behaviors_ = data::row_lookup(ids.vocab.behaviors, "behavior");
  if (ids.vocab.behaviors.size() == 1) default_behavior_ = 0;
  auto add_space = [&](const std::string& space) {
    for (const auto& s : spaces_)
      if (s.first == space) return;
    const auto it = ids.vocab.original_ids.find(space);
    spaces_.emplace_back(space, data::row_lookup(it == ids.vocab.original_ids.end() ? std::vector<std::string>{}
                                                                                   : it->second,
                                                 space));
  };
  for (const auto& g : layout.groups) {
    for (const std::int32_t b : g.behaviors) grouped_[std::size_t(b)] = 1;
    add_space(g.object_space);
  }
  for (const auto& t : layout.tasks) tasks_.push_back({t.name, layout.groups[std::size_t(t.group)].object_space});
}

int ScoreSchema::task(std::string_view name) const {
  for (std::size_t k = 0; k < tasks_.size(); ++k)
    if (tasks_[k].name == name) return int(k);
  return -1;
}

int ScoreSchema::behavior(std::string_view name) const { return behaviors_.find(name); }

const data::IdMap& ScoreSchema::lookup(const std::string& space) const {
  for (const auto& s : spaces_)
    if (s.first == space) return s.second;
  static const data::IdMap none;
  return none;
}

std::int32_t ScoreSchema::object_of_behavior(int b, std::string_view raw) const {
  return lookup(behavior_space_[std::size_t(b)]).find(raw);
}

std::int32_t ScoreSchema::target_of_task(int k, std::string_view raw) const {
  return lookup(tasks_[std::size_t(k)].space).find(raw);
}

std::string ScoreSchema::task_names() const {
  std::vector<std::string> names;
  for (const auto& t : tasks_) names.push_back(t.name);
  return join(names);
}

std::string ScoreSchema::behavior_names() const {
  std::vector<std::string> names;
  for (std::int32_t b = 0; b < behaviors_.size(); ++b) names.emplace_back(behaviors_.name(b));
  return join(names);
}

ScoreRequest parse_score_line(std::string_view text, std::int64_t line, const ScoreSchema& schema, int default_task,
                              const std::string& source) {
  return LineParser(schema, default_task, source, line).parse(text);
}

ScoreInputReport read_score_input(std::string_view bytes, const ScoreSchema& schema, int default_task,
                                  const std::string& source, bool skip_bad_lines,
                                  const std::function<void(ScoreRequest&&)>& use) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (bytes.substr(0, kBom.size()) == kBom) bytes.remove_prefix(kBom.size());
  ScoreInputReport report;
  std::int64_t number = 0;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find('\n');
    std::string_view line = bytes.substr(0, end);
    bytes.remove_prefix(end == std::string_view::npos ? bytes.size() : end + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++report.lines;
    ScoreRequest request;
    try {
      request = parse_score_line(line, number, schema, default_task, source);
    } catch (const ScoreInputError& e) {
      if (!skip_bad_lines) throw;
      ++report.skipped;
      if (report.messages.size() < ScoreInputReport::kMaxMessages) report.messages.push_back(e.what());
      continue;
    }
    use(std::move(request));
  }
  return report;
}

}  // namespace atrank::infer
