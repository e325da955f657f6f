// Amazon 2014 product data (McAuley et al.): reviews_<C>_5.json[.gz] (JSON lines, parsed with
// simdjson) and meta_<C>.json[.gz] (Python dict reprs). Matches the authors' remap.py:
// items kept if reviewed, category = last element of the last category path, sorted id remap.
#include <dirent.h>
#include <sys/stat.h>

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "atrank/data/data_error.hpp"
#include "atrank/data/event_log_builder.hpp"
#include "atrank/data/fields.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/line_reader.hpp"
#include "atrank/data/python_literal.hpp"

static_assert(atrank::data::LineReader::kPadding >= simdjson::SIMDJSON_PADDING,
              "simdjson reads up to SIMDJSON_PADDING bytes past a line");

namespace atrank::data {

namespace {

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

// reviews_<C>_5.json.gz, else .json; with no category given, the only reviews_*_5.json[.gz].
std::string find_file(const spec::DataSpec& data, const std::string& prefix,
                      const std::string& suffix, const std::string& category) {
  const std::string dir = data_dir(data);
  if (!category.empty()) {
    for (const char* ext : {".json.gz", ".json"}) {
      const std::string p = dir + "/" + prefix + category + suffix + ext;
      if (exists(p)) return p;
    }
    throw DataError("data.path: no " + prefix + category + suffix + ".json[.gz] in " + dir +
                    "; get the files with `datasets/amazon/download.sh " + category + " " + dir +
                    "` (see datasets/amazon/README.md), or point --set data.path=DIR at them");
  }
  std::vector<std::string> found;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      for (const std::string ext : {".json.gz", ".json"}) {
        const std::string tail = suffix + ext;
        if (n.size() > prefix.size() + tail.size() && n.compare(0, prefix.size(), prefix) == 0 &&
            n.compare(n.size() - tail.size(), tail.size(), tail) == 0) {
          found.push_back(n);
          break;
        }
      }
    }
    ::closedir(d);
  } else {
    throw DataError("data.path: cannot read directory " + dir);
  }
  std::sort(found.begin(), found.end());
  if (found.size() != 1)
    throw DataError("data.path: expected exactly one " + prefix + "<Category>" + suffix +
                    ".json[.gz] in " + dir + ", found " + std::to_string(found.size()) +
                    " (set data.amazon_category)");
  return dir + "/" + found[0];
}

// The category name in reviews_<C>_5.json[.gz].
std::string category_of(const std::string& reviews) {
  std::string n = reviews.substr(reviews.find_last_of('/') + 1);
  n = n.substr(8);  // "reviews_"
  return n.substr(0, n.find("_5.json"));
}

struct AmazonAttribute {
  int table;
  std::string field;
};

// An attribute value from a meta field: categories -> last of last path; scalars as text.
std::string attribute_value(const PyValue& v, const std::string& field) {
  if (field == "categories") {
    if (v.kind != PyValue::Kind::list || v.items.empty()) return {};
    const PyValue& path = v.items.back();
    if (path.kind != PyValue::Kind::list || path.items.empty() || !path.items.back().is_string())
      return {};
    return path.items.back().text;
  }
  switch (v.kind) {
    case PyValue::Kind::string:
    case PyValue::Kind::integer:
    case PyValue::Kind::real: return v.text;
    case PyValue::Kind::boolean: return v.boolean ? "True" : "False";
    default: return {};
  }
}

}  // namespace

std::vector<std::string> amazon_files(const spec::DataSpec& data) {
  if (data.files.size() == 2) return {resolve_path(data, data.files[0]), resolve_path(data, data.files[1])};
  if (!data.files.empty())
    throw DataError("data.files: the amazon source takes [reviews, meta] or nothing");
  const std::string reviews = find_file(data, "reviews_", "_5", data.amazon_category);
  const std::string category = data.amazon_category.empty() ? category_of(reviews) : data.amazon_category;
  return {reviews, find_file(data, "meta_", "", category)};
}

namespace {

// Reviews: {"reviewerID": ..., "asin": ..., "unixReviewTime": ...} per line.
struct Review {
  std::string_view user, item;
  std::int64_t time = 0;
};

// unixReviewTime as a signed, unsigned or floating-point JSON number (truncated) within int64;
// false with `problem` otherwise.
bool review_time(simdjson::dom::element doc, std::int64_t& time, std::string& problem) {
  auto t = doc["unixReviewTime"];
  if (!t.get(time)) return true;
  std::uint64_t u = 0;
  double d = 0;
  constexpr double kLimit = 9.2e18;  // inside int64: the cast of a larger double is undefined
  const bool above_int64 = !t.get(u);  // an unsigned number that is no int64
  if (!above_int64 && t.get(d)) {
    problem = "missing or non-numeric field \"unixReviewTime\"";
    return false;
  }
  if (above_int64 || !(std::fabs(d) < kLimit)) {
    problem = "field \"unixReviewTime\" out of range (unix seconds)";
    return false;
  }
  time = static_cast<std::int64_t>(d);
  return true;
}

// False with `problem` when a field is missing, of the wrong type, or not a valid id.
bool parse_review(simdjson::dom::element doc, Review& r, std::string& problem) {
  if (doc["reviewerID"].get(r.user)) {
    problem = "missing or non-string field \"reviewerID\"";
    return false;
  }
  if (doc["asin"].get(r.item)) {
    problem = "missing or non-string field \"asin\"";
    return false;
  }
  if (!review_time(doc, r.time, problem)) return false;
  for (auto [id, name] : {std::pair{&r.user, "reviewerID"}, std::pair{&r.item, "asin"}}) {
    if (!check_id(*id, problem)) {
      problem = std::string("field \"") + name + "\" " + problem;
      return false;
    }
  }
  return true;
}

void read_reviews(const std::string& file, const spec::DataSpec& data, EventLogBuilder& builder) {
  ImportReport& report = builder.report();
  LineReader reader(file);
  simdjson::dom::parser parser;
  std::string_view line;
  std::string problem;
  std::int64_t lines = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++lines;
    simdjson::dom::element doc;
    Review r;
    // realloc_if_needed = false: the reader guarantees padding after the line.
    if (auto err = parser.parse(line.data(), line.size(), false).get(doc)) {
      bad_line(reader, std::string("malformed JSON (") + simdjson::error_message(err) + ")", data.skip_bad_lines,
               report);
    } else if (!parse_review(doc, r, problem)) {
      bad_line(reader, problem, data.skip_bad_lines, report);
    } else {
      builder.add(r.user, data.default_behavior, r.item, r.time);
    }
  }
  if (lines == 0) throw DataError(file + ": empty input (no reviews)");
  report.add("lines", lines);
}

// The spec's attributes, or category + brand by default.
std::vector<AmazonAttribute> meta_attributes(const spec::DataSpec& data, EventLogBuilder& builder) {
  std::vector<AmazonAttribute> attrs;
  if (data.attributes.empty()) {
    attrs.push_back({builder.attribute(data.object_space, "category"), "categories"});
    attrs.push_back({builder.attribute(data.object_space, "brand"), "brand"});
    return attrs;
  }
  for (const auto& a : data.attributes) {
    const std::string space = a.object_space.empty() ? data.object_space : a.object_space;
    const std::string field = !a.column.empty() ? a.column : a.name == "category" ? "categories" : a.name;
    attrs.push_back({builder.attribute(space, a.name), field});
  }
  return attrs;
}

// Meta: one Python dict literal per line; only items that were reviewed are kept.
void read_meta(const std::string& file, const std::vector<AmazonAttribute>& attrs, const spec::DataSpec& data,
               EventLogBuilder& builder) {
  ImportReport& report = builder.report();
  std::vector<std::string_view> keep{"asin"};
  for (const auto& a : attrs) keep.push_back(a.field);
  LineReader reader(file);
  std::string_view line;
  std::string problem;
  std::int64_t lines = 0, used = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++lines;
    PyValue meta;
    try {
      meta = parse_python_dict(line, keep);
    } catch (const PyLiteralError& e) {
      bad_line(reader, "column " + std::to_string(e.offset + 1) + ": " + e.what(), data.skip_bad_lines, report);
      continue;
    }
    const PyValue* asin = meta.get("asin");
    if (!asin || !asin->is_string()) {
      bad_line(reader, "missing or non-string key 'asin'", data.skip_bad_lines, report);
      continue;
    }
    std::string_view id = asin->text;
    if (!check_id(id, problem)) {
      bad_line(reader, "key 'asin' " + problem, data.skip_bad_lines, report);
      continue;
    }
    if (!builder.has_object(data.object_space, id)) continue;
    ++used;
    for (const auto& a : attrs) {
      const PyValue* v = meta.get(a.field);
      if (v) builder.set_attribute(a.table, id, attribute_value(*v, a.field));
    }
  }
  if (lines == 0) throw DataError(file + ": empty input (no meta lines)");
  report.add("meta_lines", lines);
  report.add("meta_lines_used", used);
}

}  // namespace

EventLog import_amazon(const spec::DataSpec& data) {
  const std::vector<std::string> files = amazon_files(data);
  for (const auto& f : files) require_file(f, "amazon input");
  EventLogBuilder builder(data.object_space, data.behavior_object_space);
  builder.report().files = files;
  read_reviews(files[0], data, builder);
  read_meta(files[1], meta_attributes(data, builder), data, builder);
  return builder.finish();
}

}  // namespace atrank::data
