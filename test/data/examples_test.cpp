// The example builder against a hand-computed case: stable time sort, histories, buckets,
// negatives never touched by the user, one test case per user, the valid split, history cap,
// and several behavior groups with their own histories.
#include <boost/test/unit_test.hpp>

#include <set>

#include "atrank/data/data_error.hpp"
#include "atrank/data/dataset.hpp"
#include "atrank/data/import.hpp"
#include "test/data/test_files.hpp"

using namespace atrank;
using namespace atrank::data;
using atrank::test::TempDir;
using atrank::test::write_text;

namespace {

constexpr std::int64_t kDay = 86400;

// User 1: items 1,2,3,5,4 at days 0,1,3,3,10 (3 and 5 tie: file order keeps 3 first).
// User 2: one event (too few). User 3: two events (a test case only).
std::string events_csv() {
  auto line = [](int u, int i, std::int64_t day) {
    return std::to_string(u) + "," + std::to_string(i) + "," + std::to_string(day * kDay + 3600) + "\n";
  };
  return std::string("user,item,timestamp\n") + line(1, 4, 10) + line(1, 3, 3) + line(3, 7, 5) + line(1, 1, 0) +
         line(2, 6, 2) + line(1, 5, 3) + line(1, 2, 1) + line(3, 8, 6);
}

Dataset build(const TempDir& dir, const std::function<void(spec::Spec&)>& edit = {}) {
  write_text(dir.file("events.csv"), events_csv());
  spec::Spec s = test::single_group_spec(dir.file("cache"));
  s.data.path = dir.file("events.csv");
  if (edit) edit(s);
  return Dataset::from_events(import_events(s.data), s);
}

std::vector<std::int32_t> objects(const Dataset& d, Split s, std::int64_t c, int g = 0) {
  const auto h = d.history(s, c, g);
  return std::vector<std::int32_t>(h.objects, h.objects + h.length);
}

std::vector<std::int32_t> buckets(const Dataset& d, Split s, std::int64_t c, int g = 0) {
  const auto h = d.history(s, c, g);
  std::vector<std::int32_t> out;
  for (std::int64_t t = 0; t < h.length; ++t) out.push_back(d.bucket(s, c, g, h.times[t]));
  return out;
}

using V = std::vector<std::int32_t>;

}  // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(time_buckets_follow_the_authors) {
  std::vector<std::int64_t> edges;
  for (std::int64_t e = 2; e <= 4096; e *= 2) edges.push_back(e);
  // gap = day(target) - day(event) + 1; bucket = number of edges <= gap
  BOOST_TEST(time_bucket(edges, kDay, 0, 0) == 0);                // gap 1
  BOOST_TEST(time_bucket(edges, kDay, kDay, 0) == 1);             // gap 2
  BOOST_TEST(time_bucket(edges, kDay, 2 * kDay, 0) == 1);         // gap 3
  BOOST_TEST(time_bucket(edges, kDay, 3 * kDay, 0) == 2);         // gap 4
  BOOST_TEST(time_bucket(edges, kDay, 4094 * kDay, 0) == 11);     // gap 4095
  BOOST_TEST(time_bucket(edges, kDay, 4095 * kDay, 0) == 12);     // gap 4096
  // days are floor(t / unit): 23:59 and 00:01 the next day are one day apart
  BOOST_TEST(time_bucket(edges, kDay, kDay + 60, kDay - 60) == 1);
}

BOOST_AUTO_TEST_CASE(hand_computed_histories_buckets_and_negatives) {
  TempDir dir;
  const Dataset d = build(dir);
  // ids: users 1,2,3 -> 0,1,2; items 1..8 -> 0..7
  BOOST_TEST(d.vocab().size("item") == 8);
  BOOST_TEST(d.num_cases(Split::train) == 3);
  BOOST_TEST(d.num_cases(Split::valid) == 0);
  BOOST_TEST(d.num_cases(Split::test) == 2);  // users 1 and 3; user 2 has one event
  BOOST_TEST(d.report().get("task.item.users_too_few_events") == 1);
  BOOST_TEST(d.report().get("users_without_cases") == 1);

  // user 1 sorted: 1@0 2@1 3@3 5@3 4@10 (ids 0,1,2,4,3)
  BOOST_TEST(objects(d, Split::train, 0) == V({0}));
  BOOST_TEST(d.positive(Split::train, 0) == 1);
  BOOST_TEST(buckets(d, Split::train, 0) == V({1}));           // gap 2
  BOOST_TEST(objects(d, Split::train, 1) == V({0, 1}));
  BOOST_TEST(d.positive(Split::train, 1) == 2);
  BOOST_TEST(buckets(d, Split::train, 1) == V({2, 1}));        // gaps 4, 3
  BOOST_TEST(objects(d, Split::train, 2) == V({0, 1, 2}));
  BOOST_TEST(d.positive(Split::train, 2) == 4);                 // the tie keeps file order
  BOOST_TEST(buckets(d, Split::train, 2) == V({2, 1, 0}));     // gaps 4, 3, 1
  BOOST_TEST(objects(d, Split::test, 0) == V({0, 1, 2, 4}));
  BOOST_TEST(d.positive(Split::test, 0) == 3);
  BOOST_TEST(buckets(d, Split::test, 0) == V({3, 3, 3, 3}));   // gaps 11, 10, 8, 8
  BOOST_TEST(d.user(Split::test, 1) == 2);
  BOOST_TEST(objects(d, Split::test, 1) == V({6}));
  BOOST_TEST(d.positive(Split::test, 1) == 7);

  // negatives: never one of the user's items
  const std::set<std::int32_t> user1{0, 1, 2, 3, 4};
  for (std::int64_t c = 0; c < 3; ++c) {
    BOOST_TEST(d.candidates_per_case(Split::train) == 2);
    BOOST_TEST(user1.count(d.candidates(Split::train, c)[1]) == 0u);
  }
  BOOST_TEST(user1.count(d.candidates(Split::test, 0)[1]) == 0u);
  const std::int32_t neg3 = d.candidates(Split::test, 1)[1];
  BOOST_TEST((neg3 != 6 && neg3 != 7));
}

BOOST_AUTO_TEST_CASE(seed_valid_split_cap_and_eval_negatives) {
  TempDir dir;
  const Dataset a = build(dir), b = build(dir);
  for (std::int64_t c = 0; c < 3; ++c) BOOST_TEST(a.candidates(Split::train, c)[1] == b.candidates(Split::train, c)[1]);

  const Dataset v = build(dir, [](spec::Spec& s) { s.data.split = "valid"; });
  BOOST_TEST(v.num_cases(Split::train) == 2);
  BOOST_TEST(v.num_cases(Split::valid) == 1);
  BOOST_TEST(v.num_cases(Split::test) == 1);  // user 3 (two events) cannot have both
  BOOST_TEST(v.positive(Split::valid, 0) == 4);
  BOOST_TEST(objects(v, Split::valid, 0) == V({0, 1, 2}));
  BOOST_TEST(objects(v, Split::test, 0) == V({0, 1, 2, 4}));

  const Dataset capped = build(dir, [](spec::Spec& s) { s.data.history_cap = 2; });
  BOOST_TEST(objects(capped, Split::test, 0) == V({2, 4}));
  BOOST_TEST(buckets(capped, Split::test, 0) == V({3, 3}));
  BOOST_TEST(objects(capped, Split::train, 0) == V({0}));
  BOOST_TEST(capped.history_length(Split::test, 0) == 2);

  // Only a ranking metric needs more than the authors' one negative.
  const Dataset auc_only = build(dir, [](spec::Spec& s) {
    s.eval.negatives = 3;
    s.eval.metrics = {"auc", "gauc"};
  });
  BOOST_TEST(auc_only.candidates_per_case(Split::test) == 2);
  const Dataset many = build(dir, [](spec::Spec& s) {
    s.eval.negatives = 3;
    s.eval.metrics = {"auc", "hr@2"};
  });
  BOOST_TEST(many.candidates_per_case(Split::test) == 4);
  const std::int32_t* c = many.candidates(Split::test, 0);
  const std::set<std::int32_t> negs{c[1], c[2], c[3]};
  BOOST_TEST(c[0] == 3);
  BOOST_TEST(negs == (std::set<std::int32_t>{5, 6, 7}));  // the only 3 items user 1 never touched
  // only 6 untouched items for user 3 -> distinct; asking for more than exist reuses them
  const Dataset lots = build(dir, [](spec::Spec& s) {
    s.eval.negatives = 10;
    s.eval.metrics = {"ndcg@5"};
  });
  const std::int32_t* l = lots.candidates(Split::test, 0);
  const std::set<std::int32_t> user1{0, 1, 2, 3, 4};
  for (int k = 1; k <= 10; ++k) BOOST_TEST(user1.count(l[k]) == 0u);
}

BOOST_AUTO_TEST_CASE(behavior_groups_keep_separate_histories) {
  TempDir dir;
  // user u: pv a@0, search q1@1, buy b@2, coupon c1@3, buy a@4 ; items a,b,c; queries q1; coupons c1
  write_text(dir.file("events.csv"),
             "user,behavior,object,timestamp\n"
             "u,pv,a,0\nu,search,q1,86400\nu,buy,b,172800\nu,coupon,c1,259200\nu,buy,a,345600\n"
             "v,search,q2,0\nv,pv,c,0\nv,buy,b,86400\n");
  spec::Spec s = test::multi_kind_spec(dir.file("events.csv"), dir.file("cache"), {"pv", "buy"});
  test::add_group(s, "query", {"search"});
  test::add_group(s, "coupon", {"coupon"});
  const Dataset d = Dataset::from_events(import_events(s.data), s);
  BOOST_TEST(d.num_groups() == 3);
  // item task: targets are pv/buy events at positions >= 1: u: b@2 (train), a@4 (test);
  // v: q2@0 (tie, file order first), c (train), b (test)
  BOOST_TEST(d.num_cases(Split::train) == 2);
  BOOST_TEST(d.num_cases(Split::test) == 2);
  BOOST_TEST(objects(d, Split::test, 0, 0) == V({0, 1}));  // a, b
  BOOST_TEST(objects(d, Split::test, 0, 1) == V({0}));     // q1
  BOOST_TEST(objects(d, Split::test, 0, 2) == V({0}));     // c1
  BOOST_TEST(buckets(d, Split::test, 0, 2) == V({1}));     // coupon one day before: gap 2
  BOOST_TEST(objects(d, Split::train, 0, 1) == V({0}));
  BOOST_TEST(objects(d, Split::train, 0, 2).empty());
  const auto h = d.history(Split::test, 0, 0);
  BOOST_TEST(d.vocab().behaviors[h.behaviors[1]] == "buy");

  // a task on queries: u's search is at position 1 -> a test case (negative q2); v's is at 0
  test::add_task(s, "query", "query");
  const Dataset m = Dataset::from_events(import_events(s.data), s);
  BOOST_TEST(m.num_cases(Split::test) == 3);
  BOOST_TEST(m.task(Split::test, 1) == 1);  // cases are ordered by user, then task
  BOOST_TEST(m.candidates(Split::test, 1)[1] == 1);
  BOOST_TEST(m.report().get("task.query.users_too_few_events") == 1);

  s.groups[1].behaviors = {"searched"};
  BOOST_CHECK_THROW(Dataset::from_events(import_events(s.data), s), DataError);
}

BOOST_AUTO_TEST_SUITE_END()
