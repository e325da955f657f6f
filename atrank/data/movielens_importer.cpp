// MovieLens 100K from its directory: u.data (user \t item \t rating \t unix time) and the
// category of a movie = its first genre flag in u.item (names from u.genre), as the reference
// preparation does. Ratings are one behavior, or "liked"/"watched" split at data.liked_threshold.
#include <sys/stat.h>

#include "atrank/data/data_error.hpp"
#include "atrank/data/event_log_builder.hpp"
#include "atrank/data/fields.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/line_reader.hpp"

namespace atrank::data {

namespace {
constexpr int kGenres = 19;

bool exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}
}  // namespace

std::vector<std::string> movielens_files(const spec::DataSpec& data) {
  const std::string dir = data_dir(data);
  if (dir != data.path)
    throw DataError("data.path: the movielens source reads a directory (with u.data and u.item), got " +
                    data.path);
  std::vector<std::string> out{dir + "/u.data", dir + "/u.item"};
  for (const auto& f : out) require_file(f, "movielens input");
  if (exists(dir + "/u.genre")) out.push_back(dir + "/u.genre");
  return out;
}

namespace {

constexpr int kItemFields = 5 + kGenres;  // id, title, release date, video date, url, genre flags

// u.data: user \t item \t rating \t time.
void read_ratings(const std::string& file, const spec::DataSpec& data, EventLogBuilder& builder) {
  ImportReport& report = builder.report();
  const bool skip = data.skip_bad_lines;
  LineReader reader(file);
  std::vector<std::string_view> fields;
  std::vector<std::string> scratch;
  std::string problem;
  std::string_view line;
  std::int64_t lines = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++lines;
    split_fields(line, '\t', fields, scratch, problem, false);
    std::int64_t rating = 0, time = 0;
    if (fields.size() != 4) {
      bad_line(reader, "expected 4 tab-separated fields (user, item, rating, time), found " +
                           std::to_string(fields.size()),
               skip, report);
      continue;
    }
    if (!parse_int64(fields[2], rating) || !parse_int64(fields[3], time)) {
      bad_line(reader, "bad rating or time", skip, report);
      continue;
    }
    if (!check_id(fields[0], problem) || !check_id(fields[1], problem)) {
      bad_line(reader, "user or item id " + problem, skip, report);
      continue;
    }
    const char* behavior = data.liked_threshold > 0
                               ? (rating >= data.liked_threshold ? "liked" : "watched")
                               : "rating";
    builder.add(fields[0], behavior, fields[1], time);
  }
  if (lines == 0) throw DataError(file + ": empty input (no ratings)");
  report.add("lines", lines);
}

// Genre names by flag index from u.genre (name|index), "genre<i>" for any it does not name.
std::vector<std::string> genre_names(const std::vector<std::string>& files) {
  std::vector<std::string> names(kGenres);
  for (int g = 0; g < kGenres; ++g) names[g] = "genre" + std::to_string(g);
  if (files.size() <= 2) return names;
  LineReader reader(files[2]);
  std::vector<std::string_view> fields;
  std::vector<std::string> scratch;
  std::string problem;
  std::string_view line;
  while (reader.next(line)) {
    if (line.empty()) continue;
    split_fields(line, '|', fields, scratch, problem, false);
    std::int64_t index = -1;
    if (fields.size() == 2 && parse_int64(fields[1], index) && index >= 0 && index < kGenres)
      names[index] = std::string(fields[0]);
  }
  return names;
}

// u.item: the category of a movie is its first genre flag.
void read_items(const std::string& file, const std::vector<std::string>& genres, const spec::DataSpec& data,
                EventLogBuilder& builder) {
  const int table = builder.attribute(data.object_space, "category");
  LineReader reader(file);
  std::vector<std::string_view> fields;
  std::vector<std::string> scratch;
  std::string problem;
  std::string_view line;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    split_fields(line, '|', fields, scratch, problem, false);
    if (fields.size() != kItemFields) {
      bad_line(reader, "expected " + std::to_string(kItemFields) +
                           " '|'-separated fields (id, title, dates, url, 19 genre flags), found " +
                           std::to_string(fields.size()),
               data.skip_bad_lines, builder.report());
      continue;
    }
    if (!check_id(fields[0], problem)) {
      bad_line(reader, "movie id " + problem, data.skip_bad_lines, builder.report());
      continue;
    }
    int genre = -1;
    for (int g = 0; g < kGenres && genre < 0; ++g)
      if (fields[5 + g] == "1") genre = g;
    if (genre >= 0) builder.set_attribute(table, fields[0], genres[genre]);
  }
}

}  // namespace

EventLog import_movielens(const spec::DataSpec& data) {
  const std::vector<std::string> files = movielens_files(data);
  EventLogBuilder builder(data.object_space, data.behavior_object_space);
  builder.report().files = files;
  read_ratings(files[0], data, builder);
  read_items(files[1], genre_names(files), data, builder);
  return builder.finish();
}

}  // namespace atrank::data
