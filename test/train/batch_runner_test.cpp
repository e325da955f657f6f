// Data-parallel steps: a batch split over 2 or 3 threads, or run in several
// passes per thread, must give the update and the scores of the whole batch
// in one pass on one thread, for every encoder, pointwise and pairwise
// losses, and several weighted tasks.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cstdio>
#include <functional>
#include <atomic>
#include <stdexcept>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "atrank/train/batch_runner.hpp"
#include "atrank/train/worker_pool.hpp"
#include "test/model/fixtures.hpp"

using namespace atrank;
using test::group_batch;

namespace {

// Seven examples with histories of different lengths (one empty), so that
// slices have different padded lengths than the whole batch.
const std::vector<std::vector<std::int32_t>> kHistories = {
    {1, 2, 3}, {4}, {}, {5, 6, 1, 2, 3, 4}, {2, 2}, {6, 5, 4, 3}, {1}};

data::Batch pointwise_batch() {
  data::Batch b;
  b.size = std::int64_t(kHistories.size());
  b.groups = {group_batch(kHistories)};
  b.users = {0, 1, 2, 3, 4, 0, 1};
  b.targets = {1, 2, 3, 4, 5, 6, 0};
  b.labels = {1, 0, 1, 0, 1, 1, 0};
  b.cases = {0, 1, 2, 3, 4, 5, 6};
  return b;
}

data::Batch pairwise_batch() {
  data::Batch b = pointwise_batch();
  b.targets.clear();
  b.labels.clear();
  b.candidates_per_example = 3;
  for (std::int32_t e = 0; e < std::int32_t(b.size); ++e)
    for (std::int32_t c = 0; c < 3; ++c) b.candidates.push_back((e + 2 * c) % 7);
  return b;
}

// The three-group model with a mixed batch of all three tasks, unequal weights.
data::Batch multi_batch() {
  data::Batch b;
  b.size = 5;
  b.groups = {group_batch({{1, 2}, {}, {3, 4, 5}, {0}, {2, 3}}),
              group_batch({{1}, {2, 3, 4}, {}, {5, 6}, {}}),
              group_batch({{}, {1, 2}, {3}, {4}, {0, 1, 2, 3}})};
  b.users = {0, 1, 2, 3, 4};
  b.task = {0, 1, 2, 0, 1};
  b.targets = {1, 2, 3, 4, 5};
  b.labels = {1, 0, 1, 1, 0};
  b.cases = {0, 1, 2, 3, 4};
  return b;
}

// a, b: contiguous float containers (std::vector or xtensor) of the same size.
template <class A, class B>
void check_close(const A& a, const B& b, const char* what) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, double(std::abs(a.data()[i] - b.data()[i])));
  BOOST_TEST_INFO(what);
  BOOST_TEST(worst < 2e-6);
}

// One SGD step (learning rate 1, no clipping: the update is the gradient)
// and the scores afterwards, in one pass on 1 thread and on `threads` in
// passes of at most `positions_per_pass` history positions (0: one pass);
// parameters, losses and scores must agree.
void expect_same_step(const spec::Spec& spec, const data::Vocabulary& vocab, const data::Batch& batch,
                      int threads, std::int64_t positions_per_pass = 0) {
  BOOST_TEST_CONTEXT(threads << " threads, passes of " << positions_per_pass << " positions") {
  auto one = test::build_model<float>(spec, vocab);
  auto many = test::build_model<float>(spec, vocab);
  test::randomize(one, 17);
  test::randomize(many, 17);
  auto& single = dist::Communicator::single();
  train::BatchRunner run_one(one, 1, single, 0), run_many(many, threads, single, positions_per_pass);
  train::Optimizer opt_one({train::OptimizerKind::Sgd}), opt_many({train::OptimizerKind::Sgd});
  opt_one.attach(one.dense(), one.tables());
  opt_many.attach(many.dense(), many.tables());
  std::mt19937_64 rng_one(5), rng_many(5);

  const auto a = run_one.train_step(batch, opt_one, 1.0, 0.0, rng_one);
  const auto b = run_many.train_step(batch, opt_many, 1.0, 0.0, rng_many);
  BOOST_TEST(a.loss == b.loss, boost::test_tools::tolerance(1e-5f));
  BOOST_TEST(a.grad_norm == b.grad_norm, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(a.grad_norm > 0);
  check_close(one.dense().values(), many.dense().values(), "dense parameters after the step");
  for (std::size_t t = 0; t < one.tables().size(); ++t)
    check_close(one.tables()[t]->values, many.tables()[t]->values, one.tables()[t]->name.c_str());
  // The shards were merged and cleared: a second step still agrees.
  run_one.train_step(batch, opt_one, 1.0, 0.0, rng_one);
  run_many.train_step(batch, opt_many, 1.0, 0.0, rng_many);
  check_close(one.dense().values(), many.dense().values(), "dense parameters after two steps");

  check_close(run_one.scores(batch), run_many.scores(batch), "scores");
  check_close(run_one.user_vectors(), run_many.user_vectors(), "user vectors");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batch_runner)

BOOST_AUTO_TEST_CASE(split_batches_give_the_whole_batch_update_for_every_encoder) {
  const auto vocab = test::tiny_vocab();
  for (const char* kind : {"atrank", "bilstm", "bilstm_att", "cnn"}) {
    BOOST_TEST_CONTEXT("encoder " << kind) {
      auto spec = test::tiny_spec();
      spec.encoder.kind = kind;
      spec.encoder.lstm_units = 8;
      spec.encoder.cnn_widths = {1, 2, 3};
      spec.encoder.cnn_filters = 3;
      for (int threads : {2, 3}) expect_same_step(spec, vocab, pointwise_batch(), threads);
      // Passes of at most 4 positions: {3,1}, {}, {6} (over the limit alone), {2}, {4}, {1}.
      for (int threads : {1, 2}) expect_same_step(spec, vocab, pointwise_batch(), threads, 4);
    }
  }
}

BOOST_AUTO_TEST_CASE(split_batches_give_the_whole_batch_update_for_pairwise_losses) {
  auto vocab = test::tiny_vocab();
  vocab.sizes["user"] = 5;
  auto spec = test::tiny_spec();
  spec.tasks[0].loss = "bpr";
  expect_same_step(spec, vocab, pairwise_batch(), 2);  // ATRank with a pairwise loss
  expect_same_step(spec, vocab, pairwise_batch(), 1, 3);
  spec.encoder.kind = "bpr";
  spec.encoder.user_table = "user";
  spec.tables.push_back(test::table("user", "user", 8));
  expect_same_step(spec, vocab, pairwise_batch(), 3);
}

// With several threads the dense and the table updates of a step run at
// once: both happen, and the step is counted once (Adam's bias correction).
// (Adam is not compared across thread counts: it turns a last-bit
// difference of a near-zero gradient into an update of the learning rate.)
BOOST_AUTO_TEST_CASE(every_step_updates_dense_and_tables_and_counts_once) {
  for (int threads : {1, 2}) {
    BOOST_TEST_CONTEXT(threads << " threads") {
      auto model = test::build_model<float>(test::tiny_spec(), test::tiny_vocab());
      test::randomize(model, 17);
      const std::vector<float> dense = model.dense().values();
      std::vector<std::vector<float>> tables;
      for (const auto* t : model.tables()) tables.push_back(t->values);
      train::BatchRunner runner(model, threads);
      train::Optimizer opt({train::OptimizerKind::Adam});
      opt.attach(model.dense(), model.tables());
      std::mt19937_64 rng(5);
      for (int step = 1; step <= 2; ++step) {
        runner.train_step(pointwise_batch(), opt, 0.01, 0.0, rng);
        BOOST_TEST(opt.steps() == step);
      }
      BOOST_TEST(model.dense().values() != dense);
      for (std::size_t t = 0; t < tables.size(); ++t) BOOST_TEST(model.tables()[t]->values != tables[t]);
    }
  }
}

BOOST_AUTO_TEST_CASE(split_batches_give_the_whole_batch_update_with_weighted_tasks) {
  auto spec = test::multi_spec();
  spec.tasks[1].weight = 0.5;
  spec.tasks[2].weight = 2.0;
  expect_same_step(spec, test::multi_vocab(), multi_batch(), 2);
  expect_same_step(spec, test::multi_vocab(), multi_batch(), 1, 8);  // passes {0,1}, {2,3}, {4}
}

// Memory and threads that cannot be had (a limited address space, as under `ulimit -v`): the error
// names what was being built, never a bare std::bad_alloc or a std::terminate. Runs in a child process
// whose address space is limited; not under AddressSanitizer, whose allocator aborts instead, nor
// under ThreadSanitizer, whose shadow memory needs more address space than the limit leaves.
// (GCC defines __SANITIZE_*; clang answers __has_feature.)
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ATRANK_SANITIZED_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define ATRANK_SANITIZED_BUILD 1
#endif
#endif
#ifndef ATRANK_SANITIZED_BUILD
namespace {

// The bytes this process maps now.
long double mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  long double pages = 0;
  statm >> pages;
  return pages * ::sysconf(_SC_PAGESIZE);
}

// Runs `body` in a child with `headroom` bytes of address space beyond what it maps; the child's
// exit code is 0 when `body` threw a std::exception whose message holds `expected`.
void expect_error_when_limited(long double headroom, const std::function<void()>& body, const std::string& expected) {
  const pid_t pid = ::fork();
  BOOST_TEST_REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit limit{rlim_t(mapped_bytes() + headroom), rlim_t(mapped_bytes() + headroom)};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
    int code = 2;
    try {
      body();
    } catch (const std::exception& e) {
      const std::string what = e.what();
      code = what.find(expected) != std::string::npos ? 0 : 1;
      if (code != 0) std::fprintf(stderr, "unexpected message: %s\n", what.c_str());
    }
    std::fflush(stderr);
    ::_exit(code);
  }
  int status = 0;
  BOOST_TEST_REQUIRE(::waitpid(pid, &status, 0) == pid);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0, "child exit " << WEXITSTATUS(status) << " (1: other message, 2: no error)");
}

}  // namespace

BOOST_AUTO_TEST_CASE(threads_and_memory_that_cannot_be_had_are_errors_naming_what_was_built) {
  auto model = test::build_model<float>(test::tiny_spec(), test::tiny_vocab());
  // 1000 thread stacks do not fit in 64 MiB more.
  expect_error_when_limited(
      64.0L * (1 << 20), [&] { train::BatchRunner runner(model, 1000); },
      "starting 1000 threads for training and evaluation (train.threads or --threads): cannot start thread ");
  // Tables that the estimate lets through (it compares with the whole limit) but that do not fit in
  // what is left of it.
  auto vocab = test::tiny_vocab();
  const long double headroom = 64.0L * (1 << 20);
  vocab.sizes["item"] = std::int64_t((mapped_bytes() + headroom - 16.0L * (1 << 20)) / (5 * sizeof(float)));
  expect_error_when_limited(
      headroom, [&] { test::build_model<float>(test::tiny_spec(), vocab); },
      "out of memory building the embedding tables of the model of <in code> (");
}
#endif

BOOST_AUTO_TEST_CASE(more_threads_than_examples) {
  data::Batch two;
  two.size = 2;
  two.groups = {group_batch({{1, 2}, {3}})};
  two.users = {0, 1};
  two.targets = {4, 5};
  two.labels = {1, 0};
  expect_same_step(test::tiny_spec(), test::tiny_vocab(), two, 3);
}

BOOST_AUTO_TEST_CASE(worker_pool_runs_every_slot_and_rethrows) {
  train::WorkerPool pool(3);
  std::array<std::atomic<int>, 3> runs{};
  for (int round = 0; round < 50; ++round) pool.run([&](int k) { runs[std::size_t(k)]++; });
  for (auto& r : runs) BOOST_TEST(r.load() == 50);
  BOOST_CHECK_THROW(pool.run([](int k) {
                      if (k == 2) throw std::runtime_error("slot 2 failed");
                    }),
                    std::runtime_error);
  int after = 0;
  pool.run([&](int k) {
    if (k == 0) after = 1;
  });
  BOOST_TEST(after == 1);  // still usable after a failed job
}

BOOST_AUTO_TEST_SUITE_END()
