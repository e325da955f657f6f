// Every subcommand of the built binary, run as a user runs it: exit codes, messages (stdout and
// stderr) and the files each command writes or must not write. Tiny data: seconds in total.
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <regex>
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
using atrank::test::Started;
using atrank::test::tiny_spec;
using atrank::test::Workspace;
using atrank::test::write_text;
namespace fs = std::filesystem;

namespace {

std::size_t count_files(const std::string& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli)

BOOST_AUTO_TEST_CASE(help_version_and_usage_errors) {
  Scratch dir;
  Outcome r = run_atrank({}, dir.path());
  BOOST_TEST(r.code == 0);
  BOOST_TEST(has(r.out, "run"));
  BOOST_TEST(has(r.out, "check"));
  BOOST_TEST(has(r.out, "data"));
  r = run_atrank({"--version"}, dir.path());
  BOOST_TEST(r.code == 0);
  BOOST_TEST(has(r.out, "atrank "));
  r = run_atrank({"frobnicate"}, dir.path());
  BOOST_TEST(r.code != 0);
  r = run_atrank({"run"}, dir.path());  // the spec is required
  BOOST_TEST(r.code != 0);
  BOOST_TEST(has(r.err, "spec"), r.err);
  r = run_atrank({"check", "missing.toml"}, dir.path());
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "atrank: error: missing.toml: cannot read the spec file"), r.err);
  BOOST_TEST(count_files(dir.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(data_synth_writes_exact_counts) {
  Scratch dir;
  Outcome r = run_atrank({"data", "synth", "--out", "d", "--users", "50", "--items", "70", "--categories", "5",
                          "--events", "600", "--seed", "3"},
                         dir.path());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "wrote d/events.csv, d/items.csv"), r.out);
  BOOST_TEST(has(r.out, "kind single: 50 users, 70 items, 5 categories, 600 events (seed 3)"), r.out);
  const std::string events = read_text(dir.file("d/events.csv"));
  BOOST_TEST(std::count(events.begin(), events.end(), '\n') == 601);
  r = run_atrank({"data", "synth", "--kind", "multi", "--out", "m", "--users", "50", "--items", "100",
                  "--events", "1500"},
                 dir.path());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(fs::exists(dir.file("m/coupons.csv")));
  // Bad flags: refused before anything is written.
  r = run_atrank({"data", "synth", "--out", "x", "--users", "0"}, dir.path());
  BOOST_TEST(r.code != 0);
  r = run_atrank({"data", "synth", "--out", "y", "--users", "100", "--events", "150"}, dir.path());
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "atrank: error: synth: need at least 2 events per user"), r.err);
  BOOST_TEST(!fs::exists(dir.file("x")));
  BOOST_TEST(!fs::exists(dir.file("y/events.csv")));
  r = run_atrank({"data", "synth"}, dir.path());
  BOOST_TEST(r.code != 0);
  BOOST_TEST(has(r.err, "--out"), r.err);
}

// Issue 14: Taobao UserBehavior's shape, scaled down for a test.
BOOST_AUTO_TEST_CASE(data_synth_taobao_scale) {
  Scratch dir;
  Outcome r = run_atrank({"data", "synth", "--taobao-scale", "--scale", "0.001", "--out", "t"}, dir.path());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "wrote t/UserBehavior.csv\n"), r.out);
  BOOST_TEST(has(r.out, "kind taobao: 988 users, 4162 items, 9 categories, 100151 events (seed 1)"), r.out);
  const std::string events = read_text(dir.file("t/UserBehavior.csv"));
  BOOST_TEST(std::count(events.begin(), events.end(), '\n') == 100151);
  // --kind taobao alone is the same thousandth of Taobao.
  r = run_atrank({"data", "synth", "--kind", "taobao", "--out", "k"}, dir.path());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST((read_text(dir.file("k/UserBehavior.csv")) == events));
  // --scale applies to every preset.
  r = run_atrank({"data", "synth", "--scale", "0.1", "--out", "s"}, dir.path());
  BOOST_TEST(has(r.out, "kind single: 200 users, 200 items, 2 categories, 2400 events"), r.out);
  // Refused before anything is written.
  r = run_atrank({"data", "synth", "--taobao-scale", "--electronics", "--out", "x"}, dir.path());
  BOOST_TEST(r.code != 0);
  BOOST_TEST(has(r.err, "excludes"), r.err);
  r = run_atrank({"data", "synth", "--taobao-scale", "--scale", "0", "--out", "y"}, dir.path());
  BOOST_TEST(r.code != 0);
  BOOST_TEST(!fs::exists(dir.file("x")));
  BOOST_TEST(!fs::exists(dir.file("y")));
}

BOOST_AUTO_TEST_CASE(data_stats_imports_then_loads_from_the_cache) {
  Workspace w;
  Outcome r = w({"data", "stats", "tiny.toml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "users           80\n"), r.out);
  BOOST_TEST(has(r.out, "objects         item 120\n"), r.out);
  BOOST_TEST(has(r.out, "imported and built in"), r.out);
  BOOST_TEST(has(r.out, "cached in .cache/atrank/"), r.out);
  BOOST_TEST(count_files(w.file(".cache/atrank")) == 1u);
  r = w({"data", "stats", "tiny.toml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "loaded from cache .cache/atrank/"), r.out);
  // --no-cache neither reads nor writes it; a data option changes the key (a second file).
  r = w({"data", "stats", "tiny.toml", "--no-cache"});
  BOOST_TEST(has(r.out, "(not cached)"), r.out);
  r = w({"data", "stats", "tiny.toml", "--set", "data.seed=5"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(count_files(w.file(".cache/atrank")) == 2u);

  // A damaged cache file: a warning naming it, then a rebuild with the same figures.
  const fs::path cached = fs::directory_iterator(w.file(".cache/atrank"))->path();
  std::string bytes = read_text(cached.string());
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  write_text(cached.string(), bytes);
  const Outcome a = w({"data", "stats", "tiny.toml"}), b = w({"data", "stats", "tiny.toml", "--set", "data.seed=5"});
  BOOST_TEST(a.code == 0);
  BOOST_TEST(b.code == 0);
  const std::string warning = "atrank: warning: data cache .cache/atrank/" + cached.filename().string() + " is unusable";
  BOOST_TEST((has(a.err, warning) != has(b.err, warning)), a.err << b.err);
  BOOST_TEST(has(a.out, "users           80\n"), a.out);
  BOOST_TEST(has(b.out, "users           80\n"), b.out);
  BOOST_TEST(count_files(w.file(".cache/atrank")) == 2u);
}

BOOST_AUTO_TEST_CASE(data_stats_errors_name_the_file_and_line) {
  Workspace w;
  write_text(w.file("data/events.csv"), "user,item,category,timestamp\n1,10,c,100\n1,11,c,oops\n");
  Outcome r = w({"data", "stats", "tiny.toml"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "atrank: error: data/events.csv:3: bad unix time 'oops' in column 'timestamp'"), r.err);
  BOOST_TEST(!fs::exists(w.file(".cache")));
  // A byte-order mark before the header is not part of the first column name.
  write_text(w.file("data/events.csv"), "\xEF\xBB\xBFuser,item,category,timestamp\n1,10,c,100\n1,11,c,200\n"
                                        "2,10,c,100\n2,11,c,300\n2,12,c,400\n");
  r = w({"data", "stats", "tiny.toml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "users           2 "), r.out);
}

BOOST_AUTO_TEST_CASE(data_bench_small_and_kept) {
  Workspace w;
  Outcome r = w({"data", "bench", "--users", "100", "--items", "150", "--categories", "5", "--events", "1500",
                 "--negatives", "5", "--batch-size", "16"});
  BOOST_TEST(r.code == 0, r.err);
  for (const char* line : {"generate ", "hash inputs ", "import ", "build ", "write cache ", "IMPORT+BUILD ",
                           "CACHE LOAD ", "  checksums ", "  invariants ", "batch epoch "})
    BOOST_TEST(has(r.out, line), line << " missing in\n" << r.out);
  // The temporary work directory is gone afterwards.
  const std::string dir = r.out.substr(14, r.out.find('\n') - 14);  // "bench-data in <dir>"
  BOOST_TEST(!dir.empty());
  BOOST_TEST(!fs::exists(dir), dir);
  // --dir keeps its data and cache.
  r = w({"data", "bench", "--dir", "bench", "--users", "100", "--items", "150", "--categories", "5", "--events",
         "1500"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(fs::exists(w.file("bench/synthetic/events.csv")));
  BOOST_TEST(count_files(w.file("bench/cache")) == 1u);
}

BOOST_AUTO_TEST_CASE(check_builds_against_the_data) {
  Workspace w;
  Outcome r = w({"check", "tiny.toml"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "spec tiny.toml (tiny): valid"), r.out);
  BOOST_TEST(has(r.out, "vocabulary sizes from data (imported)"), r.out);
  r = w({"check", "tiny.toml", "--json"});
  BOOST_TEST(r.code == 0, r.err);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["params"]["total"].get<long long>() > 0);
  BOOST_TEST(has(j["spec"]["vocabulary_from"].get<std::string>(), "data cache .cache/atrank/"));
  // An unknown key: an error naming the key and a suggestion.
  r = w({"check", "tiny.toml", "--set", "encoder.hedas=4"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "encoder.hedas"), r.err);
  BOOST_TEST(has(r.err, "heads"), r.err);
}

// Issue 13, item 11: check reports the data's own error, and validates the spec against the data.
BOOST_AUTO_TEST_CASE(check_prints_the_data_error_and_validates_against_the_data) {
  Workspace w;
  // vocab sizes smaller than the data: rejected by check as by run.
  Outcome r = w({"check", "tiny.toml", "--set", "vocab.item=5", "--set", "vocab.category=3"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "vocab.item = 5 is smaller than the 120 ids the data has in `item`"), r.err);
  // Unreadable data: the importer's message, not "vocabulary size unknown".
  write_text(w.file("data/events.csv"), "user,item,category,timestamp\n1,10,c,100\n1,11\n");
  r = w({"check", "tiny.toml"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err.rfind("atrank: error: data/events.csv:3: expected 4 fields", 0) == 0, r.err);
  BOOST_TEST(!has(r.err, "vocabulary size"), r.err);
  // Even when the spec gives every size, data that is there is read (and its error reported).
  r = w({"check", "tiny.toml", "--set", "vocab.item=500", "--set", "vocab.category=30"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "data/events.csv:3"), r.err);
  // Missing data: the reason first; with every size given, check passes and says so.
  r = w({"check", "tiny.toml", "--set", "data.path=nowhere"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(r.err.rfind("atrank: error: data.path: nowhere does not exist", 0) == 0, r.err);
  BOOST_TEST(has(r.err, "--set vocab."), r.err);
  r = w({"check", "tiny.toml", "--set", "data.path=nowhere", "--set", "vocab.item=500", "--set",
         "vocab.category=30"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "vocabulary sizes from spec (vocab.*)\ndata not checked: data.path: nowhere does not exist"),
             r.out);
}

// Issue 13, item 9: data.synthetic fills only the spec's own data.path.
BOOST_AUTO_TEST_CASE(synthetic_data_never_goes_to_a_set_path) {
  Scratch dir;
  write_text(dir.file("gen.toml"),
             tiny_spec("path = \"gen\"\nsynthetic = \"single\"\nfiles = [\"events.csv\"]\n"));
  for (const char* cmd : {"check", "run"}) {
    const Outcome r = run_atrank({cmd, "gen.toml", "--set", "data.path=gne"}, dir.path());
    BOOST_TEST(r.code == 1, cmd);
    BOOST_TEST(has(r.err, "data.path: gne does not exist"), r.err);
    BOOST_TEST(has(r.err, "never into one given with --set"), r.err);
    BOOST_TEST(has(r.err, "atrank data synth --kind single --out gne"), r.err);
    BOOST_TEST(!fs::exists(dir.file("gne")), cmd);
  }
  BOOST_TEST(!fs::exists(dir.file("runs")));
  // The spec's own path is generated (and said so).
  const Outcome r = run_atrank({"data", "stats", "gen.toml"}, dir.path());
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "generated synthetic data (single): 2000 users, 2000 items, 24000 events in gen"), r.out);
  BOOST_TEST(fs::exists(dir.file("gen/events.csv")));
}

BOOST_AUTO_TEST_CASE(run_writes_its_run_directory) {
  Workspace w;
  Outcome r = w({"run", "tiny.toml", "--out", "r1", "--quiet"});
  BOOST_TEST(r.code == 0, r.err);
  for (const char* f : {"spec.toml", "metrics.jsonl", "summary.json", "checkpoint.ckpt"})
    BOOST_TEST(fs::exists(w.file(std::string("r1/") + f)), f);
  const nlohmann::json summary = nlohmann::json::parse(read_text(w.file("r1/summary.json")));
  BOOST_TEST(summary["params"]["total"].get<long long>() > 0);
  BOOST_TEST(summary["test"]["auc"].get<double>() > 0.5);
  // --resume of a finished run in the same directory continues from its checkpoint.
  r = w({"run", "tiny.toml", "--out", "r1", "--resume", "--quiet"});
  BOOST_TEST(r.code == 0, r.err);
  // --resume without a checkpoint: an error, nothing created.
  r = w({"run", "tiny.toml", "--out", "r2", "--resume"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "--resume: no checkpoint in r2"), r.err);
  BOOST_TEST(!fs::exists(w.file("r2")));
  // A bad value: the spec error, no run directory.
  r = w({"run", "tiny.toml", "--out", "r3", "--set", "encoder.heads=zero"});
  BOOST_TEST(r.code == 1);
  BOOST_TEST(has(r.err, "--set encoder.heads=zero"), r.err);
  BOOST_TEST(!fs::exists(w.file("r3")));
}

// A run told to go on for ever, started in the background; returns once it has written its first
// checkpoint (its signal handlers are then in place).
std::unique_ptr<Started> endless_run(const Workspace& w, const std::string& out) {
  auto run = std::make_unique<Started>(
      std::vector<std::string>{"run", "tiny.toml", "--out", out, "--quiet", "--set", "train.epochs=1000000",
                               "--set", "train.checkpoint_every=5", "--set", "train.eval_every=1000000"},
      w.dir.path());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(w.file(out + "/checkpoint.ckpt")) && std::chrono::steady_clock::now() < deadline)
    ::usleep(20000);
  BOOST_TEST_REQUIRE(fs::exists(w.file(out + "/checkpoint.ckpt")));
  return run;
}

// SIGINT and SIGTERM finish the step, write the checkpoint, say how to resume and exit 130 / 143;
// the printed command resumes.
BOOST_AUTO_TEST_CASE(a_signal_stops_with_a_checkpoint_and_the_resume_command) {
  Workspace w;
  for (const auto& [signal, name, code] : {std::tuple{SIGINT, "SIGINT", 130}, std::tuple{SIGTERM, "SIGTERM", 143}}) {
    BOOST_TEST_CONTEXT(name) {
      const std::string out = std::string("s-") + name;
      auto run = endless_run(w, out);
      ::kill(run->pid(), signal);
      const Outcome r = run->wait();
      BOOST_TEST(r.code == code, r.err);
      BOOST_TEST(has(r.err, std::string("atrank: stopped by ") + name + " at step "), r.err);
      BOOST_TEST(has(r.err, "checkpoint " + out + "/checkpoint.ckpt written. Continue with:\n  "), r.err);
      BOOST_TEST(has(r.err, " run tiny.toml --set train.epochs=1000000 --set train.checkpoint_every=5 --set "
                            "train.eval_every=1000000 --out " + out + " --resume\n"), r.err);
      const nlohmann::json summary = nlohmann::json::parse(read_text(w.file(out + "/summary.json")));
      BOOST_TEST(summary["stop"]["reason"] == "signal");
      const long long stopped_at = summary["stop"]["step"];
      BOOST_TEST(stopped_at >= 5);
      // The checkpoint holds that step: a resume goes on from it.
      const Outcome resumed = w({"run", "tiny.toml", "--out", out, "--resume", "--set", "train.checkpoint_every=5",
                                 "--set", "train.eval_every=1000000", "--set",
                                 "train.max_steps=" + std::to_string(stopped_at + 2)});
      BOOST_TEST(resumed.code == 0, resumed.err);
      BOOST_TEST(has(resumed.out, "resumed from " + out + "/checkpoint.ckpt at step " + std::to_string(stopped_at)),
                 resumed.out);
    }
  }
}

// A second signal exits at once (the first would have waited for the step and the checkpoint).
BOOST_AUTO_TEST_CASE(a_second_signal_exits_at_once) {
  Workspace w;
  auto run = endless_run(w, "twice");
  ::kill(run->pid(), SIGINT);
  ::kill(run->pid(), SIGTERM);
  const Outcome r = run->wait();
  BOOST_TEST((r.code == 130 || r.code == 143), r.code);
  BOOST_TEST(has(r.err, "atrank: second signal: exiting at once, without a checkpoint"), r.err);
  BOOST_TEST(!has(r.err, "Continue with"), r.err);
}

// Arguments and sizes the loop must survive or refuse: a negative --threads is refused (it was
// ignored), a batch larger than the data is one batch per epoch (it overflowed and hung).
BOOST_AUTO_TEST_CASE(threads_and_batch_size_bounds) {
  Workspace w;
  Outcome r = w({"run", "tiny.toml", "--out", "neg", "--threads", "-3"});
  BOOST_TEST(r.code != 0);
  BOOST_TEST(has(r.err, "--threads"), r.err);
  BOOST_TEST(!fs::exists(w.file("neg")));
  r = w({"run", "tiny.toml", "--out", "big", "--quiet", "--set", "train.batch_size=4611686018427387904", "--set",
         "train.epochs=2"});
  BOOST_TEST(r.code == 0, r.err);
  const nlohmann::json summary = nlohmann::json::parse(read_text(w.file("big/summary.json")));
  BOOST_TEST(summary["train"]["steps"] == 2);
}

// A CNN whose convolution kernels start at zero and never move (learning rate
// 1e-30): every filter outputs its bias, the user vector is the same for
// everyone. The run says so on its evaluation lines and in summary.json; the
// ATRank run next to it does not.
BOOST_AUTO_TEST_CASE(collapsed_model_is_flagged) {
  Workspace w;
  std::string spec = tiny_spec();
  const std::string atrank = "[encoder]\nkind = \"atrank\"\nhidden = 16\nheads = 2\nblocks = 1\nffn = 8\n";
  BOOST_TEST_REQUIRE(has(spec, atrank));
  spec.replace(spec.find(atrank), atrank.size(),
               "[encoder]\nkind = \"cnn\"\nhidden = 16\ncnn_widths = [1, 2]\ncnn_filters = 4\n"
               "cnn_max_length = 20\ncnn_init = \"zeros\"\n");
  write_text(w.file("dead.toml"), spec);
  Outcome r = w({"run", "dead.toml", "--out", "dead", "--set", "train.learning_rate=1e-30", "--set",
                 "data.split=valid"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "warning: valid user_spread"), r.out);
  BOOST_TEST(has(r.out, "warning: test user_spread"), r.out);
  BOOST_TEST(has(r.out, "collapsed model"), r.out);
  const auto last = [&](const std::string& dir) {
    const std::string text = read_text(w.file(dir + "/metrics.jsonl"));
    return nlohmann::json::parse(text.substr(text.rfind('\n', text.size() - 2) + 1));
  };
  nlohmann::json m = last("dead");
  BOOST_TEST(m["valid"]["user_spread"].get<double>() < 1e-6);
  BOOST_TEST(m["test"]["user_spread"].get<double>() < 1e-6);
  nlohmann::json summary = nlohmann::json::parse(read_text(w.file("dead/summary.json")));
  BOOST_TEST(summary["collapsed"].get<bool>() == true);

  r = w({"run", "tiny.toml", "--out", "alive"});
  BOOST_TEST_REQUIRE(r.code == 0, r.err);
  BOOST_TEST(!has(r.out, "warning"), r.out);
  // Figures to 4 places, also on the done: line.
  BOOST_TEST(std::regex_search(r.out, std::regex("\n  test  auc 0\\.\\d{4}  user_spread 0\\.\\d{4}\n")), r.out);
  BOOST_TEST(std::regex_search(r.out, std::regex("done \\(budget\\): best test\\.auc 0\\.\\d{4} at step")), r.out);
  m = last("alive");
  BOOST_TEST(m["test"]["user_spread"].get<double>() > 0.01);
  summary = nlohmann::json::parse(read_text(w.file("alive/summary.json")));
  BOOST_TEST(summary["collapsed"].get<bool>() == false);
  BOOST_TEST(summary["test"]["user_spread"].get<double>() > 0.01);
}

BOOST_AUTO_TEST_CASE(bench_tiny) {
  Workspace w;
  const Outcome r = w({"bench", "tiny.toml", "--batch", "16", "--threads", "1", "--examples", "64", "--stretches",
                       "1", "--eval-cases", "16"});
  BOOST_TEST(r.code == 0, r.err);
  BOOST_TEST(has(r.out, "batch   16 threads 1 | train"), r.out);
  BOOST_TEST(has(r.out, "eval"), r.out);
  const Outcome bad = w({"bench", "tiny.toml", "--batch", "x"});
  BOOST_TEST(bad.code != 0);
}

BOOST_AUTO_TEST_SUITE_END()
