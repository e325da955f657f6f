// LineReader: the same lines whatever the buffer does (a small file's small buffer, a 1 MiB
// chunk, growth for lines longer than either, gzip whose size says little about its lines), with
// "\r\n", a byte-order mark, a last line without "\n", and kPadding readable bytes after each line.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "atrank/data/data_error.hpp"
#include "atrank/data/line_reader.hpp"
#include "test/data/test_files.hpp"

using atrank::data::LineReader;
using atrank::test::TempDir;

namespace {

// Every line of `path`, each checked for readable padding (ASan sees an overread).
std::vector<std::string> read_all(const std::string& path) {
  LineReader reader(path);
  std::vector<std::string> lines;
  std::string_view line;
  while (reader.next(line)) {
    volatile char sink = 0;
    for (std::size_t i = 0; i < LineReader::kPadding; ++i) sink = sink + line.data()[line.size() + i];
    lines.emplace_back(line);
    BOOST_TEST(reader.line_number() == std::int64_t(lines.size()));
  }
  return lines;
}

// Lines of lengths 0, 1, 2, 3, 5, 8, ... up to `longest`, each of its own letter.
std::vector<std::string> lines_up_to(std::size_t longest) {
  std::vector<std::string> lines;
  for (std::size_t a = 0, b = 1, n = 0; a <= longest; std::swap(a, b), b += a, ++n)
    lines.emplace_back(a, char('a' + n % 26));
  return lines;
}

std::string joined(const std::vector<std::string>& lines, const std::string& end) {
  std::string text;
  for (const auto& l : lines) text += l + end;
  return text;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(line_reader)

BOOST_AUTO_TEST_CASE(lines_of_every_length_plain_and_gzip) {
  TempDir dir;
  for (const std::size_t longest : {std::size_t{100}, std::size_t{5000}, std::size_t{3} << 20}) {
    const auto lines = lines_up_to(longest);
    for (const std::string end : {"\n", "\r\n"}) {
      const std::string text = joined(lines, end);
      atrank::test::write_text(dir.file("plain"), text);
      atrank::test::write_gzip(dir.file("gz"), text);
      BOOST_TEST(read_all(dir.file("plain")) == lines, longest << " plain");
      BOOST_TEST(read_all(dir.file("gz")) == lines, longest << " gzip");
    }
  }
}

BOOST_AUTO_TEST_CASE(many_short_lines_over_several_chunks) {
  TempDir dir;
  std::vector<std::string> lines;
  for (std::int64_t i = 0; i < 300000; ++i) lines.push_back(std::to_string(i * 7919));
  atrank::test::write_text(dir.file("plain"), joined(lines, "\n"));
  atrank::test::write_gzip(dir.file("gz"), joined(lines, "\n"));
  BOOST_TEST(read_all(dir.file("plain")) == lines);
  BOOST_TEST(read_all(dir.file("gz")) == lines);
}

BOOST_AUTO_TEST_CASE(bom_last_line_and_empty_files) {
  TempDir dir;
  atrank::test::write_text(dir.file("bom"), "\xEF\xBB\xBFu,i\r\n\n\xEF\xBB\xBFx\r\nlast\r");
  BOOST_TEST(read_all(dir.file("bom")) == (std::vector<std::string>{"u,i", "", "\xEF\xBB\xBFx", "last"}));
  const std::string long_last(9000, 'z');
  atrank::test::write_text(dir.file("long-last"), "a\n" + long_last);
  BOOST_TEST(read_all(dir.file("long-last")) == (std::vector<std::string>{"a", long_last}));
  atrank::test::write_text(dir.file("empty"), "");
  BOOST_TEST(read_all(dir.file("empty")).empty());
  atrank::test::write_gzip(dir.file("empty.gz"), "");
  BOOST_TEST(read_all(dir.file("empty.gz")).empty());
  BOOST_CHECK_THROW(LineReader(dir.file("missing")), atrank::data::DataError);
  BOOST_CHECK_THROW(LineReader(dir.path()), atrank::data::DataError);
}

BOOST_AUTO_TEST_SUITE_END()
