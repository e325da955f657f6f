// Importers on small files written here: Amazon (gzip reviews, Python-literal meta with nested
// quotes and unicode), generic CSV (header, declared columns, ISO dates, attribute files),
// MovieLens, and bad input (messages name file and line; skip_bad_lines counts).
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <functional>
#include <iterator>

#include "atrank/data/data_error.hpp"
#include "atrank/data/import.hpp"
#include "test/data/test_files.hpp"

using namespace atrank;
using namespace atrank::data;
using atrank::test::TempDir;
using atrank::test::write_gzip;
using atrank::test::write_text;

namespace {

const char* kReviews =
    R"({"reviewerID": "U2", "asin": "B002", "reviewerName": "x", "helpful": [0, 0], "reviewText": "ok \"q\"", "overall": 5.0, "summary": "s", "unixReviewTime": 1300000000, "reviewTime": "03 13, 2011"}
{"reviewerID": "U1", "asin": "A001", "unixReviewTime": 1300086400}
{"reviewerID": "U1", "asin": "B002", "unixReviewTime": 1300000000}
{"reviewerID": "U2", "asin": "C003", "unixReviewTime": 1300172800}
)";

const char* kMeta =
    R"({'asin': 'A001', 'title': "Rock 'n' Roll \"Live\"", 'categories': [['Electronics', 'Audio'], ['Electronics', 'Caf\xe9 \u00e9']], 'brand': 'Sony'}
{'asin': 'B002', 'related': {'also_bought': ['Z9', "it's"]}, 'salesRank': {'Electronics': 12}, 'categories': [['Electronics', 'Cameras']]}
{'asin': 'Z999', 'categories': [['Other']], 'brand': 'Nobody'}
)";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(importers)

BOOST_AUTO_TEST_CASE(amazon_gzip_reviews_and_python_meta) {
  TempDir dir;
  write_gzip(dir.file("reviews_Test_5.json.gz"), kReviews);
  write_text(dir.file("meta_Test.json"), kMeta);
  spec::DataSpec d;
  d.source = "amazon";
  d.path = dir.path();
  d.amazon_category = "Test";
  const EventLog log = import_events(d);
  BOOST_TEST(log.size() == 4u);
  const Vocabulary& v = log.vocab;
  BOOST_TEST(v.size("user") == 2);
  BOOST_TEST(v.size("item") == 3);  // Z999 has meta but no review: not kept
  BOOST_TEST(v.original_ids.at("item")[0] == "A001");
  BOOST_TEST(v.original_ids.at("user")[1] == "U2");
  // category = last element of the last path; "Café é" < "Cameras"; + unknown for C003.
  BOOST_TEST(v.size("category") == 3);
  BOOST_TEST(v.original_ids.at("category")[0] == "Caf\xc3\xa9 \xc3\xa9");
  const auto& cat = v.attributes.at("item").at("category");
  BOOST_TEST(cat[0] == 0);
  BOOST_TEST(cat[1] == 1);
  BOOST_TEST(cat[2] == 2);  // reserved unknown
  BOOST_TEST(log.report.get("missing.item.category") == 1);
  const auto& brand = v.attributes.at("item").at("brand");
  BOOST_TEST(v.size("brand") == 2);  // Sony + unknown (Nobody's item was not reviewed)
  BOOST_TEST(brand[0] == 0);
  BOOST_TEST(brand[1] == 1);
  BOOST_TEST(log.report.get("missing.item.brand") == 2);
  // events keep file order: U2/B002 first
  BOOST_TEST(log.users[0] == 1);
  BOOST_TEST(log.objects[0] == 1);
  BOOST_TEST(log.times[3] == 1300172800);
  // without amazon_category, the only reviews file is found
  d.amazon_category.clear();
  BOOST_TEST(import_events(d).size() == 4u);
}

BOOST_AUTO_TEST_CASE(amazon_bad_lines) {
  TempDir dir;
  write_text(dir.file("reviews_Test_5.json"),
             "{\"reviewerID\": \"U1\", \"asin\": \"A001\", \"unixReviewTime\": 1}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \n"
             "{\"reviewerID\": \"U1\", \"unixReviewTime\": 5}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"B002\", \"unixReviewTime\": 2}\n");
  write_text(dir.file("meta_Test.json"), "{'asin': 'A001', 'categories': [['X']}\n{'asin': 'B002'}\n");
  spec::DataSpec d;
  d.source = "amazon";
  d.path = dir.path();
  const std::string e = error_of([&] { import_events(d); });
  BOOST_TEST(contains(e, "reviews_Test_5.json:2: malformed JSON"), e);
  d.skip_bad_lines = true;
  const EventLog log = import_events(d);
  BOOST_TEST(log.size() == 2u);
  BOOST_TEST(log.report.get("skipped_lines") == 3);  // 2 reviews + 1 meta
  BOOST_TEST(contains(log.report.messages.at(1), "reviews_Test_5.json:3: missing or non-string field \"asin\""),
             log.report.messages.at(1));
  BOOST_TEST(contains(log.report.messages.at(2), "meta_Test.json:1: column 38: expected ',' or ']'"),
             log.report.messages.at(2));
}

BOOST_AUTO_TEST_CASE(amazon_review_times_outside_int64_are_bad_lines) {
  // Found by the amazon fuzzer: a double beyond int64 was cast (undefined), an unsigned one wrapped.
  TempDir dir;
  write_text(dir.file("reviews_Test_5.json"),
             "{\"reviewerID\": \"U1\", \"asin\": \"A\", \"unixReviewTime\": 1.3e95}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"B\", \"unixReviewTime\": 18446744073709551615}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"C\", \"unixReviewTime\": -9.3e18}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"D\", \"unixReviewTime\": 1300000000.7}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"E\", \"unixReviewTime\": \"soon\"}\n");
  write_text(dir.file("meta_Test.json"), "{'asin': 'D', 'categories': [['X']]}\n");
  spec::DataSpec d;
  d.source = "amazon";
  d.path = dir.path();
  d.amazon_category = "Test";
  BOOST_TEST(contains(error_of([&] { import_events(d); }),
                      "reviews_Test_5.json:1: field \"unixReviewTime\" out of range (unix seconds)"));
  d.skip_bad_lines = true;
  const EventLog log = import_events(d);
  BOOST_TEST_REQUIRE(log.size() == 1u);
  BOOST_TEST(log.times[0] == 1300000000);
  BOOST_TEST(log.report.get("skipped_lines") == 4);
  BOOST_TEST(contains(log.report.messages.at(1), ":2: field \"unixReviewTime\" out of range"));
  BOOST_TEST(contains(log.report.messages.at(2), ":3: field \"unixReviewTime\" out of range"));
  BOOST_TEST(contains(log.report.messages.at(3), ":5: missing or non-numeric field \"unixReviewTime\""));
}

BOOST_AUTO_TEST_CASE(missing_unreadable_and_empty_files) {
  TempDir dir;
  spec::DataSpec d;
  d.source = "amazon";
  d.path = dir.path();
  d.amazon_category = "Test";
  BOOST_TEST(contains(error_of([&] { import_events(d); }), "no reviews_Test_5.json[.gz]"));
  // gzip magic followed by garbage
  write_text(dir.file("reviews_Test_5.json.gz"), std::string("\x1f\x8b\x08\x00garbage-garbage-garbage", 27));
  write_text(dir.file("meta_Test.json"), "{'asin': 'A'}\n");
  BOOST_TEST(contains(error_of([&] { import_events(d); }), "unreadable gzip data"));
  // truncated gzip
  write_gzip(dir.file("full.gz"), std::string(100000, 'x'));
  {
    std::ifstream in(dir.file("full.gz"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write_text(dir.file("reviews_Test_5.json.gz"), bytes.substr(0, bytes.size() / 2));
  }
  BOOST_TEST(contains(error_of([&] { import_events(d); }), "unreadable gzip data"));
  write_gzip(dir.file("reviews_Test_5.json.gz"), "");
  BOOST_TEST(contains(error_of([&] { import_events(d); }), "empty input"));

  spec::DataSpec c;
  c.source = "csv";
  c.path = dir.file("nope.csv");
  BOOST_TEST(contains(error_of([&] { import_events(c); }), "no such file: " + dir.file("nope.csv")));
  write_text(dir.file("empty.csv"), "user,item,timestamp\n");
  c.path = dir.file("empty.csv");
  BOOST_TEST(contains(error_of([&] { import_events(c); }), "empty input"));
  c.source = "parquet";
  BOOST_TEST(contains(error_of([&] { import_events(c); }), "valid: amazon, csv, movielens"));
}

BOOST_AUTO_TEST_CASE(csv_taobao_style_without_header) {
  TempDir dir;
  write_text(dir.file("UserBehavior.csv"),
             "1,2268318,2520377,pv,1511544070\n"
             "1,2333346,2520771,pv,1511561733\n"
             "100,2268318,2520377,buy,1511572885\n"
             "100,99,2520377,cart,1511572886\r\n");
  const EventLog log = import_events(test::taobao_data(dir.file("UserBehavior.csv")));
  BOOST_TEST(log.size() == 4u);
  const Vocabulary& v = log.vocab;
  BOOST_TEST(v.behaviors == (std::vector<std::string>{"buy", "cart", "pv"}));
  BOOST_TEST(v.size("item") == 3);
  BOOST_TEST(v.original_ids.at("item")[0] == "99");  // numeric order: 99 < 2268318
  BOOST_TEST(v.size("category") == 3);                // 2520377, 2520771, unknown
  BOOST_TEST(v.attributes.at("item").at("category")[0] == 0);
  BOOST_TEST(v.attributes.at("item").at("category")[2] == 1);
  BOOST_TEST(log.behaviors[3] == 1);
  BOOST_TEST(log.times[3] == 1511572886);
}

BOOST_AUTO_TEST_CASE(csv_header_iso_dates_attribute_file_and_bad_lines) {
  TempDir dir;
  write_text(dir.file("events.tsv"),
             "who\twhat\twhen\n"
             "a\tx\t2017-11-25\n"
             "a\ty\t2017-11-26T10:00:05Z\n"
             "b\tx\tyesterday\n"
             "b\ty\n"
             "\n"
             "b\t\"quoted\ty\"\t2017-11-27 00:00\n");
  write_text(dir.file("items.tsv"), "id\tshop\nx\ts1\ny\ts2\nz\ts3\n");
  spec::DataSpec d;
  d.source = "csv";
  d.path = dir.path();
  d.files = {"events.tsv"};
  d.delimiter = "\t";
  d.user_column = "who";
  d.object_column = "what";
  d.time_column = "when";
  d.time_format = "iso";
  spec::AttributeSpec a;
  a.name = "shop";
  a.object_space = "item";
  a.path = "items.tsv";
  a.object_column = "id";
  a.column = "shop";
  d.attributes = {a};
  const std::string e = error_of([&] { import_events(d); });
  BOOST_TEST(contains(e, dir.file("events.tsv") + ":4: bad iso time 'yesterday' in column 'when'"), e);
  d.skip_bad_lines = true;
  const EventLog log = import_events(d);
  BOOST_TEST(log.size() == 3u);
  BOOST_TEST(log.report.get("skipped_lines") == 2);
  BOOST_TEST(contains(log.report.messages[1], "events.tsv:5: expected 3 fields (who, what, when), found 2"));
  BOOST_TEST(log.times[0] == 1511568000);                 // 2017-11-25T00:00:00Z
  BOOST_TEST(log.times[1] == 1511568000 + 86400 + 36005);
  BOOST_TEST(log.vocab.original_ids.at("item")[0] == "quoted\ty");
  BOOST_TEST(log.vocab.size("shop") == 3);                // s1, s2 (z has no event), unknown
  BOOST_TEST(log.vocab.attributes.at("item").at("shop")[0] == 2);  // "quoted\ty" has no shop
  BOOST_TEST(log.report.get("missing.item.shop") == 1);
  BOOST_TEST(log.vocab.behaviors == std::vector<std::string>{"event"});
  // an unknown column names the choices
  d.time_column = "time";
  BOOST_TEST(contains(error_of([&] { import_events(d); }), "no column 'time' in " + dir.file("events.tsv") +
                                                           " (columns: who, what, when)"));
}

BOOST_AUTO_TEST_CASE(movielens_directory) {
  TempDir dir;
  write_text(dir.file("u.data"), "1\t10\t5\t881250949\n2\t10\t3\t881250950\n1\t2\t1\t881250951\n");
  std::string flags_action = "0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
  std::string flags_comedy_drama = "0|0|0|0|0|1|0|0|1|0|0|0|0|0|0|0|0|0|0";
  write_text(dir.file("u.item"), "2|GoldenEye (1995)|01-Jan-1995||http://x|" + flags_action + "\n" +
                                     "10|\"Quoted\" (1995)|01-Jan-1995||http://y|" + flags_comedy_drama + "\n" +
                                     "11|Unrated (1995)|01-Jan-1995||http://z|" + flags_action + "\n");
  write_text(dir.file("u.genre"), "unknown|0\nAction|1\nAdventure|2\nAnimation|3\nChildren's|4\nComedy|5\n\n");
  spec::DataSpec d;
  d.source = "movielens";
  d.path = dir.path();
  EventLog log = import_events(d);
  BOOST_TEST(log.size() == 3u);
  BOOST_TEST(log.vocab.size("user") == 2);
  BOOST_TEST(log.vocab.size("item") == 2);  // 2 and 10 (11 has no rating)
  BOOST_TEST(log.vocab.behaviors == std::vector<std::string>{"rating"});
  BOOST_TEST(log.vocab.original_ids.at("category")[0] == "Action");
  BOOST_TEST(log.vocab.original_ids.at("category")[1] == "Comedy");  // first flag wins
  BOOST_TEST(log.vocab.attributes.at("item").at("category")[1] == 1);
  d.liked_threshold = 4;
  log = import_events(d);
  BOOST_TEST(log.vocab.behaviors == (std::vector<std::string>{"liked", "watched"}));
  BOOST_TEST(log.behaviors[0] == 0);
  BOOST_TEST(log.behaviors[1] == 1);
  write_text(dir.file("u.data"), "1\t10\t5\n");
  BOOST_TEST(contains(error_of([&] { import_events(d); }), dir.file("u.data") + ":1: expected 4 tab-separated fields"));
}

// ---- byte-order marks, spaces, NUL bytes (issue 13, item 8) --------------------------------------

namespace {
const std::string kBom = "\xEF\xBB\xBF";
}  // namespace

BOOST_AUTO_TEST_CASE(a_leading_byte_order_mark_is_ignored_everywhere) {
  TempDir dir;
  // Headerless CSV: the BOM must not become part of the first user id.
  write_text(dir.file("plain.csv"), kBom + "1,10,100\n2,11,200\n1,11,300\n");
  spec::DataSpec d;
  d.path = dir.file("plain.csv");
  d.header = false;
  d.columns = {"user", "item", "timestamp"};
  EventLog log = import_events(d);
  BOOST_TEST(log.vocab.size("user") == 2);
  BOOST_TEST(log.vocab.original_ids.at("user")[0] == "1");
  // With a header: the first column is "user", not "\xEF\xBB\xBFuser".
  write_text(dir.file("header.csv"), kBom + "user,item,timestamp\n1,10,100\n2,11,200\n");
  spec::DataSpec h;
  h.path = dir.file("header.csv");
  BOOST_TEST(import_events(h).vocab.size("user") == 2);
  // An attribute file with a BOM before its header.
  write_text(dir.file("items.csv"), kBom + "item,category\n10,c1\n11,c2\n");
  spec::AttributeSpec a;
  a.name = "category";
  a.object_space = "item";
  a.path = "items.csv";
  h.attributes = {a};
  log = import_events(h);
  BOOST_TEST(log.report.get("missing.item.category") == 0);
}

BOOST_AUTO_TEST_CASE(movielens_and_amazon_files_with_a_byte_order_mark) {
  TempDir dir;
  const std::string flags = "0|1|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0";
  write_text(dir.file("u.data"), kBom + "1\t10\t5\t881250949\n2\t10\t3\t881250950\n");
  write_text(dir.file("u.item"), kBom + "10|Film (1995)|01-Jan-1995||http://x|" + flags + "\n");
  spec::DataSpec m;
  m.source = "movielens";
  m.path = dir.path();
  EventLog log = import_events(m);
  BOOST_TEST(log.vocab.size("user") == 2);
  BOOST_TEST(log.vocab.original_ids.at("user")[0] == "1");
  BOOST_TEST(log.report.get("missing.item.category") == 0);

  TempDir amazon;
  write_gzip(amazon.file("reviews_T_5.json.gz"),
             kBom + "{\"reviewerID\": \"U1\", \"asin\": \"A1\", \"unixReviewTime\": 1}\n"
                    "{\"reviewerID\": \"U2\", \"asin\": \"A1\", \"unixReviewTime\": 2}\n");
  write_text(amazon.file("meta_T.json"), kBom + "{'asin': 'A1', 'categories': [['X']]}\n");
  spec::DataSpec z;
  z.source = "amazon";
  z.path = amazon.path();
  log = import_events(z);
  BOOST_TEST(log.size() == 2u);
  BOOST_TEST(log.report.get("missing.item.category") == 0);
  BOOST_TEST(log.vocab.original_ids.at("category")[0] == "X");
}

BOOST_AUTO_TEST_CASE(fields_are_trimmed_and_ids_with_nul_bytes_are_bad_lines) {
  TempDir dir;
  // Spaces around fields (and a header name) are not part of them; quoted ids are trimmed too.
  write_text(dir.file("spaced.csv"), "user , item,timestamp\n 1 , 10 , 100\n1,10,200\n\" 2 \",10,300\n");
  spec::DataSpec d;
  d.path = dir.file("spaced.csv");
  const EventLog log = import_events(d);
  BOOST_TEST(log.vocab.size("user") == 2);
  BOOST_TEST(log.vocab.size("item") == 1);
  BOOST_TEST(log.vocab.original_ids.at("user")[1] == "2");
  BOOST_TEST(log.times[0] == 100);

  // A NUL byte inside an id: an error naming file, line and column (or a skipped line).
  write_text(dir.file("nul.csv"), std::string("user,item,timestamp\n1,10,100\n1,1") + '\0' + "1,200\n");
  d.path = dir.file("nul.csv");
  std::string e = error_of([&] { import_events(d); });
  BOOST_TEST(contains(e, dir.file("nul.csv") + ":3: column 'item' holds a NUL byte"), e);
  d.skip_bad_lines = true;
  BOOST_TEST(import_events(d).report.get("skipped_lines") == 1);
  // An id of spaces only is empty.
  write_text(dir.file("blank.csv"), "user,item,timestamp\n  ,10,100\n");
  d.path = dir.file("blank.csv");
  d.skip_bad_lines = false;
  e = error_of([&] { import_events(d); });
  BOOST_TEST(contains(e, dir.file("blank.csv") + ":2: column 'user' is empty"), e);

  // JSON ids: trimmed; a NUL (\u0000) is a bad line naming the field.
  write_text(dir.file("reviews_T_5.json"),
             "{\"reviewerID\": \" U1 \", \"asin\": \"A1\", \"unixReviewTime\": 1}\n"
             "{\"reviewerID\": \"U1\", \"asin\": \"A\\u00001\", \"unixReviewTime\": 2}\n");
  write_text(dir.file("meta_T.json"), "{'asin': ' A1', 'categories': [['X']]}\n");
  spec::DataSpec z;
  z.source = "amazon";
  z.path = dir.path();
  e = error_of([&] { import_events(z); });
  BOOST_TEST(contains(e, "reviews_T_5.json:2: field \"asin\" holds a NUL byte"), e);
  z.skip_bad_lines = true;
  const EventLog amazon = import_events(z);
  BOOST_TEST(amazon.vocab.original_ids.at("user")[0] == "U1");
  BOOST_TEST(amazon.report.get("missing.item.category") == 0);  // meta ' A1' is item A1
}

BOOST_AUTO_TEST_SUITE_END()
