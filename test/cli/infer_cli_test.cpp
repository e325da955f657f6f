// The inference commands on real run directories, as a user runs them:
// `recommend`, `score` and `export` on a single-group run and on the
// multi-group, multi-task spec; export checked against the checkpoint with
// numpy; the ids/ maps the run writes.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "atrank/train/checkpoint.hpp"
#include "test/cli/run_binary.hpp"

using atrank::test::has;
using atrank::test::Outcome;
using atrank::test::read_text;
using atrank::test::run_atrank;
using atrank::test::Scratch;
using atrank::test::write_text;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::vector<std::string> fields(const std::string& line, char sep = '\t') {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string f; std::getline(in, f, sep);) out.push_back(f);
  return out;
}

// A shell command's exit status and stdout.
std::pair<int, std::string> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  BOOST_REQUIRE(p);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  return {::pclose(p), out};
}

const char* kSingleSpec =
    "name = \"tiny\"\n[data]\nsource = \"csv\"\npath = \"data\"\nfiles = [\"events.csv\"]\n"
    "[[data.attributes]]\nname = \"category\"\nobject_space = \"item\"\ncolumn = \"category\"\n"
    "[tables.item]\nwidth = 8\n[tables.category]\nwidth = 8\n[tables.item_bias]\nvocab = \"item\"\nwidth = 1\n"
    "init = \"zeros\"\n"
    "[groups.item]\nobject = \"item\"\nfeatures = [\"item\", { table = \"category\", through = \"category\" }]\n"
    "time = { encoding = \"one_hot\", edges = \"log2\", count = 12, combine = \"concat\" }\n"
    "projection = { width = 16, activation = \"none\" }\n"
    "[encoder]\nkind = \"atrank\"\nhidden = 16\nheads = 2\nblocks = 1\nffn = 8\n"
    "[tasks.item]\ntarget = \"item\"\nbias_table = \"item_bias\"\n"
    "[train]\nbatch_size = 32\nepochs = 1\nthreads = 1\n"
    "[eval]\nmetrics = [\"auc\", \"hr@10\", \"ndcg@10\", \"recall@10\", \"mrr\"]\nranking = \"all\"\n";

// Tiny generated data (data/), the spec above trained into run/.
struct TrainedWorkspace {
  Scratch dir;
  TrainedWorkspace() {
    Outcome r = run_atrank({"data", "synth", "--out", "data", "--users", "80", "--items", "120", "--categories", "6",
                            "--events", "1200"},
                           dir.path());
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    write_text(dir.file("tiny.toml"), kSingleSpec);
    r = run_atrank({"run", "tiny.toml", "--out", "run", "--quiet"}, dir.path());
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
  }
  Outcome operator()(const std::vector<std::string>& args) const { return run_atrank(args, dir.path()); }
  std::string file(const std::string& name) const { return dir.file(name); }

  // user -> items of the user's events in data/events.csv (user,item,category,timestamp).
  std::map<std::string, std::vector<std::string>> histories() const {
    std::map<std::string, std::vector<std::string>> out;
    const auto lines = lines_of(read_text(file("data/events.csv")));
    for (std::size_t i = 1; i < lines.size(); ++i) {
      const auto f = fields(lines[i], ',');
      out[f[0]].push_back(f[1]);
    }
    return out;
  }
};

// The TSV rows of `recommend` (header checked): user, rank, object, score.
std::vector<std::vector<std::string>> recommendations(const Outcome& r) {
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const auto lines = lines_of(r.out);
  BOOST_TEST_REQUIRE(!lines.empty());
  BOOST_TEST(lines[0] == "user\trank\tobject\tscore");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) rows.push_back(fields(lines[i]));
  return rows;
}

// Checks every array of DIR/model.npz (read by numpy) against the checkpoint
// the manifest names, value by value.
void check_npz_against_checkpoint(const std::string& export_dir, const std::string& checkpoint) {
  const std::string script =
      "import json, sys, numpy as np\n"
      "z = np.load(sys.argv[1])\n"
      "print(json.dumps({k: {'shape': list(z[k].shape), 'dtype': str(z[k].dtype),"
      " 'values': [float(x) for x in z[k].ravel()]} for k in z.files}))\n";
  write_text(export_dir + "/read_npz.py", script);
  const auto [status, out] = shell("/usr/bin/python3 " + export_dir + "/read_npz.py " + export_dir + "/model.npz");
  BOOST_TEST_REQUIRE(status == 0, "numpy could not read model.npz: " << out);
  fs::remove(export_dir + "/read_npz.py");
  const json arrays = json::parse(out);
  const json manifest = json::parse(read_text(export_dir + "/manifest.json"));
  const auto ckpt = atrank::train::Checkpoint::load(checkpoint, 0);
  BOOST_TEST(manifest["parameters"].size() == arrays.size());
  for (const auto& p : manifest["parameters"]) {
    const std::string name = p["name"];
    BOOST_TEST_CONTEXT(name) {
      BOOST_TEST_REQUIRE(arrays.contains(name));
      const json& a = arrays[name];
      BOOST_TEST(a["dtype"] == "float32");
      BOOST_TEST(a["shape"] == p["shape"]);
      const std::string& bytes = ckpt.bytes(p["section"].get<std::string>());
      const std::size_t offset = p["offset"];
      const auto& values = a["values"];
      BOOST_TEST_REQUIRE((offset + values.size()) * sizeof(float) <= bytes.size());
      std::size_t differ = 0;
      for (std::size_t i = 0; i < values.size(); ++i) {
        float v;
        std::memcpy(&v, bytes.data() + (offset + i) * sizeof(float), sizeof v);
        differ += float(values[i].get<double>()) != v;
      }
      BOOST_TEST(differ == 0u);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inference_commands)

BOOST_AUTO_TEST_CASE(run_directory_holds_id_maps_and_full_ranking_metrics) {
  TrainedWorkspace w;
  const auto users = lines_of(read_text(w.file("run/ids/user.tsv")));
  BOOST_TEST(users.size() == 80u);
  BOOST_TEST(lines_of(read_text(w.file("run/ids/item.tsv"))).size() == 120u);
  BOOST_TEST(lines_of(read_text(w.file("run/ids/item.category.tsv"))).size() == 120u);
  BOOST_TEST(fs::exists(w.file("run/ids/category.tsv")));
  BOOST_TEST(read_text(w.file("run/ids/behavior.tsv")) == "event\titem\n");
  const json summary = json::parse(read_text(w.file("run/summary.json")));
  for (const char* m : {"hr@10", "ndcg@10", "recall@10", "mrr"}) {
    BOOST_TEST_REQUIRE(summary["test"].contains(m), m);
    const double v = summary["test"][m];
    BOOST_TEST((v > 0.0 && v <= 1.0), m << " = " << v);
  }
}

BOOST_AUTO_TEST_CASE(recommend_dataset_users) {
  TrainedWorkspace w;
  const auto history = w.histories();
  const auto rows = recommendations(w({"recommend", "run", "--user", "3", "--user", "7", "--k", "5"}));
  BOOST_TEST_REQUIRE(rows.size() == 10u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    BOOST_TEST(r[0] == (i < 5 ? "3" : "7"));
    BOOST_TEST(r[1] == std::to_string(i % 5 + 1));
    const auto& seen = history.at(r[0]);
    BOOST_TEST((std::find(seen.begin(), seen.end(), r[2]) == seen.end()), "recommended a seen item " << r[2]);
    if (i % 5 > 0) BOOST_TEST(std::stod(r[3]) <= std::stod(rows[i - 1][3]));
  }
  // --exclude-seen false ranks every item: with k = all items, the seen ones are there too.
  const auto all = recommendations(w({"recommend", "run", "--user", "3", "--k", "1000", "--exclude-seen", "false"}));
  BOOST_TEST(all.size() == 120u);
  const auto unseen = recommendations(w({"recommend", "run", "--user", "3", "--k", "1000"}));
  const std::set<std::string> seen3(history.at("3").begin(), history.at("3").end());
  BOOST_TEST(unseen.size() == 120u - seen3.size());
  // --users FILE and --json give the same ranking.
  write_text(w.file("users.txt"), "3\n\n7\n");
  const Outcome j = w({"recommend", "run", "--users", "users.txt", "--k", "5", "--json"});
  BOOST_TEST_REQUIRE(j.code == 0, j.err);
  const auto jl = lines_of(j.out);
  BOOST_TEST_REQUIRE(jl.size() == 2u);
  const json first = json::parse(jl[0]);
  BOOST_TEST(first["user"] == "3");
  BOOST_TEST(first["task"] == "item");
  BOOST_TEST(first["recommendations"].size() == 5u);
  BOOST_TEST(first["recommendations"][0]["object"] == rows[0][2]);
  BOOST_TEST(first["recommendations"][0]["rank"] == 1);
  // Two threads: the same lines.
  BOOST_TEST(w({"recommend", "run", "--user", "3", "--user", "7", "--k", "5", "--threads", "2"}).out ==
             w({"recommend", "run", "--user", "3", "--user", "7", "--k", "5"}).out);
  BOOST_TEST(has(j.err, "recommended for 2 user(s) among 120 object(s)"), j.err);
}

// The spec's data.path ("data") is relative: to the directory `atrank run`
// ran in, which the run records (origin.json); recommend and explain run
// from anywhere else read the same data.
BOOST_AUTO_TEST_CASE(recommend_reads_the_data_the_run_read_from_any_directory) {
  TrainedWorkspace w;
  const json origin = json::parse(read_text(w.file("run/origin.json")));
  BOOST_TEST(origin["working_directory"].get<std::string>() == fs::canonical(w.file(".")).string());
  const Outcome here = w({"recommend", "run", "--user", "3", "--k", "5"});
  BOOST_TEST_REQUIRE(here.code == 0, here.err);
  const Outcome inside = run_atrank({"recommend", ".", "--user", "3", "--k", "5"}, w.file("run"));
  BOOST_TEST_REQUIRE(inside.code == 0, inside.err);
  BOOST_TEST(inside.out == here.out);
  const Outcome explained = run_atrank({"explain", ".", "--user", "3", "--out", "ex", "--no-pictures"}, w.file("run"));
  BOOST_TEST(explained.code == 0, explained.err);

  write_text(w.file("run/origin.json"), "{}");
  const Outcome bad = w({"recommend", "run", "--user", "3"});
  BOOST_TEST(bad.code == 1);
  BOOST_TEST(has(bad.err, "run/origin.json: expected {\"working_directory\""), bad.err);
}

BOOST_AUTO_TEST_CASE(recommend_refuses_unknown_users_and_bad_flags) {
  TrainedWorkspace w;
  Outcome r = w({"recommend", "run", "--user", "3", "--user", "nobody"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.out.empty());
  BOOST_TEST(has(r.err, "atrank: error: --user: unknown user \"nobody\""), r.err);
  write_text(w.file("users.txt"), "3\nghost\n");
  r = w({"recommend", "run", "--users", "users.txt"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "users.txt:2: unknown user \"ghost\""), r.err);
  r = w({"recommend", "run"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "nothing to recommend for"), r.err);
  r = w({"recommend", "run", "--user", "3", "--k", "0"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "--k must be a positive"), r.err);
  r = w({"recommend", "run", "--user", "3", "--task", "coupon"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "unknown task `coupon` (the run's tasks: item)"), r.err);
  r = w({"recommend", "data", "--user", "3"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "data is not a run directory"), r.err);
  // The selected evaluation's parameters by default, the last ones on request.
  BOOST_TEST_REQUIRE(fs::exists(w.file("run/best.ckpt")));
  r = w({"recommend", "run", "--user", "3"});
  BOOST_TEST(has(r.err, "checkpoint run/best.ckpt"), r.err);
  r = w({"recommend", "run", "--user", "3", "--from", "last"});
  BOOST_TEST(has(r.err, "checkpoint run/checkpoint.ckpt"), r.err);
  fs::remove(w.file("run/best.ckpt"));
  r = w({"recommend", "run", "--user", "3", "--from", "best"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "has no best.ckpt"), r.err);
  r = w({"recommend", "run", "--user", "3"});
  BOOST_TEST(has(r.err, "checkpoint run/checkpoint.ckpt"), r.err);
}

BOOST_AUTO_TEST_CASE(score_equals_recommend_and_names_bad_lines) {
  TrainedWorkspace w;
  const auto history = w.histories();
  // User 3's history from the data, scored by `score` and by `recommend --history`:
  // a dataset user's recommendation scores are the ones `score` gives its history.
  const auto events = lines_of(read_text(w.file("data/events.csv")));
  json h = json::array();
  for (std::size_t i = 1; i < events.size(); ++i) {
    const auto f = fields(events[i], ',');
    if (f[0] == "3") h.push_back({{"object", f[1]}, {"time", std::stoll(f[3])}});
  }
  const auto top = recommendations(w({"recommend", "run", "--user", "3", "--k", "4"}));
  json line = {{"history", h}, {"candidates", json::array()}, {"user", "three"}};
  for (const auto& r : top) line["candidates"].push_back(r[2]);
  write_text(w.file("in.jsonl"), line.dump() + "\n" + line.dump() + "\n");
  Outcome r = w({"score", "run", "--input", "in.jsonl", "--output", "scores.jsonl"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(r.out.empty());
  const auto out = lines_of(read_text(w.file("scores.jsonl")));
  BOOST_TEST_REQUIRE(out.size() == 2u);
  const json s = json::parse(out[1]);
  BOOST_TEST(s["line"] == 2);
  BOOST_TEST(s["user"] == "three");
  BOOST_TEST_REQUIRE(s["scores"].size() == 4u);
  for (std::size_t i = 0; i < 4; ++i)
    BOOST_TEST(std::fabs(s["scores"][i].get<double>() - std::stod(top[i][3])) <= 1e-5, i);

  json hl = {{"history", h}, {"user", "three"}};
  write_text(w.file("histories.jsonl"), hl.dump() + "\n");
  const auto from_history = recommendations(w({"recommend", "run", "--history", "histories.jsonl", "--k", "4"}));
  BOOST_TEST_REQUIRE(from_history.size() == 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(from_history[i][0] == "three");
    BOOST_TEST(from_history[i][2] == top[i][2]);
  }

  // A bad line: the error names file, line and field; --output is not written.
  write_text(w.file("bad.jsonl"), line.dump() + "\n{\"history\": [], \"candidates\": [\"999\"]}\n{oops\n");
  r = w({"score", "run", "--input", "bad.jsonl", "--output", "bad-out.jsonl"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "atrank: error: bad.jsonl:2: candidates[0]: unknown item \"999\""), r.err);
  BOOST_TEST(!fs::exists(w.file("bad-out.jsonl")));
  r = w({"score", "run", "--input", "bad.jsonl", "--skip-bad-lines"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(lines_of(r.out).size() == 1u);
  BOOST_TEST(has(r.err, "skipped 2 bad line(s) of bad.jsonl"), r.err);
  BOOST_TEST(has(r.err, "bad.jsonl:3: malformed JSON"), r.err);
  r = w({"score", "run", "--input", "missing.jsonl"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "cannot read missing.jsonl"), r.err);
  write_text(w.file("empty.jsonl"), "\n");
  r = w({"score", "run", "--input", "empty.jsonl"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "empty.jsonl: no input lines"), r.err);
}

BOOST_AUTO_TEST_CASE(export_round_trip_through_numpy) {
  TrainedWorkspace w;
  const Outcome r = w({"export", "run", "--out", "exp", "--from", "last"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const json manifest = json::parse(read_text(w.file("exp/manifest.json")));
  BOOST_TEST(manifest["checkpoint"] == "checkpoint.ckpt");
  BOOST_TEST(manifest["id_spaces"]["item"] == 120);
  BOOST_TEST(manifest["spec_fingerprint"].get<std::string>().size() == 16u);
  check_npz_against_checkpoint(w.file("exp"), w.file("run/checkpoint.ckpt"));
  // Embedding Projector files: one vector per row, the raw id of each row.
  const auto items = lines_of(read_text(w.file("run/ids/item.tsv")));
  const auto meta = lines_of(read_text(w.file("exp/item.metadata.tsv")));
  const auto vectors = lines_of(read_text(w.file("exp/item.tsv")));
  BOOST_TEST(meta == items);
  BOOST_TEST_REQUIRE(vectors.size() == 120u);
  BOOST_TEST(fields(vectors[0]).size() == 8u);
  bool listed = false;
  for (const auto& t : manifest["tables"]) listed |= t["name"] == "category" && t["metadata"] == "category.metadata.tsv";
  BOOST_TEST(listed);
  const Outcome bad = w({"export", "run"});
  BOOST_TEST(bad.code != 0);
  BOOST_TEST(has(bad.err, "--out"), bad.err);
}

BOOST_AUTO_TEST_CASE(every_command_on_a_multi_group_multi_task_run) {
  Scratch dir;
  Outcome r = run_atrank({"data", "synth", "--kind", "multi", "--out", "m", "--users", "60", "--items", "100",
                          "--events", "2000"},
                         dir.path());
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  std::vector<std::string> run = {"run", std::string(ATRANK_SOURCE_DIR) + "/specs/multi-behavior.toml", "--out", "mr",
                                  "--quiet", "--set", "data.path=m", "--set", "train.epochs=1",
                                  "--set", "encoder.hidden=16", "--set", "encoder.heads=2", "--set", "encoder.ffn=8",
                                  "--set", "eval.metrics=[\"auc\", \"hr@5\", \"mrr\"]", "--set", "eval.ranking=all"};
  for (const char* g : {"item", "query", "coupon"})
    run.insert(run.end(), {"--set", std::string("groups.") + g + ".projection.width=16"});
  for (const char* t : {"item", "query", "coupon", "shop", "category", "brand", "behavior"})
    run.insert(run.end(), {"--set", std::string("tables.") + t + ".width=8"});
  r = run_atrank(run, dir.path());
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const json summary = json::parse(read_text(dir.file("mr/summary.json")));
  for (const char* k : {"item.hr@5", "query.hr@5", "coupon.mrr", "hr@5"}) BOOST_TEST(summary["test"].contains(k), k);
  const std::string user = lines_of(read_text(dir.file("mr/ids/user.tsv"))).at(0);
  for (const char* task : {"item", "query", "coupon"}) {
    const auto rows = recommendations(run_atrank({"recommend", "mr", "--user", user, "--k", "3", "--task", task}, dir.path()));
    BOOST_TEST(rows.size() == 3u, task);
  }
  const std::string item = lines_of(read_text(dir.file("mr/ids/item.tsv"))).at(1);
  const std::string query = lines_of(read_text(dir.file("mr/ids/query.tsv"))).at(0);
  const std::string coupon = lines_of(read_text(dir.file("mr/ids/coupon.tsv"))).at(0);
  write_text(dir.file("in.jsonl"),
             "{\"history\": [{\"object\": \"" + item + "\", \"behavior\": \"buy\", \"time\": 1000000},"
             " {\"object\": \"" + query + "\", \"behavior\": \"search\", \"time\": 1000100},"
             " {\"object\": \"" + coupon + "\", \"behavior\": \"coupon\", \"time\": 1000200}],"
             " \"candidates\": [\"" + coupon + "\"], \"task\": \"coupon\"}\n"
             "{\"history\": [{\"object\": \"" + item + "\", \"time\": 1}], \"candidates\": [\"" + item + "\"]}\n");
  r = run_atrank({"score", "mr", "--input", "in.jsonl", "--skip-bad-lines"}, dir.path());
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(lines_of(r.out).size() == 1u);
  BOOST_TEST(has(r.err, "in.jsonl:2: history[0].behavior: missing (the run has several behaviors"), r.err);
  r = run_atrank({"recommend", "mr", "--history", "in.jsonl", "--k", "2"}, dir.path());
  BOOST_TEST(r.code == 1);  // candidates belong to score
  BOOST_TEST(has(r.err, "in.jsonl:1: candidates: recommend ranks every object"), r.err);
  r = run_atrank({"export", "mr", "--out", "exp"}, dir.path());
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  const json manifest = json::parse(read_text(dir.file("exp/manifest.json")));
  check_npz_against_checkpoint(dir.file("exp"), dir.file(std::string("mr/") + manifest["checkpoint"].get<std::string>()));
  for (const char* t : {"item", "query", "coupon", "shop", "brand"})
    BOOST_TEST(fs::exists(dir.file(std::string("exp/") + t + ".metadata.tsv")), t);
}

BOOST_AUTO_TEST_SUITE_END()
