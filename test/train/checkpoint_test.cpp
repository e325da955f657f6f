#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <xxhash.h>

#include "atrank/train/checkpoint.hpp"
#include "atrank/train/run_state.hpp"

using namespace atrank::train;
namespace fs = std::filesystem;

namespace {
fs::path temp_path(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("atrank-ckpt-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}
}  // namespace

BOOST_AUTO_TEST_CASE(roundtrip_sections_and_fingerprint) {
  Checkpoint c;
  c.spec_fingerprint = 42;
  c.put<float>("params", {1.f, 2.f, 3.f});
  c.put_scalar<std::int64_t>("step", 17);
  c.put_string("rng", "123 456");
  const auto p = temp_path("a.ckpt");
  c.save(p.string());
  BOOST_TEST(!fs::exists(p.string() + ".tmp"));
  Checkpoint r = Checkpoint::load(p.string(), 42);
  std::vector<float> v(3);
  r.get_into("params", v);
  BOOST_TEST(v[2] == 3.f);
  BOOST_TEST(r.get_scalar<std::int64_t>("step") == 17);
  BOOST_TEST(r.bytes("rng") == "123 456");
  std::vector<float> wrong(4);
  BOOST_CHECK_THROW(r.get_into("params", wrong), CheckpointError);
}

BOOST_AUTO_TEST_CASE(corruption_is_detected_by_checksum) {
  Checkpoint c;
  c.put<float>("params", std::vector<float>(100, 1.f));
  const auto p = temp_path("b.ckpt");
  c.save(p.string());
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(60);
    f.put('\x7f');
  }
  try {
    Checkpoint::load(p.string(), 0);
    BOOST_FAIL("expected a checksum error");
  } catch (const CheckpointError& e) {
    BOOST_TEST(std::string(e.what()).find("checksum") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find(p.string()) != std::string::npos);
  }
  // Truncation too.
  fs::resize_file(p, 30);
  BOOST_CHECK_THROW(Checkpoint::load(p.string(), 0), CheckpointError);
}

// Found by test/fuzz (checkpoint harness): a section length near 2^64 wrapped the read position
// around, and the file loaded with made-up sections instead of being refused.
BOOST_AUTO_TEST_CASE(section_length_beyond_the_file_is_refused_even_with_a_good_checksum) {
  auto bytes = [](auto x) { return std::string(reinterpret_cast<const char*>(&x), sizeof x); };
  std::string file = std::string("ATRANKCK") + bytes(std::uint32_t{1}) + bytes(std::uint64_t{0}) +
                     bytes(std::uint32_t{2}) + bytes(std::uint32_t{1}) + "a" + bytes(std::uint64_t{4}) + "abcd" +
                     bytes(std::uint32_t{1}) + "b" + bytes(~std::uint64_t{0}) + "tail";
  file += bytes(std::uint64_t(XXH64(file.data(), file.size(), 0)));
  const auto p = temp_path("huge-section.ckpt");
  std::ofstream(p, std::ios::binary) << file;
  try {
    Checkpoint::load(p.string(), 0);
    BOOST_FAIL("expected a truncation error");
  } catch (const CheckpointError& e) {
    BOOST_TEST(std::string(e.what()) == p.string() + ": checkpoint is truncated");
  }
}

BOOST_AUTO_TEST_CASE(checkpoint_of_another_spec_is_refused) {
  Checkpoint c;
  c.spec_fingerprint = 1;
  const auto p = temp_path("c.ckpt");
  c.save(p.string());
  try {
    Checkpoint::load(p.string(), 2);
    BOOST_FAIL("expected a spec mismatch error");
  } catch (const CheckpointError& e) {
    BOOST_TEST(std::string(e.what()).find("different spec") != std::string::npos);
  }
}

// The run state's one field list: every field written by PutSection reads
// back through GetSection, under the section names checkpoints have always
// used (so older checkpoints still resume).
BOOST_AUTO_TEST_CASE(run_state_fields_round_trip_under_their_sections) {
  RunState a;
  a.step = 11;
  a.position = {2, 3};
  a.examples = 4;
  a.train_seconds = 5.5;
  a.seconds = 6.5;
  a.loss_sum = 7.5;
  a.loss_count = 8;
  a.last_eval_step = 9;
  a.best_score = 0.75;
  a.best_step = 10;
  a.best_epoch = 1;
  a.best_metrics = {{"test", {{"auc", 0.75}}}};
  a.early_stop = {"valid.auc", 0.7, 8, 2};
  Checkpoint c;
  a.fields(PutSection{c});
  std::vector<std::string> names;
  a.fields([&](const std::string& name, const auto&) { names.push_back(name); });
  BOOST_TEST(names == (std::vector<std::string>{"state/step", "state/epoch", "state/batch", "state/examples",
                                                "state/train_seconds", "state/seconds", "state/loss_sum",
                                                "state/loss_count", "state/last_eval_step", "state/best_score",
                                                "state/best_step", "state/best_epoch", "state/best_metrics",
                                                "state/early_stop"}));
  for (const auto& n : names) BOOST_TEST(c.has(n), n);

  RunState b;
  b.fields(GetSection{c});
  BOOST_TEST((b.step == 11 && b.position.epoch == 2 && b.position.batch == 3 && b.examples == 4));
  BOOST_TEST((b.train_seconds == 5.5 && b.seconds == 6.5 && b.loss_sum == 7.5 && b.loss_count == 8));
  BOOST_TEST((b.last_eval_step == 9 && b.best_score == 0.75 && b.best_step == 10 && b.best_epoch == 1));
  BOOST_TEST(b.best_metrics.dump() == a.best_metrics.dump());
  BOOST_TEST((b.early_stop.metric == "valid.auc" && b.early_stop.best == 0.7 && b.early_stop.best_step == 8 &&
              b.early_stop.stale == 2));
}

// Checkpoints written before early stopping existed resume with a fresh early-stopping state.
BOOST_AUTO_TEST_CASE(older_checkpoints_without_early_stop_state_still_read) {
  RunState a;
  a.early_stop = {"valid.auc", 0.7, 8, 2};
  Checkpoint c;
  a.fields([&](const std::string& name, const auto& v) {
    if (name != "state/early_stop") PutSection{c}(name, v);
  });
  RunState b;
  b.early_stop = {"test.auc", 0.5, 3, 1};
  b.fields(GetSection{c});
  BOOST_TEST((b.early_stop.metric.empty() && b.early_stop.best_step == -1 && b.early_stop.stale == 0));
}
