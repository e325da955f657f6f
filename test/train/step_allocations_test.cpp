// A training step after warm-up allocates nothing: the tape keeps its nodes'
// buffers, the runner its slices, passes and shards, the optimizer its
// scratch. This executable replaces the global operator new with one that
// counts, and trains a small quickstart model on batches of different shapes
// (long enough for several passes per slice): once over all of them to warm
// up, then again, counting.
#define BOOST_TEST_MODULE step_allocations
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <numeric>

#include "atrank/data/dataset.hpp"
#include "atrank/spec/load.hpp"
#include "atrank/train/batch_runner.hpp"
#include "atrank/train/setup.hpp"
#include "test/train/tiny_run.hpp"

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

// A counted allocation (a place for a debugger's breakpoint to find who allocates).
__attribute__((noinline)) void count_allocation() { allocations.fetch_add(1, std::memory_order_relaxed); }

void* allocate(std::size_t bytes, std::size_t align = 0) {
  if (counting.load(std::memory_order_relaxed)) count_allocation();
  if (bytes == 0) bytes = 1;
  void* p = nullptr;
  if (align > alignof(std::max_align_t)) {
    if (posix_memalign(&p, align, bytes) != 0) p = nullptr;
  } else {
    p = std::malloc(bytes);
  }
  return p;
}

}  // namespace

// GCC takes these free() calls for a mismatch with `new` (the operators below
// are the replacements, allocating with malloc).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = allocate(n, std::size_t(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace atrank;

namespace {

constexpr int kSteps = 12;

// Allocations per step and thread, over kSteps training steps after one
// warm-up pass over the same batches.
double allocations_per_step(const std::vector<std::string>& extra, int threads) {
  test::TinyData tiny;
  std::vector<std::string> overrides = tiny.options("unused").overrides;
  overrides.push_back("train.batch_size=128");
  overrides.insert(overrides.end(), extra.begin(), extra.end());
  const spec::Plan plan = spec::load_plan(std::string(ATRANK_SOURCE_DIR) + "/specs/quickstart.toml", overrides);
  const data::Dataset data = data::Dataset::load(plan.spec);
  train::TrainingSetup setup(plan, data);
  std::vector<data::Batch> batches(kSteps);
  std::int64_t longest = 0;  // history positions of a batch
  for (auto& b : batches) {
    BOOST_REQUIRE(setup.batcher.next(b));
    std::int64_t positions = 0;
    for (const auto& g : b.groups) positions += std::accumulate(g.lengths.begin(), g.lengths.end(), std::int64_t(0));
    longest = std::max(longest, positions);
  }
  BOOST_REQUIRE(longest > 2 * train::BatchRunner::kPositionsPerPass);  // several passes per slice
  std::int64_t step = 0;
  for (const auto& b : batches) setup.train_step(b, setup.learning_rate(b, step++));
  allocations = 0;
  counting = true;
  for (const auto& b : batches) setup.train_step(b, setup.learning_rate(b, step++));
  counting = false;
  return double(allocations.load()) / (kSteps * threads);
}

}  // namespace

BOOST_AUTO_TEST_CASE(counter_sees_allocations) {
  allocations = 0;
  counting = true;
  auto* v = new std::vector<int>(100);
  counting = false;
  delete v;
  BOOST_TEST(allocations.load() == 2);
}

BOOST_AUTO_TEST_CASE(one_thread_steps_allocate_nothing_new) {
  BOOST_TEST(allocations_per_step({"train.threads=1"}, 1) == 0);
}

BOOST_AUTO_TEST_CASE(two_thread_steps_allocate_nothing_new) {
  BOOST_TEST(allocations_per_step({"train.threads=2"}, 2) == 0);
}

BOOST_AUTO_TEST_CASE(adam_steps_allocate_nothing_new) {
  BOOST_TEST(allocations_per_step({"train.optimizer=\"adam\"", "train.learning_rate=0.001"}, 1) == 0);
}
