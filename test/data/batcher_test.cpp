// The batcher: every example exactly once per epoch, padded (B,T) buffers that match the
// histories, grouping by length, deterministic epochs, and resume from a saved position.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "atrank/data/batcher.hpp"
#include "atrank/data/import.hpp"
#include "atrank/data/rng.hpp"
#include "atrank/data/synth.hpp"
#include "test/data/test_files.hpp"

using namespace atrank;
using namespace atrank::data;
using atrank::test::TempDir;

namespace {

Dataset synthetic(const TempDir& dir, std::int64_t cap = 0) {
  SynthOptions o;
  o.users = 60;
  o.items = 120;
  o.categories = 6;
  o.events = 900;
  o.seed = 5;
  write_synthetic(dir.file("syn"), o);
  spec::Spec s = test::single_group_spec(dir.file("cache"));
  s.data.path = dir.file("syn/events.csv");
  s.data.history_cap = cap;
  s.eval.negatives = 5;
  return Dataset::from_events(import_events(s.data), s);
}

std::int64_t padding(const Batch& b) {
  std::int64_t pad = 0;
  for (const auto& g : b.groups)
    for (auto len : g.lengths) pad += g.max_len - len;
  return pad;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(batcher)

BOOST_AUTO_TEST_CASE(every_example_once_per_epoch_with_correct_padding) {
  TempDir dir;
  const Dataset d = synthetic(dir);
  BatcherOptions o;
  o.batch_size = 16;
  o.window = 64;
  Batcher batcher(d, o);
  BOOST_TEST(batcher.examples_per_epoch() == 2 * d.num_cases(Split::train));
  Batch b;
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::map<std::pair<std::int64_t, int>, int> seen;
    std::int64_t batches = 0;
    while (batcher.next(b)) {
      ++batches;
      BOOST_TEST(b.size <= 16);
      BOOST_TEST(b.groups.size() == 1u);
      const GroupBatch& g = b.groups[0];
      BOOST_TEST(g.objects.size() == static_cast<std::size_t>(b.size * g.max_len));
      for (std::int64_t i = 0; i < b.size; ++i) {
        const std::int64_t c = b.cases[i];
        const int negative = b.labels[i] == 0.0f;
        ++seen[{c, negative}];
        BOOST_TEST(b.targets[i] == d.candidates(Split::train, c)[negative]);
        BOOST_TEST(b.users[i] == d.user(Split::train, c));
        const auto h = d.history(Split::train, c, 0);
        BOOST_TEST(g.lengths[i] == h.length);
        for (std::int64_t t = 0; t < g.max_len; ++t) {
          const std::int64_t at = i * g.max_len + t;
          if (t < h.length) {
            BOOST_TEST(g.objects[at] == h.objects[t]);
            BOOST_TEST(g.buckets[at] == d.bucket(Split::train, c, 0, h.times[t]));
          } else {
            BOOST_TEST((g.objects[at] == 0 && g.behaviors[at] == 0 && g.buckets[at] == 0));
          }
        }
      }
    }
    BOOST_TEST(batches == batcher.batches_per_epoch());
    BOOST_TEST(static_cast<std::int64_t>(seen.size()) == batcher.examples_per_epoch());
    for (const auto& [key, n] : seen) BOOST_TEST(n == 1);
    BOOST_TEST(batcher.position().epoch == epoch + 1);
  }
}

BOOST_AUTO_TEST_CASE(resume_from_saved_position_and_epochs_differ) {
  TempDir dir;
  const Dataset d = synthetic(dir);
  BatcherOptions o;
  o.batch_size = 8;
  o.seed = 77;
  Batcher a(d, o);
  Batch b;
  while (a.next(b)) {
  }
  for (int i = 0; i < 3; ++i) a.next(b);
  const BatchPosition saved = a.position();
  BOOST_TEST(saved.epoch == 1);
  BOOST_TEST(saved.batch == 3);
  std::vector<std::vector<std::int64_t>> expected;
  for (int i = 0; i < 5; ++i) {
    a.next(b);
    expected.push_back(b.cases);
  }
  Batcher resumed(d, o);
  resumed.seek(saved);
  for (int i = 0; i < 5; ++i) {
    resumed.next(b);
    BOOST_TEST(b.cases == expected[i]);
  }
  // epoch 0 and epoch 1 start differently; another seed differs too
  Batcher e0(d, o), e1(d, o);
  e1.seek({1, 0});
  Batch x, y;
  e0.next(x);
  e1.next(y);
  BOOST_TEST(x.cases != y.cases);
  BOOST_CHECK_THROW(e0.seek({0, 1000000}), std::exception);
}

BOOST_AUTO_TEST_CASE(length_grouping_cuts_padding) {
  TempDir dir;
  const Dataset d = synthetic(dir);
  auto total_padding = [&](std::int64_t window) {
    BatcherOptions o;
    o.batch_size = 16;
    o.window = window;
    Batcher batcher(d, o);
    Batch b;
    std::int64_t pad = 0;
    while (batcher.next(b)) pad += padding(b);
    return pad;
  };
  const std::int64_t grouped = total_padding(0), random = total_padding(16);  // 16: one batch per window
  BOOST_TEST(grouped * 2 < random, grouped << " vs " << random);
}

BOOST_AUTO_TEST_CASE(eval_and_pairwise_batches) {
  TempDir dir;
  const Dataset d = synthetic(dir, 10);
  BatcherOptions o;
  o.split = Split::test;
  o.mode = BatchMode::eval;
  o.shuffle = false;
  o.batch_size = 32;
  Batcher eval(d, o);
  Batch b;
  std::set<std::int64_t> cases;
  while (eval.next(b)) {
    BOOST_TEST(b.candidates_per_example == 6);
    BOOST_TEST(b.groups[0].max_len <= 10);  // history cap
    for (std::int64_t i = 0; i < b.size; ++i) {
      cases.insert(b.cases[i]);
      BOOST_TEST(b.candidates[i * 6] == d.positive(Split::test, b.cases[i]));
      BOOST_TEST(b.targets[i] == b.candidates[i * 6]);
    }
  }
  BOOST_TEST(static_cast<std::int64_t>(cases.size()) == d.num_cases(Split::test));
  BOOST_TEST(d.num_cases(Split::test) == 60);

  o.split = Split::train;
  o.mode = BatchMode::pairwise;
  o.shuffle = true;
  Batcher pairs(d, o);
  BOOST_TEST(pairs.examples_per_epoch() == d.num_cases(Split::train));
  pairs.next(b);
  BOOST_TEST(b.candidates_per_example == 2);
  BOOST_TEST(b.candidates[1] == d.candidates(Split::train, b.cases[0])[1]);
}

namespace {

Dataset multi_task(const TempDir& dir) {
  SynthOptions so;
  so.kind = spec::SyntheticKind::Multi;
  so.users = 40;
  so.items = 100;
  so.categories = 5;
  so.events = 1200;
  write_synthetic(dir.file("multi"), so);
  spec::Spec s = test::multi_kind_spec(dir.file("multi/events.csv"), dir.file("cache"));
  test::add_group(s, "query", {"search"});
  test::add_task(s, "query", "query");
  return Dataset::from_events(import_events(s.data), s);
}

// The epoch plan as it was written before it moved into one array (Taobao scale: 200 M examples),
// with a vector per task, the batches' examples and a reordered copy. The batcher must give
// exactly these batches.
std::vector<std::vector<std::int64_t>> reference_plan(const Dataset& d, const BatcherOptions& o, std::int64_t epoch) {
  const Split s = o.split;
  const bool pointwise = o.mode == BatchMode::pointwise;
  const std::int64_t examples = (pointwise ? 2 : 1) * d.num_cases(s), B = o.batch_size;
  auto case_of = [&](std::int64_t e) { return pointwise ? e / 2 : e; };
  std::int64_t window = o.window > 0 ? o.window : (o.shuffle ? 64 * B : std::max<std::int64_t>(examples, 1));
  window = (window + B - 1) / B * B;
  const auto tasks = static_cast<std::int64_t>(d.layout().tasks.size());
  const bool by_task = o.one_task_per_batch && tasks > 1;
  std::vector<std::vector<std::int64_t>> parts(by_task ? static_cast<std::size_t>(tasks) : 1), batches;
  for (std::int64_t e = 0; e < examples; ++e) parts[by_task ? d.task(s, case_of(e)) : 0].push_back(e);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    auto& part = parts[p];
    if (o.shuffle)
      Rng(derive_seed(o.seed, static_cast<std::uint64_t>(epoch), p, 0x6261746368ULL)).shuffle(part.data(), part.size());
    const auto n = static_cast<std::int64_t>(part.size());
    for (std::int64_t w = 0; w < n; w += window) {
      const std::int64_t end = std::min(n, w + window);
      std::stable_sort(part.begin() + w, part.begin() + end, [&](std::int64_t a, std::int64_t b) {
        return d.history_length(s, case_of(a)) < d.history_length(s, case_of(b));
      });
      for (std::int64_t b = w; b < end; b += B)
        batches.emplace_back(part.begin() + b, part.begin() + std::min(end, b + B));
    }
  }
  std::vector<std::size_t> idx(batches.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  if (o.shuffle)
    Rng(derive_seed(o.seed, static_cast<std::uint64_t>(epoch), 0x6f72646572ULL)).shuffle(idx.data(), idx.size());
  std::vector<std::vector<std::int64_t>> out;
  for (std::size_t i : idx) out.push_back(batches[i]);
  return out;
}

// The batcher's batches of one epoch as example lists (pointwise: case * 2 + negative).
std::vector<std::vector<std::int64_t>> planned(Batcher& batcher, BatchMode mode) {
  std::vector<std::vector<std::int64_t>> out;
  Batch b;
  while (batcher.next(b)) {
    out.emplace_back();
    for (std::int64_t i = 0; i < b.size; ++i)
      out.back().push_back(mode == BatchMode::pointwise ? b.cases[i] * 2 + (b.labels[i] == 0.0f) : b.cases[i]);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plans_the_same_batches_as_before) {
  TempDir dir;
  const Dataset single = synthetic(dir), multi = multi_task(dir);
  std::vector<BatcherOptions> cases(5);
  cases[0].batch_size = 7;
  cases[1].batch_size = 16;
  cases[1].window = 40;
  cases[2].split = Split::test;
  cases[2].mode = BatchMode::eval;
  cases[2].shuffle = false;
  cases[3].mode = BatchMode::pairwise;
  cases[3].seed = 9;
  cases[4].one_task_per_batch = false;
  for (const Dataset* d : {&single, &multi})
    for (const BatcherOptions& o : cases) {
      Batcher batcher(*d, o);
      for (std::int64_t epoch = 0; epoch < 2; ++epoch)
        BOOST_TEST((planned(batcher, o.mode) == reference_plan(*d, o, epoch)), "epoch " << epoch);
    }
}

BOOST_AUTO_TEST_CASE(one_task_per_batch) {
  TempDir dir;
  const Dataset d = multi_task(dir);
  BatcherOptions o;
  o.batch_size = 16;
  Batcher batcher(d, o);
  Batch b;
  std::set<int> tasks;
  std::int64_t n = 0;
  while (batcher.next(b)) {
    n += b.size;
    for (std::int64_t i = 1; i < b.size; ++i) BOOST_TEST(b.task[i] == b.task[0]);
    tasks.insert(b.task[0]);
    BOOST_TEST(b.groups.size() == 2u);
  }
  BOOST_TEST(n == batcher.examples_per_epoch());
  BOOST_TEST(tasks.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
