// Writing and reading a run's id maps; see id_maps.hpp for the format.
#include "atrank/data/id_maps.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "atrank/data/data_error.hpp"
#include "atrank/data/fields.hpp"
#include "atrank/data/line_reader.hpp"

namespace atrank::data {

namespace fs = std::filesystem;

namespace {

constexpr const char* kBehaviorSpace = "behavior";

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw DataError("cannot write " + path.string());
  f << text;
  if (!f.flush()) throw DataError("cannot write " + path.string() + " (disk full?)");
}

std::string unescape_id(std::string_view s, const LineReader& at) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    const char c = i + 1 < s.size() ? s[++i] : '\0';
    switch (c) {
      case '\\': out += '\\'; break;
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      default: throw DataError(at.where() + "bad escape in a raw id (expected \\\\, \\t, \\n or \\r)");
    }
  }
  return out;
}

// Every line of `path`, unescaped.
std::vector<std::string> read_ids(const fs::path& path) {
  LineReader reader(path.string());
  std::vector<std::string> ids;
  std::string_view line;
  while (reader.next(line)) ids.push_back(unescape_id(line, reader));
  return ids;
}

// behavior.tsv: name \t object space per line.
void read_behaviors(const fs::path& path, IdMaps& out) {
  LineReader reader(path.string());
  std::string_view line;
  while (reader.next(line)) {
    const auto tab = line.find('\t');
    if (tab == std::string_view::npos)
      throw DataError(reader.where() + "expected a behavior name, a tab and its objects' id space");
    out.vocab.behaviors.push_back(unescape_id(line.substr(0, tab), reader));
    out.behavior_space.push_back(std::string(line.substr(tab + 1)));
  }
  out.vocab.original_ids[kBehaviorSpace] = out.vocab.behaviors;
  out.vocab.sizes[kBehaviorSpace] = std::int64_t(out.vocab.behaviors.size());
}

// <object>.<attribute>.tsv: the attribute row of each object row.
std::vector<std::int32_t> read_attribute_rows(const fs::path& path, std::int64_t rows) {
  LineReader reader(path.string());
  std::vector<std::int32_t> map;
  std::string_view line;
  while (reader.next(line)) {
    std::int64_t v = -1;
    if (!parse_int64(line, v) || v < 0 || v >= rows)
      throw DataError(reader.where() + "expected a row of the attribute's id space (0.." + std::to_string(rows - 1) +
                      "), got \"" + std::string(line) + "\"");
    map.push_back(std::int32_t(v));
  }
  return map;
}

}  // namespace

std::string escape_id(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out;
}

void write_id_maps(const Vocabulary& vocab, const std::vector<std::string>& behavior_space, const std::string& dir) {
  const fs::path final_dir(dir);
  const fs::path tmp = final_dir.string() + ".tmp";
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec) && ec) throw DataError("cannot create " + tmp.string() + ": " + ec.message());
  for (const auto& [space, ids] : vocab.original_ids) {
    if (space == kBehaviorSpace) continue;
    std::string text;
    for (const auto& id : ids) text += escape_id(id) + "\n";
    write_file(tmp / (space + ".tsv"), text);
  }
  std::string behaviors;
  for (std::size_t b = 0; b < vocab.behaviors.size(); ++b)
    behaviors += escape_id(vocab.behaviors[b]) + "\t" + behavior_space.at(b) + "\n";
  write_file(tmp / (std::string(kBehaviorSpace) + ".tsv"), behaviors);
  for (const auto& [object, maps] : vocab.attributes)
    for (const auto& [attribute, rows] : maps) {
      std::string text;
      for (const std::int32_t r : rows) text += std::to_string(r) + "\n";
      write_file(tmp / (object + "." + attribute + ".tsv"), text);
    }
  fs::remove_all(final_dir, ec);
  if (ec) throw DataError("cannot replace " + final_dir.string() + ": " + ec.message());
  fs::rename(tmp, final_dir, ec);
  if (ec) throw DataError("cannot rename " + tmp.string() + " to " + final_dir.string() + ": " + ec.message());
}

IdMaps read_id_maps(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw DataError(dir + " does not exist: the run has no id maps (runs write them when they start; "
                          "`atrank run SPEC --out RUN --resume` adds them to an older run)");
  IdMaps out;
  std::vector<std::pair<std::string, std::string>> attribute_files;  // (object, attribute)
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir)) entries.push_back(e.path());
  std::sort(entries.begin(), entries.end());
  for (const fs::path& p : entries) {
    if (p.extension() != ".tsv") continue;
    const std::string stem = p.stem().string();
    const auto dot = stem.find('.');
    if (dot != std::string::npos) {
      attribute_files.emplace_back(stem.substr(0, dot), stem.substr(dot + 1));
    } else if (stem == kBehaviorSpace) {
      read_behaviors(p, out);
    } else {
      out.vocab.original_ids[stem] = read_ids(p);
      out.vocab.sizes[stem] = std::int64_t(out.vocab.original_ids[stem].size());
    }
  }
  if (!out.vocab.sizes.count(kBehaviorSpace) || !out.vocab.sizes.count("user"))
    throw DataError(dir + ": incomplete id maps (behavior.tsv or user.tsv is missing)");
  for (const auto& [object, attribute] : attribute_files) {
    const fs::path p = fs::path(dir) / (object + "." + attribute + ".tsv");
    if (!out.vocab.sizes.count(object) || !out.vocab.sizes.count(attribute))
      throw DataError(p.string() + ": no id map for `" + object + "` or `" + attribute + "` in " + dir);
    auto map = read_attribute_rows(p, out.vocab.sizes[attribute]);
    if (std::int64_t(map.size()) != out.vocab.sizes[object])
      throw DataError(p.string() + ": " + std::to_string(map.size()) + " lines, but `" + object + "` has " +
                      std::to_string(out.vocab.sizes[object]) + " rows");
    out.vocab.attributes[object][attribute] = std::move(map);
  }
  return out;
}

void check_same_ids(const Vocabulary& run, const Vocabulary& data, const std::string& run_dir) {
  for (const auto& [space, ids] : run.original_ids) {
    const auto it = data.original_ids.find(space);
    if (it != data.original_ids.end() && it->second == ids) continue;
    throw DataError("the data differs from what run " + run_dir + " was trained on: the ids of `" + space +
                    "` are not the ones in its id maps (" + std::to_string(ids.size()) + " ids in the run, " +
                    (it == data.original_ids.end() ? std::string("none") : std::to_string(it->second.size())) +
                    " in the data now)");
  }
}

IdMap row_lookup(const std::vector<std::string>& raw_ids, const std::string& space) {
  IdMap map;
  for (const auto& id : raw_ids)
    if (map.intern(id) != map.size() - 1) throw DataError("id map of `" + space + "`: raw id \"" + id + "\" repeats");
  return map;
}

}  // namespace atrank::data
