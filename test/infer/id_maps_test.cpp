// The run directory's id maps (ids/): written and read back exactly (escapes
// included); malformed files are errors naming file and line.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "atrank/data/data_error.hpp"
#include "atrank/data/id_maps.hpp"

using namespace atrank;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("atrank-id-maps-" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(path); }
  ~TempDir() { fs::remove_all(path); }
};

data::Vocabulary vocab() {
  data::Vocabulary v;
  v.original_ids["item"] = {"B001", "tab\there", "new\nline", "back\\slash", "cr\r", "  spaced  "};
  v.original_ids["category"] = {"<unknown>", "Books", "Music"};
  v.original_ids["user"] = {"alice", "bob"};
  v.original_ids["query"] = {"q"};
  v.behaviors = {"review", "search"};
  v.original_ids["behavior"] = v.behaviors;
  for (const auto& [space, ids] : v.original_ids) v.sizes[space] = std::int64_t(ids.size());
  v.attributes["item"]["category"] = {1, 2, 0, 1, 2, 1};
  return v;
}

std::string error_of(const std::string& dir) {
  try {
    data::read_id_maps(dir);
  } catch (const data::DataError& e) {
    return e.what();
  }
  return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(id_maps)

BOOST_AUTO_TEST_CASE(round_trip_with_escapes) {
  TempDir tmp;
  const std::string dir = (tmp.path / "ids").string();
  const auto v = vocab();
  data::write_id_maps(v, {"item", "query"}, dir);
  const data::IdMaps back = data::read_id_maps(dir);
  for (const auto& [space, ids] : v.original_ids)
    if (space != "behavior") BOOST_TEST(back.vocab.original_ids.at(space) == ids, space);
  BOOST_TEST(back.vocab.behaviors == v.behaviors);
  BOOST_TEST(back.behavior_space == (std::vector<std::string>{"item", "query"}));
  BOOST_TEST(back.vocab.attributes.at("item").at("category") == v.attributes.at("item").at("category"));
  BOOST_TEST(back.vocab.size("item") == 6);
  BOOST_TEST(data::escape_id("a\tb\\c\n") == "a\\tb\\\\c\\n");
  // A second write replaces the first whole (no stale files).
  data::Vocabulary smaller = v;
  smaller.attributes.clear();
  data::write_id_maps(smaller, {"item", "query"}, dir);
  BOOST_TEST(!fs::exists(fs::path(dir) / "item.category.tsv"));
}

BOOST_AUTO_TEST_CASE(malformed_files_name_file_and_line) {
  TempDir tmp;
  const std::string dir = (tmp.path / "ids").string();
  data::write_id_maps(vocab(), {"item", "query"}, dir);
  {
    std::ofstream f(fs::path(dir) / "item.category.tsv");
    f << "1\n2\n7\n1\n2\n1\n";  // 7: outside category's 3 rows
  }
  std::string e = error_of(dir);
  BOOST_TEST(has(e, "item.category.tsv:3"), e);
  data::write_id_maps(vocab(), {"item", "query"}, dir);
  {
    std::ofstream f(fs::path(dir) / "item.category.tsv");
    f << "1\n2\n";
  }
  e = error_of(dir);
  BOOST_TEST((has(e, "item.category.tsv") && has(e, "2 lines")), e);
  data::write_id_maps(vocab(), {"item", "query"}, dir);
  {
    std::ofstream f(fs::path(dir) / "user.tsv");
    f << "alice\nbad\\escape\n";
  }
  e = error_of(dir);
  BOOST_TEST(has(e, "user.tsv:2"), e);
  fs::remove(fs::path(dir) / "user.tsv");
  e = error_of(dir);
  BOOST_TEST(has(e, "user.tsv is missing"), e);
  e = error_of((tmp.path / "none").string());
  BOOST_TEST(has(e, "does not exist"), e);
}

BOOST_AUTO_TEST_CASE(repeated_raw_ids_are_refused) {
  BOOST_CHECK_THROW(data::row_lookup({"a", "b", "a"}, "item"), data::DataError);
  BOOST_TEST(data::row_lookup({"a", "b"}, "item").find("b") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
