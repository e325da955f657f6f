#include <boost/test/unit_test.hpp>

#include "atrank/data/python_literal.hpp"

using namespace atrank::data;

BOOST_AUTO_TEST_SUITE(python_literal)

BOOST_AUTO_TEST_CASE(scalars_and_nesting) {
  const PyValue v = parse_python_literal(
      "{'a': 1, \"b\": -2.5e3, 'c': [True, False, None], 'd': {'e': ('x', 7L)}, 'f': []}");
  BOOST_TEST((v.kind == PyValue::Kind::dict));
  BOOST_TEST(v.get("a")->integer == 1);
  BOOST_TEST(v.get("b")->real == -2500.0);
  BOOST_TEST(v.get("c")->items.size() == 3u);
  BOOST_TEST(v.get("c")->items[0].boolean);
  BOOST_TEST((v.get("c")->items[2].kind == PyValue::Kind::none));
  const PyValue* d = v.get("d");
  BOOST_TEST((d->get("e")->kind == PyValue::Kind::tuple));
  BOOST_TEST(d->get("e")->items[0].text == "x");
  BOOST_TEST(d->get("e")->items[1].integer == 7);
  BOOST_TEST(v.get("f")->items.empty());
}

BOOST_AUTO_TEST_CASE(strings_with_quotes_escapes_and_unicode) {
  const PyValue v = parse_python_literal(
      R"({'t': "Rock 'n' Roll", 'u': 'It\'s \"ok\"\\n', 'w': u'caf\xe9 \u00e9\U0001F600', 'raw': 'Motörhead'})");
  BOOST_TEST(v.get("t")->text == "Rock 'n' Roll");
  BOOST_TEST(v.get("u")->text == "It's \"ok\"\\n");
  BOOST_TEST(v.get("w")->text == "caf\xc3\xa9 \xc3\xa9\xf0\x9f\x98\x80");
  BOOST_TEST(v.get("raw")->text == "Motörhead");
  BOOST_TEST(parse_python_literal(R"('a\tb\x41\101')").text == "a\tbAA");
  BOOST_TEST(parse_python_literal(R"('\ud83d\ude00')").text == "\xf0\x9f\x98\x80");
  BOOST_TEST(parse_python_literal("'ab' \"cd\"").text == "abcd");
}

BOOST_AUTO_TEST_CASE(selective_dict_skips_other_values) {
  const PyValue v = parse_python_dict(
      "{'asin': 'B01', 'related': {'also_bought': ['X', 'Y']}, 'categories': [['A', 'B'], ['C']]}",
      {"asin", "categories"});
  BOOST_TEST(v.items.size() == 2u);
  BOOST_TEST(v.get("asin")->text == "B01");
  BOOST_TEST(v.get("related") == nullptr);
  BOOST_TEST(v.get("categories")->items[1].items[0].text == "C");
}

// Found by test/fuzz (python_literal harness): parse_python_dict skipped only spaces and tabs
// before the '{', so "\r{...}" was valid to parse_python_literal but not to the meta importer.
BOOST_AUTO_TEST_CASE(selective_dict_skips_the_same_whitespace_as_the_full_parser) {
  for (const std::string ws : {" ", "\t", "\r", "\n", "\r\n "}) {
    BOOST_TEST((parse_python_literal(ws + "{'asin': 'B01'}").kind == PyValue::Kind::dict));
    BOOST_TEST(parse_python_dict(ws + "{'asin': 'B01'}" + ws, {"asin"}).get("asin")->text == "B01");
  }
  try {
    parse_python_dict(" \r['asin']", {"asin"});
    BOOST_FAIL("a list is not a dict");
  } catch (const PyLiteralError& e) {
    BOOST_TEST(e.offset == 2u);
    BOOST_TEST(std::string(e.what()) == "expected a dict literal '{'");
  }
}

BOOST_AUTO_TEST_CASE(errors_report_offset) {
  auto offset_of = [](const std::string& s) -> long {
    try {
      parse_python_literal(s);
    } catch (const PyLiteralError& e) {
      return static_cast<long>(e.offset);
    }
    return -1;
  };
  BOOST_TEST(offset_of("{'a': 1") == 7);
  BOOST_TEST(offset_of("{'a' 1}") == 5);
  BOOST_TEST(offset_of("['abc") == 1);
  BOOST_TEST(offset_of("[1, 2] x") == 7);
  BOOST_TEST(offset_of("{'a': nope}") == 6);
  // Skipped values are still validated.
  BOOST_CHECK_THROW(parse_python_dict("{'asin': 'x', 'related': [1, 2}", {"asin"}), PyLiteralError);
}

BOOST_AUTO_TEST_SUITE_END()
