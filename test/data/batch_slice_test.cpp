// slice_batch: the examples of a slice, every per-example field cut, group
// histories re-padded to the slice's longest; pass_end: where a pass of
// limited history positions ends.
#include <boost/test/unit_test.hpp>

#include "atrank/data/batch_slice.hpp"

using namespace atrank::data;

namespace {

// Two groups, three examples; group 0 lengths 3, 1, 0 (T = 3), group 1 lengths 0, 2, 1 (T = 2).
Batch three_examples() {
  Batch b;
  b.size = 3;
  GroupBatch g0;
  g0.max_len = 3;
  g0.objects = {1, 2, 3, /**/ 4, 0, 0, /**/ 0, 0, 0};
  g0.behaviors = {1, 1, 2, /**/ 2, 0, 0, /**/ 0, 0, 0};
  g0.buckets = {5, 6, 7, /**/ 8, 0, 0, /**/ 0, 0, 0};
  g0.lengths = {3, 1, 0};
  GroupBatch g1;
  g1.max_len = 2;
  g1.objects = {0, 0, /**/ 9, 8, /**/ 7, 0};
  g1.behaviors = {0, 0, /**/ 1, 1, /**/ 1, 0};
  g1.buckets = {0, 0, /**/ 3, 2, /**/ 1, 0};
  g1.lengths = {0, 2, 1};
  b.groups = {g0, g1};
  b.users = {10, 11, 12};
  b.task = {0, 1, 0};
  b.targets = {20, 21, 22};
  b.labels = {1, 0, 1};
  b.candidates_per_example = 2;
  b.candidates = {30, 31, 32, 33, 34, 35};
  b.cases = {100, 101, 102};
  return b;
}

}  // namespace

BOOST_AUTO_TEST_CASE(slice_cuts_every_field_and_repads_histories) {
  const Batch b = three_examples();
  Batch s;
  slice_batch(b, 1, 3, s);
  BOOST_TEST(s.size == 2);
  BOOST_TEST(s.groups[0].max_len == 1);  // lengths 1, 0
  BOOST_TEST(s.groups[0].objects == (std::vector<std::int32_t>{4, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[0].behaviors == (std::vector<std::int32_t>{2, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[0].buckets == (std::vector<std::int32_t>{8, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[0].lengths == (std::vector<std::int32_t>{1, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[1].max_len == 2);
  BOOST_TEST(s.groups[1].objects == (std::vector<std::int32_t>{9, 8, 7, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[1].buckets == (std::vector<std::int32_t>{3, 2, 1, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.users == (std::vector<std::int32_t>{11, 12}), boost::test_tools::per_element());
  BOOST_TEST(s.task == (std::vector<std::int32_t>{1, 0}), boost::test_tools::per_element());
  BOOST_TEST(s.targets == (std::vector<std::int32_t>{21, 22}), boost::test_tools::per_element());
  BOOST_TEST(s.labels == (std::vector<float>{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(s.candidates_per_example == 2);
  BOOST_TEST(s.candidates == (std::vector<std::int32_t>{32, 33, 34, 35}), boost::test_tools::per_element());
  BOOST_TEST(s.cases == (std::vector<std::int64_t>{101, 102}), boost::test_tools::per_element());

  slice_batch(b, 0, 1, s);  // reuses the buffers of the previous slice
  BOOST_TEST(s.groups[0].max_len == 3);
  BOOST_TEST(s.groups[0].objects == (std::vector<std::int32_t>{1, 2, 3}), boost::test_tools::per_element());
  BOOST_TEST(s.groups[1].max_len == 0);
  BOOST_TEST(s.groups[1].objects.empty());
}

BOOST_AUTO_TEST_CASE(slice_outside_the_batch_is_an_error) {
  const Batch b = three_examples();
  Batch s;
  BOOST_CHECK_THROW(slice_batch(b, 2, 4, s), std::invalid_argument);
  BOOST_CHECK_THROW(slice_batch(b, 1, 1, s), std::invalid_argument);
}

// Positions per example over both groups: 3, 3, 1.
BOOST_AUTO_TEST_CASE(passes_hold_at_most_the_positions_of_all_groups_and_one_example_at_least) {
  const Batch b = three_examples();
  BOOST_TEST(pass_end(b, 0, 3, 6) == 2);  // 3 + 3
  BOOST_TEST(pass_end(b, 0, 3, 5) == 1);
  BOOST_TEST(pass_end(b, 0, 3, 2) == 1);  // one example over the limit still makes a pass
  BOOST_TEST(pass_end(b, 1, 3, 4) == 3);  // 3 + 1
  BOOST_TEST(pass_end(b, 0, 2, 100) == 2);  // never past the slice's end
  BOOST_TEST(pass_end(b, 0, 3, 0) == 3);  // no limit
}
