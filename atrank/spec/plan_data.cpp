// The planner's first sections: unique names, [data] and [vocab].
#include <algorithm>
#include <map>

#include "atrank/spec/planner.hpp"

namespace atrank::spec {

namespace {

// Attributes the built-in importers provide without declaring them.
const std::vector<std::string> kBuiltinAttributes = {"category"};

std::string q(const std::string& s) { return "`" + s + "`"; }

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

// ---- names -------------------------------------------------------------------

void Planner::names() const {
  const auto check = [this](const std::string& section, const auto& v) {
    std::map<std::string, std::string> seen;
    for (const auto& x : v) {
      const std::string path = section + "." + x.name;
      identifier(path, x.name, "name");
      if (auto it = seen.find(x.name); it != seen.end()) fail(path, "defined twice (also " + at(it->second) + ")");
      seen[x.name] = path;
    }
  };
  check("tables", s_.tables);
  check("groups", s_.groups);
  check("tasks", s_.tasks);
}

// ---- data --------------------------------------------------------------------

std::vector<std::string> Planner::object_spaces() const {
  std::vector<std::string> out = {s_.data.object_space};
  for (const auto& [b, space] : s_.data.behavior_object_space)
    if (!contains(out, space)) out.push_back(space);
  return out;
}

bool Planner::attributes_known() const {
  return source_ == DataSource::Amazon || source_ == DataSource::Movielens || !s_.data.attributes.empty();
}

// Attributes available for objects of `space` (declared, or built into the importer).
std::vector<std::string> Planner::attributes_of(const std::string& space) const {
  std::vector<std::string> out;
  if ((source_ == DataSource::Amazon || source_ == DataSource::Movielens) && space == s_.data.object_space)
    out = kBuiltinAttributes;
  for (const auto& a : s_.data.attributes)
    if (a.object_space == space) out.push_back(a.name);
  return out;
}

void Planner::data() {
  const DataSpec& d = s_.data;
  source_ = one_of<DataSource>("data.source", d.source);
  if (d.path.empty())
    fail("data.path", "expected the data location (a directory, or a file for csv), got an empty string");
  if (source_ == DataSource::Amazon && d.amazon_category.empty())
    fail("data.amazon_category", "source \"amazon\" needs the category of the files, e.g. \"Electronics\"");
  if (!delimiter_char(d.delimiter))
    fail("data.delimiter", "expected a single character (\",\", \";\", \"\\t\" or \"tab\"), got \"" + d.delimiter + "\"");
  one_of<TimeFormat>("data.time_format", d.time_format);
  split_ = one_of<SplitScheme>("data.split", d.split);
  if (!d.synthetic.empty()) one_of<SyntheticKind>("data.synthetic", d.synthetic);
  positive("data.time_unit_seconds", d.time_unit_seconds);
  non_negative("data.history_cap", d.history_cap);
  non_negative("data.min_events", d.min_events);
  non_negative("data.liked_threshold", static_cast<std::int64_t>(d.liked_threshold));
  identifier("data.object_space", d.object_space, "an id space name");
  if (d.default_behavior.empty()) fail("data.default_behavior", "expected a behavior name, got an empty string");
  if (source_ == DataSource::Csv) csv_columns();
  for (const auto& [behavior, space] : d.behavior_object_space)
    identifier("data.behavior_object_space." + behavior, space, "an id space name");
  attributes();
}

void Planner::csv_columns() const {
  const DataSpec& d = s_.data;
  if (!d.header && d.columns.empty())
    fail("data.columns", "a csv without header (data.header = false) needs the column names in order");
  const std::vector<std::pair<std::string, std::string>> used = {{"data.user_column", d.user_column},
                                                                 {"data.object_column", d.object_column},
                                                                 {"data.time_column", d.time_column},
                                                                 {"data.behavior_column", d.behavior_column}};
  for (const auto& [path, column] : used) {
    if (column.empty()) {
      if (path == "data.behavior_column") continue;  // optional
      fail(path, "expected a column name, got an empty string");
    }
    if (!d.columns.empty() && !contains(d.columns, column))
      fail(path, "column " + q(column) + " is not among data.columns" + did_you_mean(column, d.columns) +
                     "; columns: " + join(d.columns));
  }
}

void Planner::attributes() const {
  const DataSpec& d = s_.data;
  std::map<std::pair<std::string, std::string>, std::string> seen;
  for (std::size_t i = 0; i < d.attributes.size(); ++i) {
    const AttributeSpec& a = d.attributes[i];
    const std::string path = "data.attributes[" + std::to_string(i) + "]";
    identifier(path + ".name", a.name, "an attribute name (its id space)");
    identifier(path + ".object_space", a.object_space, "an id space name");
    const auto spaces = object_spaces();
    if (!contains(spaces, a.object_space))
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

// ---- vocab -------------------------------------------------------------------

// Id spaces a size can be given for: users, behaviors, object spaces,
// attributes and whatever a table indexes.
std::vector<std::string> Planner::id_spaces() const {
  std::vector<std::string> out = {"user", "behavior"};
  auto add = [&out](const std::string& x) {
    if (!contains(out, x)) out.push_back(x);
  };
  for (const auto& x : object_spaces()) add(x);
  if (source_ == DataSource::Amazon || source_ == DataSource::Movielens)
    for (const auto& x : kBuiltinAttributes) add(x);
  for (const auto& a : s_.data.attributes) add(a.name);
  for (const auto& t : s_.tables) add(t.vocab);
  return out;
}

void Planner::vocab() const {
  const auto spaces = id_spaces();
  for (const auto& [space, rows] : s_.vocab) {
    identifier("vocab." + space, space, "an id space name");
    if (!contains(spaces, space))
      fail("vocab." + space, "unknown id space " + q(space) + did_you_mean(space, spaces) +
                                 "; the spec's id spaces: " + join(spaces));
    size("vocab." + space, rows);
  }
}

}  // namespace atrank::spec
