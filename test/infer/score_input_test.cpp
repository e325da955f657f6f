// The input of `atrank score` / `recommend --history` (parse_score_line,
// read_score_input): values resolved against the run's id maps; every bad
// line an error naming line and field; --skip-bad-lines counts them.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "atrank/infer/score_input.hpp"

using namespace atrank;
using infer::ScoreInputError;
using infer::ScoreRequest;
using infer::ScoreSchema;

namespace {

// Items i0..i5 (clicked, bought; "view" is in no group), queries q0..q2 (searched).
data::IdMaps ids() {
  data::IdMaps m;
  auto& v = m.vocab;
  v.original_ids["item"] = {"i0", "i1", "i2", "i3", "i4", "17"};
  v.original_ids["query"] = {"q0", "q1", "q2"};
  v.original_ids["user"] = {"u0"};
  v.behaviors = {"click", "buy", "search", "view"};
  v.original_ids["behavior"] = v.behaviors;
  for (const auto& [space, raw] : v.original_ids) v.sizes[space] = std::int64_t(raw.size());
  m.behavior_space = {"item", "item", "query", "item"};
  return m;
}

data::Layout layout() {
  data::Layout l;
  l.groups = {{"item", "item", {0, 1}, {2, 4}, 86400}, {"query", "query", {2}, {2}, 86400}};
  l.tasks = {{"item", 0}, {"query", 1}};
  return l;
}

struct Fixture {
  data::IdMaps maps = ids();
  data::Layout lay = layout();
  ScoreSchema scoring{maps, lay, true};
  ScoreSchema recommending{maps, lay, false};

  ScoreRequest parse(const std::string& line, bool candidates = true) const {
    return infer::parse_score_line(line, 7, candidates ? scoring : recommending, 0, "in.jsonl");
  }
  std::string error(const std::string& line, bool candidates = true) const {
    try {
      parse(line, candidates);
    } catch (const ScoreInputError& e) {
      BOOST_TEST(e.line() == 7);
      return e.what();
    }
    BOOST_ERROR("expected an error for " << line);
    return "";
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(score_input, Fixture)

BOOST_AUTO_TEST_CASE(a_full_line) {
  const ScoreRequest r = parse(
      R"({"history": [{"object": "i2", "behavior": "buy", "time": 200}, {"object": "q1", "behavior": "search",)"
      R"( "time": "1970-01-01T00:01:40Z"}, {"object": 17, "behavior": "click", "time": 150.9}],)"
      R"( "candidates": ["i4", 17, "i0"], "task": "item", "time": 300, "user": "alice"})");
  BOOST_TEST(r.line == 7);
  BOOST_TEST(r.user == "alice");
  BOOST_TEST(r.task == 0);
  BOOST_TEST(r.has_time);
  BOOST_TEST(r.time == 300);
  BOOST_TEST_REQUIRE(r.history.size() == 3u);
  BOOST_TEST(r.history[0].object == 2);
  BOOST_TEST(r.history[0].behavior == 1);
  BOOST_TEST(r.history[1].object == 1);  // q1 in the query space
  BOOST_TEST(r.history[1].time == 100);
  BOOST_TEST(r.history[2].object == 5);  // integer id 17
  BOOST_TEST(r.history[2].time == 150);
  BOOST_TEST(r.candidates == (std::vector<std::int32_t>{4, 5, 0}));
  const ScoreRequest q = parse(R"({"history": [], "candidates": ["q2"], "task": "query"})");
  BOOST_TEST(q.task == 1);
  BOOST_TEST(q.candidates == (std::vector<std::int32_t>{2}));
  BOOST_TEST(!q.has_time);
  BOOST_TEST(parse(R"({"history": []})", false).candidates.empty());
}

BOOST_AUTO_TEST_CASE(bad_lines_name_the_line_and_the_field) {
  struct Case {
    std::string line, expected;
  };
  const std::vector<Case> cases = {
      {R"({"history": [}, )", "in.jsonl:7: malformed JSON"},
      {R"([1, 2])", "in.jsonl:7: expected a JSON object, got an array"},
      {R"({"candidates": ["i1"]})", "in.jsonl:7: history: missing"},
      {R"({"history": []})", "in.jsonl:7: candidates: missing"},
      {R"({"history": [], "candidates": []})", "candidates: empty"},
      {R"({"history": [], "candidates": ["nope"]})", "in.jsonl:7: candidates[0]: unknown item \"nope\""},
      {R"({"history": [], "candidates": ["i1", "q1"]})", "candidates[1]: unknown item \"q1\""},
      {R"({"history": [], "candidates": [true]})", "candidates[0]: expected an id (a string or an integer), got a boolean"},
      {R"({"history": [], "candidates": ["i1"], "colour": 1})", "colour: unknown field"},
      {R"({"history": [], "candidates": ["i1"], "task": "coupon"})", "task: unknown task \"coupon\" (the run's tasks: item, query)"},
      {R"({"history": [], "candidates": ["i1"], "task": 3})", "task: expected a task name (a string), got an integer"},
      {R"({"history": {}, "candidates": ["i1"]})", "history: expected a list of {object, behavior, time}, got an object"},
      {R"({"history": [{"object": "i1", "time": 1}], "candidates": ["i1"]})",
       "history[0].behavior: missing (the run has several behaviors: click, buy, search, view)"},
      {R"({"history": [{"object": "i1", "behavior": "buy", "time": 1}, {"object": "i9", "behavior": "buy", "time": 2}], "candidates": ["i1"]})",
       "history[1].object: unknown item \"i9\""},
      {R"({"history": [{"object": "i1", "behavior": "view", "time": 1}], "candidates": ["i1"]})",
       "history[0].behavior: behavior \"view\" is in no group"},
      {R"({"history": [{"object": "i1", "behavior": "sleep", "time": 1}], "candidates": ["i1"]})",
       "history[0].behavior: unknown behavior \"sleep\""},
      {R"({"history": [{"behavior": "buy", "time": 1}], "candidates": ["i1"]})", "history[0].object: missing"},
      {R"({"history": [{"object": "i1", "behavior": "buy"}], "candidates": ["i1"]})", "history[0].time: missing"},
      {R"({"history": [{"object": "i1", "behavior": "buy", "time": "yesterday"}], "candidates": ["i1"]})",
       "history[0].time: \"yesterday\" is not a time"},
      {R"({"history": [{"object": "i1", "behavior": "buy", "time": 1e300}], "candidates": ["i1"]})",
       "history[0].time: time out of range"},
      {R"({"history": [{"object": "i1", "behavior": "buy", "time": 1, "time": 2}], "candidates": ["i1"]})",
       "history[0].time: given twice"},
      {R"({"history": [{"object": "", "behavior": "buy", "time": 1}], "candidates": ["i1"]})", "history[0].object: id"},
      {R"({"history": [], "history": [], "candidates": ["i1"]})", "history: given twice"},
  };
  for (const auto& c : cases) {
    const std::string e = error(c.line);
    BOOST_TEST(e.find(c.expected) != std::string::npos, c.line << " -> " << e);
  }
  const std::string e = error(R"({"history": [], "candidates": ["i1"]})", false);
  BOOST_TEST(e.find("candidates: recommend ranks every object") != std::string::npos, e);
}

BOOST_AUTO_TEST_CASE(one_behavior_needs_no_behavior_field) {
  data::IdMaps m = ids();
  m.vocab.behaviors = {"rate"};
  m.vocab.original_ids["behavior"] = m.vocab.behaviors;
  m.vocab.sizes["behavior"] = 1;
  m.behavior_space = {"item"};
  data::Layout l;
  l.groups = {{"item", "item", {0}, {2}, 86400}};
  l.tasks = {{"item", 0}};
  const ScoreSchema s(m, l, true);
  const auto r = infer::parse_score_line(R"({"history": [{"object": "i3", "time": 5}], "candidates": ["i1"]})", 1, s,
                                         0, "x");
  BOOST_TEST(r.history.at(0).behavior == 0);
  BOOST_TEST(r.history.at(0).object == 3);
}

BOOST_AUTO_TEST_CASE(reading_lines_bom_crlf_blank_lines_and_skipping) {
  const std::string text =
      "\xEF\xBB\xBF{\"history\": [], \"candidates\": [\"i1\"]}\r\n"
      "\n"
      "   \n"
      "{\"history\": [], \"candidates\": [\"bad\"]}\n"
      "not json\n"
      "{\"history\": [], \"candidates\": [\"i2\"], \"user\": \"z\"}";
  std::vector<ScoreRequest> got;
  auto keep = [&](ScoreRequest&& r) { got.push_back(std::move(r)); };
  try {
    infer::read_score_input(text, scoring, 0, "in.jsonl", false, keep);
    BOOST_ERROR("expected line 4 to fail");
  } catch (const ScoreInputError& e) {
    BOOST_TEST(e.line() == 4);
    BOOST_TEST(std::string(e.what()).find("in.jsonl:4: candidates[0]: unknown item \"bad\"") == 0u, e.what());
  }
  got.clear();
  const auto report = infer::read_score_input(text, scoring, 0, "in.jsonl", true, keep);
  BOOST_TEST(report.lines == 4);
  BOOST_TEST(report.skipped == 2);
  BOOST_TEST_REQUIRE(report.messages.size() == 2u);
  BOOST_TEST(report.messages[1].find("in.jsonl:5: malformed JSON") == 0u, report.messages[1]);
  BOOST_TEST_REQUIRE(got.size() == 2u);
  BOOST_TEST(got[0].line == 1);
  BOOST_TEST(got[1].line == 6);
  BOOST_TEST(got[1].user == "z");
}

BOOST_AUTO_TEST_SUITE_END()
