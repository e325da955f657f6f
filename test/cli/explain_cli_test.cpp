// `atrank explain` as a user runs it: a user of the run's data (--user) and a
// history that is not in the data (--history, `atrank score`'s input lines),
// on a single-group run and on the multi-group, multi-task spec; the same
// history gives the same attention numbers either way; refusals name the
// file, line and field and write nothing.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "test/cli/run_binary.hpp"
#include "test/cli/workspace.hpp"

using atrank::test::has;
using atrank::test::Outcome;
using atrank::test::read_text;
using atrank::test::run_atrank;
using atrank::test::Scratch;
using atrank::test::Workspace;
using atrank::test::write_text;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// Tiny generated data (data/) and the tiny spec trained into r/.
struct TinyRun : Workspace {
  TinyRun() {
    const Outcome r = (*this)({"run", "tiny.toml", "--out", "r", "--quiet"});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
  }
};

// The multi-behavior spec (item, query and coupon groups; three tasks), made small, trained into mr/.
struct MultiRun {
  Scratch dir;
  MultiRun() {
    Outcome r = run_atrank({"data", "synth", "--kind", "multi", "--out", "m", "--users", "60", "--items", "100",
                            "--events", "2000"},
                           dir.path());
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    std::vector<std::string> run = {"run", std::string(ATRANK_SOURCE_DIR) + "/specs/multi-behavior.toml", "--out",
                                    "mr", "--quiet", "--set", "data.path=m", "--set", "train.epochs=1", "--set",
                                    "encoder.hidden=16", "--set", "encoder.heads=2", "--set", "encoder.ffn=8",
                                    "--set", "data.history_cap=8"};  // a cap the longer histories exceed
    for (const char* g : {"item", "query", "coupon"})
      run.insert(run.end(), {"--set", std::string("groups.") + g + ".projection.width=16"});
    for (const char* t : {"item", "query", "coupon", "shop", "category", "brand", "behavior"})
      run.insert(run.end(), {"--set", std::string("tables.") + t + ".width=8"});
    r = run_atrank(run, dir.path());
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
  }
  std::string file(const std::string& name) const { return dir.file(name); }
};

// One row of events.csv: what a history line needs.
struct Event {
  std::string object, behavior;
  long long time = 0;
};

// The events of `user` in `csv` (columns by header: user, object or item,
// behavior when present, timestamp), stably sorted by time as the data's
// examples are.
std::vector<Event> events_of(const std::string& csv, const std::string& user) {
  std::istringstream in(read_text(csv));
  std::string line;
  std::getline(in, line);
  std::map<std::string, std::size_t> column;
  {
    std::istringstream h(line);
    std::size_t i = 0;
    for (std::string name; std::getline(h, name, ',');) column[name] = i++;
  }
  const std::size_t object = column.count("object") ? column.at("object") : column.at("item");
  std::vector<Event> out;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream l(line);
    for (std::string x; std::getline(l, x, ',');) f.push_back(x);
    if (f.at(column.at("user")) != user) continue;
    out.push_back({f.at(object), column.count("behavior") ? f.at(column.at("behavior")) : "",
                   std::stoll(f.at(column.at("timestamp")))});
  }
  std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.time < b.time; });
  return out;
}

// The history line of `user`'s test case for a task whose targets are the
// events of `targets` (empty: every event): the events before its last
// target event, scored at that event's time, the event's object as the
// candidate; `user` as the label.
std::string test_case_line(const std::string& csv, const std::string& user, const std::vector<std::string>& targets) {
  std::vector<Event> ev = events_of(csv, user);
  auto is_target = [&](const Event& e) {
    return targets.empty() || std::find(targets.begin(), targets.end(), e.behavior) != targets.end();
  };
  auto last = ev.end();
  while (last != ev.begin() && !is_target(*(last - 1))) --last;
  BOOST_TEST_REQUIRE((last != ev.begin()), "user " + user + " has no target event");
  const Event target = *(last - 1);
  json history = json::array();
  for (auto it = ev.begin(); it != last - 1; ++it) {
    json e = {{"object", it->object}, {"time", it->time}};
    if (!it->behavior.empty()) e["behavior"] = it->behavior;
    history.push_back(e);
  }
  return json{{"user", user}, {"history", history}, {"time", target.time}, {"candidates", {target.object}}}.dump() +
         "\n";
}

// Two explain.json files describe the same computation: the same history
// positions and target, and the same attention weights and logit.
void check_same_attention(const json& a, const json& b) {
  BOOST_TEST_REQUIRE(a["history"].size() > 0u);
  BOOST_TEST(a["history"] == b["history"]);
  BOOST_TEST(a["target"]["object"] == b["target"]["object"]);
  BOOST_TEST(a["task"] == b["task"]);
  BOOST_TEST(a["target"]["logit"].get<double>() == b["target"]["logit"].get<double>(),
             boost::test_tools::tolerance(1e-6));
  for (const char* kind : {"vanilla_attention", "self_attention", "mass_by_behavior", "mass_by_group"}) {
    BOOST_TEST_REQUIRE(a[kind].size() == b[kind].size(), kind);
    // Flattened: every weight of every block and head (masses: objects keyed by name).
    std::vector<double> fx, fy;
    auto flatten = [](const json& j, std::vector<double>& out, auto& self) -> void {
      if (j.is_structured())
        for (const auto& e : j) self(e, out, self);
      else
        out.push_back(j.get<double>());
    };
    flatten(a[kind], fx, flatten);
    flatten(b[kind], fy, flatten);
    BOOST_TEST_REQUIRE(fx.size() == fy.size(), kind);
    BOOST_TEST_REQUIRE(fx.size() > 0u, kind);
    for (std::size_t i = 0; i < fx.size(); ++i) BOOST_TEST(fx[i] == fy[i], boost::test_tools::tolerance(1e-6));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(explain)

BOOST_AUTO_TEST_CASE(explain_writes_attention_and_pictures) {
  TinyRun w;
  Outcome r = w({"explain", "r", "--user", "3", "--out", "ex"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "explain: user 3 target "), r.out);
  const json j = json::parse(read_text(w.file("ex/explain.json")));
  BOOST_TEST(j["user"] == "3");
  BOOST_TEST(j["task"] == "item");
  BOOST_TEST(j["heads"] == 2);
  BOOST_TEST(!j.contains("input"));
  const auto t = j["history"].size();
  BOOST_TEST_REQUIRE(t > 0u);
  for (const char* k : {"position", "group", "index", "object", "behavior", "time_bucket"})
    BOOST_TEST(j["history"][0].contains(k), k);
  BOOST_TEST(j["self_attention"][0][1].size() == t);  // block 0, head 1: t x t
  BOOST_TEST(j["self_attention"][0][1][0].size() == t);
  BOOST_TEST(j["vanilla_attention"][0][0].size() == t);  // block 0, head 0: t
  double mass = 0;
  for (const auto& [group, m] : j["mass_by_group"][0][0].items()) mass += m.get<double>();
  BOOST_TEST(mass == 1.0, boost::test_tools::tolerance(1e-5));
  for (const char* f : {"vanilla", "self", "mass"})
    for (const char* ext : {".png", ".svg"}) BOOST_TEST(fs::file_size(w.file(std::string("ex/") + f + ext)) > 1000u, f);

  // Another target at the same moment: the same history, another logit.
  r = w({"explain", "r", "--user", "3", "--target", "5", "--out", "ex5", "--no-pictures"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const json five = json::parse(read_text(w.file("ex5/explain.json")));
  BOOST_TEST(five["target"]["object"] == "5");
  BOOST_TEST(five["history"] == j["history"]);
  BOOST_TEST(!fs::exists(w.file("ex5/vanilla.png")));

  // The selected evaluation's parameters (best.ckpt) by default, --from last the final ones.
  BOOST_TEST(j["checkpoint"] == "r/best.ckpt");
  r = w({"explain", "r", "--user", "3", "--from", "last", "--out", "last", "--no-pictures"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(json::parse(read_text(w.file("last/explain.json")))["checkpoint"] == "r/checkpoint.ckpt");
  fs::remove(w.file("r/best.ckpt"));
  r = w({"explain", "r", "--user", "3", "--from", "best", "--out", "refused"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "r has no best.ckpt"), r.err);
  BOOST_TEST(!fs::exists(w.file("refused")));

  // Refusals name the problem and write nothing.
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--user", "nobody"}, "--user nobody: no such user"},
           {{"--user", "3", "--target", "x9"}, "--target x9: no such item"},
           {{"--user", "3", "--task", "query"}, "unknown task `query` (the run's tasks: item)"},
           {{}, "explain needs one of --user ID"},
           {{"--user", "3", "--line", "2"}, "--line picks a line of --history FILE"}}) {
    std::vector<std::string> cmd = {"explain", "r", "--out", "refused"};
    cmd.insert(cmd.end(), args.begin(), args.end());
    r = w(cmd);
    BOOST_TEST(r.code == 1, message);
    BOOST_TEST(has(r.err, message), r.err);
    BOOST_TEST(!fs::exists(w.file("refused")), message);
  }
}

// A history file holding a data user's test case explains with the data's numbers.
BOOST_AUTO_TEST_CASE(a_history_file_explains_as_the_same_users_history_in_the_data) {
  TinyRun w;
  for (const std::string user : {"3", "17"}) {
    Outcome r = w({"explain", "r", "--user", user, "--out", "data-" + user, "--no-pictures"});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    write_text(w.file("h" + user + ".jsonl"), test_case_line(w.file("data/events.csv"), user, {}));
    r = w({"explain", "r", "--history", "h" + user + ".jsonl", "--out", "file-" + user, "--no-pictures"});
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    BOOST_TEST(has(r.out, "explain: h" + user + ".jsonl line 1 target "), r.out);
    const json data = json::parse(read_text(w.file("data-" + user + "/explain.json")));
    const json file = json::parse(read_text(w.file("file-" + user + "/explain.json")));
    check_same_attention(data, file);
    BOOST_TEST(file["user"] == user);  // the line's label
    BOOST_TEST(file["input"] == (json{{"file", "h" + user + ".jsonl"}, {"line", 1}}));
  }

  // Several lines: --line picks one (the file's line number); the default
  // output directory names the file and the line; pictures as for --user.
  write_text(w.file("both.jsonl"),
             test_case_line(w.file("data/events.csv"), "17", {}) + "\n" +
                 test_case_line(w.file("data/events.csv"), "3", {}));
  Outcome r = w({"explain", "r", "--history", "both.jsonl", "--line", "3"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  check_same_attention(json::parse(read_text(w.file("data-3/explain.json"))),
                       json::parse(read_text(w.file("r/explain-both-3/explain.json"))));
  BOOST_TEST(fs::file_size(w.file("r/explain-both-3/vanilla.png")) > 1000u);

  // --target replaces the line's candidate (and makes candidates optional).
  write_text(w.file("bare.jsonl"),
             "{\"history\": [{\"object\": \"3\", \"time\": 100}, {\"object\": \"4\", \"time\": 200}]}\n");
  r = w({"explain", "r", "--history", "bare.jsonl", "--target", "5", "--out", "bare", "--no-pictures"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const json bare = json::parse(read_text(w.file("bare/explain.json")));
  BOOST_TEST(bare["target"]["object"] == "5");
  BOOST_TEST(bare["user"].is_null());
  BOOST_TEST(bare["history"].size() == 2u);
}

BOOST_AUTO_TEST_CASE(multi_group_history_file_explains_as_the_data) {
  MultiRun w;
  const std::vector<std::string> items = {"pv", "cart", "fav", "buy"};
  int compared = 0;
  for (const std::string user : {"0", "1", "2", "5", "8"}) {
    const Outcome d = run_atrank({"explain", "mr", "--user", user, "--task", "item", "--out", "d" + user,
                                  "--no-pictures"},
                                 w.dir.path());
    if (d.code != 0 && has(d.err, "no test case")) continue;
    BOOST_TEST_REQUIRE(d.code == 0, d.err);
    write_text(w.file("h.jsonl"), test_case_line(w.file("m/events.csv"), user, items));
    const Outcome f = run_atrank({"explain", "mr", "--history", "h.jsonl", "--task", "item", "--out", "f" + user,
                                  "--no-pictures"},
                                 w.dir.path());
    BOOST_TEST_REQUIRE(f.code == 0, f.err);
    const json data = json::parse(read_text(w.file("d" + user + "/explain.json")));
    check_same_attention(data, json::parse(read_text(w.file("f" + user + "/explain.json"))));
    std::set<std::string> groups;
    for (const auto& e : data["history"]) groups.insert(e["group"].get<std::string>());
    BOOST_TEST(groups.size() > 1u, "user " + user + ": a history of several groups");
    ++compared;
  }
  BOOST_TEST(compared >= 3);
}

// Bad history files and flags: the file, line and field named, exit 1, no output directory.
BOOST_AUTO_TEST_CASE(bad_history_files_are_refused_by_file_line_and_field) {
  TinyRun w;
  const std::string ok = "{\"history\": [{\"object\": \"3\", \"time\": 100}], \"candidates\": [\"4\"]}";
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases = {
      {ok + "\n\n" + ok + "\n", {}, "h.jsonl holds 2 histories (lines 1, 3): pick one with --line N"},
      {ok + "\n\n" + ok + "\n", {"--line", "2"},
       "--line 2: h.jsonl has no history on line 2 (its histories: lines 1, 3)"},
      {ok + "\n{\"history\": [{\"object\": \"x9\", \"time\": 1}], \"candidates\": [\"4\"]}\n", {"--line", "1"},
       "h.jsonl:2: history[0].object: unknown item \"x9\""},
      {"{\"history\": [{\"object\": \"3\", \"time\": 100}]}\n", {}, "h.jsonl:1: candidates: missing: name the object"},
      {"{\"history\": [{\"object\": \"3\", \"time\": \"soon\"}], \"candidates\": [\"4\"]}\n", {},
       "h.jsonl:1: history[0].time: \"soon\" is not a time"},
      {"{\"history\": [], \"candidates\": [\"4\"], \"task\": \"query\"}\n", {},
       "h.jsonl:1: task: unknown task \"query\""},
      {"{\"history\": [], \"candidates\": [\"4\"], \"colour\": 1}\n", {}, "h.jsonl:1: colour: unknown field"},
      {"[1, 2]\n", {}, "h.jsonl:1: expected a JSON object"},
      {ok + "\n", {"--target", "x9"}, "--target x9: no such item"},
      {ok + "\n", {"--user", "3"}, "explain needs one of --user ID"},
      {"\n\n", {}, "h.jsonl: no input lines"},
      {"{\"history\": [], \"candidates\": [\"4\"]}\n", {}, "h.jsonl line 1: the history is empty: no attention"},
  };
  for (const auto& [text, flags, message] : cases) {
    write_text(w.file("h.jsonl"), text);
    std::vector<std::string> cmd = {"explain", "r", "--history", "h.jsonl", "--out", "refused"};
    cmd.insert(cmd.end(), flags.begin(), flags.end());
    const Outcome r = w(cmd);
    BOOST_TEST(r.code == 1, message);
    BOOST_TEST(has(r.err, message), r.err);
    BOOST_TEST(!fs::exists(w.file("refused")), message);
    BOOST_TEST(!fs::exists(w.file("r/explain-h-1")), message);
  }
  Outcome r = w({"explain", "r", "--history", "missing.jsonl", "--out", "refused"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "missing.jsonl"), r.err);
  r = w({"explain", "r", "--history", "h.jsonl", "--line", "0", "--out", "refused"});
  BOOST_TEST(r.code != 0);
  BOOST_TEST(has(r.err, "--line"), r.err);
  BOOST_TEST(!fs::exists(w.file("refused")));
}

BOOST_AUTO_TEST_SUITE_END()
