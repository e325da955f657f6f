// Generic delimited events: named columns (from a header or data.columns) for user, object,
// behavior and time, plus attribute columns in the events file or separate attribute files.
// Taobao UserBehavior and the synthetic generator's output both come in through here.
#include <algorithm>

#include "atrank/data/data_error.hpp"
#include "atrank/data/event_log_builder.hpp"
#include "atrank/data/fields.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/line_reader.hpp"

namespace atrank::data {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

int column_index(const std::vector<std::string>& names, const std::string& name,
                 const std::string& key, const std::string& file) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end())
    throw DataError(key + ": no column '" + name + "' in " + file + " (columns: " + join(names) + ")");
  return static_cast<int>(it - names.begin());
}

// Column names of a file: data.columns if given, else its header line (read here).
std::vector<std::string> read_columns(LineReader& reader, bool header,
                                      const std::vector<std::string>& declared, char delim) {
  std::vector<std::string> names = declared;
  if (header) {
    std::string_view line;
    if (!reader.next(line)) throw DataError(reader.path() + ": empty input (no header line)");
    if (names.empty()) {
      std::vector<std::string_view> fields;
      std::vector<std::string> scratch;
      std::string problem;
      if (!split_fields(line, delim, fields, scratch, problem))
        throw DataError(reader.where() + "header: " + problem);
      for (auto f : fields) {
        while (!f.empty() && f.back() == ' ') f.remove_suffix(1);
        while (!f.empty() && f.front() == ' ') f.remove_prefix(1);
        names.emplace_back(f);
      }
    }
  }
  if (names.empty())
    throw DataError(reader.path() + ": no column names (set data.header = true or data.columns)");
  return names;
}

struct ColumnAttribute {
  int table;
  int column;
};

}  // namespace

std::vector<std::string> csv_files(const spec::DataSpec& data) {
  std::vector<std::string> out;
  if (data.files.empty()) {
    if (data_dir(data) == data.path)
      throw DataError("data.path is a directory (" + data.path +
                      "): name the event files with data.files");
    out.push_back(data.path);
  } else {
    for (const auto& f : data.files) out.push_back(resolve_path(data, f));
  }
  for (const auto& a : data.attributes)
    if (!a.path.empty()) out.push_back(resolve_path(data, a.path));
  return out;
}

EventLog import_csv(const spec::DataSpec& data) {
  const char delim = delimiter_char(data.delimiter);
  std::vector<std::string> event_files;
  if (data.files.empty()) {
    event_files = {csv_files(data)[0]};
  } else {
    for (const auto& f : data.files) event_files.push_back(resolve_path(data, f));
  }
  EventLogBuilder builder(data.object_space, data.behavior_object_space);
  ImportReport& report = builder.report();
  const bool skip = data.skip_bad_lines;
  const auto time_format = spec::parse_choice<spec::TimeFormat>(data.time_format);
  if (!time_format)
    throw DataError("data.time_format: unknown format '" + data.time_format + "' (valid: unix, iso)");

  std::vector<std::string_view> fields;
  std::vector<std::string> scratch;
  std::string problem;
  for (const auto& file : event_files) {
    report.files.push_back(file);
    LineReader reader(file);
    const std::vector<std::string> names = read_columns(reader, data.header, data.columns, delim);
    const int cu = column_index(names, data.user_column, "data.user_column", file);
    const int co = column_index(names, data.object_column, "data.object_column", file);
    const int ct = column_index(names, data.time_column, "data.time_column", file);
    const int cb = data.behavior_column.empty()
                       ? -1
                       : column_index(names, data.behavior_column, "data.behavior_column", file);
    std::vector<ColumnAttribute> attrs;
    for (const auto& a : data.attributes) {
      if (!a.path.empty()) continue;
      const std::string space = a.object_space.empty() ? data.object_space : a.object_space;
      const std::string col = a.column.empty() ? a.name : a.column;
      attrs.push_back({builder.attribute(space, a.name),
                       column_index(names, col, "data.attributes." + a.name + ".column", file)});
    }
    std::string_view line;
    std::int64_t lines = 0;
    while (reader.next(line)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) {
        report.add("blank_lines");
        continue;
      }
      ++lines;
      if (!split_fields(line, delim, fields, scratch, problem)) {
        bad_line(reader, problem, skip, report);
        continue;
      }
      if (fields.size() != names.size()) {
        bad_line(reader, "expected " + std::to_string(names.size()) + " fields (" + join(names) +
                             "), found " + std::to_string(fields.size()),
                 skip, report);
        continue;
      }
      std::int64_t time = 0;
      if (!parse_time(fields[ct], *time_format, time)) {
        bad_line(reader, "bad " + data.time_format + " time '" + std::string(fields[ct]) +
                             "' in column '" + names[ct] + "'",
                 skip, report);
        continue;
      }
      if (fields[cu].empty() || fields[co].empty() || (cb >= 0 && fields[cb].empty())) {
        bad_line(reader, "empty user, object or behavior field", skip, report);
        continue;
      }
      builder.add(fields[cu], cb >= 0 ? fields[cb] : std::string_view(data.default_behavior),
                  fields[co], time);
      for (const auto& a : attrs) builder.set_attribute(a.table, fields[co], fields[a.column]);
    }
    if (lines == 0) throw DataError(file + ": empty input (no events)");
    report.add("lines", lines);
  }

  // Separate attribute tables: header line, then object,value rows (same delimiter).
  for (const auto& a : data.attributes) {
    if (a.path.empty()) continue;
    const std::string file = resolve_path(data, a.path);
    report.files.push_back(file);
    LineReader reader(file);
    const std::vector<std::string> names = read_columns(reader, true, {}, delim);
    const std::string space = a.object_space.empty() ? data.object_space : a.object_space;
    const int co = column_index(names, a.object_column.empty() ? space : a.object_column,
                                "data.attributes." + a.name + ".object_column", file);
    const int cv = column_index(names, a.column.empty() ? a.name : a.column,
                                "data.attributes." + a.name + ".column", file);
    const int table = builder.attribute(space, a.name);
    std::string_view line;
    while (reader.next(line)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      if (!split_fields(line, delim, fields, scratch, problem)) {
        bad_line(reader, problem, skip, report);
        continue;
      }
      if (fields.size() != names.size()) {
        bad_line(reader, "expected " + std::to_string(names.size()) + " fields (" + join(names) +
                             "), found " + std::to_string(fields.size()),
                 skip, report);
        continue;
      }
      report.add("attribute_lines");
      builder.set_attribute(table, fields[co], fields[cv]);
    }
  }
  return builder.finish();
}

}  // namespace atrank::data
