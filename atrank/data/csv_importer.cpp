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

// Splits lines of one file into exactly as many fields as it has columns.
class FieldReader {
 public:
  FieldReader(const std::string& file, char delim) : reader(file), delim_(delim) {}

  // Column names: `declared` if given, else the header line (read here; fields trimmed).
  void read_columns(bool header, const std::vector<std::string>& declared) {
    names = declared;
    if (header) {
      std::string_view line;
      if (!reader.next(line)) throw DataError(reader.path() + ": empty input (no header line)");
      if (names.empty()) {
        if (!split_fields(line, delim_, fields, scratch_, problem_))
          throw DataError(reader.where() + "header: " + problem_);
        for (auto f : fields) names.emplace_back(f);
      }
    }
    if (names.empty())
      throw DataError(reader.path() + ": no column names (set data.header = true or data.columns)");
  }

  int column(const std::string& name, const std::string& key) const {
    return column_index(names, name, key, reader.path());
  }

  // The next non-blank line's fields; bad lines go through the spec's policy (bad_line).
  // `blank_lines`, when given, counts the blank lines passed over.
  bool next(bool skip, ImportReport& report, std::int64_t* blank_lines = nullptr) {
    std::string_view line;
    while (reader.next(line)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) {
        if (blank_lines) ++*blank_lines;
        continue;
      }
      ++lines;
      if (!split_fields(line, delim_, fields, scratch_, problem_)) {
        bad_line(reader, problem_, skip, report);
      } else if (fields.size() != names.size()) {
        bad_line(reader,
                 "expected " + std::to_string(names.size()) + " fields (" + join(names) + "), found " +
                     std::to_string(fields.size()),
                 skip, report);
      } else {
        return true;
      }
    }
    return false;
  }

  // True when field `c` is a valid id (else a bad line naming the column).
  bool id(int c, bool skip, ImportReport& report) {
    if (check_id(fields[c], problem_)) return true;
    bad_line(reader, "column '" + names[c] + "' " + problem_, skip, report);
    return false;
  }

  LineReader reader;
  std::vector<std::string> names;
  std::vector<std::string_view> fields;
  std::int64_t lines = 0;  // non-blank lines read

 private:
  char delim_;
  std::vector<std::string> scratch_;
  std::string problem_;
};

struct ColumnAttribute {
  int table;
  int column;
};

// Column indices of the events files.
struct EventColumns {
  int user, object, time, behavior;  // behavior: -1 = data.default_behavior
  std::vector<ColumnAttribute> attributes;
};

EventColumns event_columns(const FieldReader& in, const spec::DataSpec& data, EventLogBuilder& builder) {
  EventColumns c;
  c.user = in.column(data.user_column, "data.user_column");
  c.object = in.column(data.object_column, "data.object_column");
  c.time = in.column(data.time_column, "data.time_column");
  c.behavior = data.behavior_column.empty() ? -1 : in.column(data.behavior_column, "data.behavior_column");
  for (const auto& a : data.attributes) {
    if (!a.path.empty()) continue;
    const std::string space = a.object_space.empty() ? data.object_space : a.object_space;
    const std::string col = a.column.empty() ? a.name : a.column;
    c.attributes.push_back({builder.attribute(space, a.name), in.column(col, "data.attributes." + a.name + ".column")});
  }
  return c;
}

void read_events_file(const std::string& file, const spec::DataSpec& data, char delim, spec::TimeFormat time_format,
                      EventLogBuilder& builder) {
  ImportReport& report = builder.report();
  const bool skip = data.skip_bad_lines;
  report.files.push_back(file);
  FieldReader in(file, delim);
  in.read_columns(data.header, data.columns);
  const EventColumns c = event_columns(in, data, builder);
  std::int64_t blank = 0;
  while (in.next(skip, report, &blank)) {
    const auto& f = in.fields;
    std::int64_t time = 0;
    if (!parse_time(f[c.time], time_format, time)) {
      bad_line(in.reader,
               "bad " + data.time_format + " time '" + std::string(f[c.time]) + "' in column '" + in.names[c.time] + "'",
               skip, report);
      continue;
    }
    if (!in.id(c.user, skip, report) || !in.id(c.object, skip, report) ||
        (c.behavior >= 0 && !in.id(c.behavior, skip, report)))
      continue;
    builder.add(f[c.user], c.behavior >= 0 ? f[c.behavior] : std::string_view(data.default_behavior), f[c.object],
                time);
    for (const auto& a : c.attributes) builder.set_attribute(a.table, f[c.object], f[a.column]);
  }
  if (blank) report.add("blank_lines", blank);
  if (in.lines == 0) throw DataError(file + ": empty input (no events)");
  report.add("lines", in.lines);
}

// A separate attribute table: header line, then object,value rows (same delimiter).
void read_attribute_file(const spec::AttributeSpec& a, const spec::DataSpec& data, char delim,
                         EventLogBuilder& builder) {
  ImportReport& report = builder.report();
  const std::string file = resolve_path(data, a.path);
  report.files.push_back(file);
  FieldReader in(file, delim);
  in.read_columns(true, {});
  const std::string space = a.object_space.empty() ? data.object_space : a.object_space;
  const int co = in.column(a.object_column.empty() ? space : a.object_column,
                           "data.attributes." + a.name + ".object_column");
  const int cv = in.column(a.column.empty() ? a.name : a.column, "data.attributes." + a.name + ".column");
  const int table = builder.attribute(space, a.name);
  while (in.next(data.skip_bad_lines, report)) {
    if (!in.id(co, data.skip_bad_lines, report)) continue;
    report.add("attribute_lines");
    builder.set_attribute(table, in.fields[co], in.fields[cv]);
  }
}

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
  const auto time_format = spec::parse_choice<spec::TimeFormat>(data.time_format);
  if (!time_format)
    throw DataError("data.time_format: unknown format '" + data.time_format + "' (valid: unix, iso)");
  std::vector<std::string> event_files;
  if (data.files.empty()) {
    event_files = {csv_files(data)[0]};
  } else {
    for (const auto& f : data.files) event_files.push_back(resolve_path(data, f));
  }
  EventLogBuilder builder(data.object_space, data.behavior_object_space);
  for (const auto& file : event_files) read_events_file(file, data, delim, *time_format, builder);
  for (const auto& a : data.attributes)
    if (!a.path.empty()) read_attribute_file(a, data, delim, builder);
  return builder.finish();
}

}  // namespace atrank::data
