#include <boost/test/unit_test.hpp>

#include <cmath>

#include "atrank/train/metrics.hpp"

using namespace atrank::train;
namespace tt = boost::test_tools;

namespace {
std::vector<atrank::spec::Metric> metrics(const std::vector<std::string>& names) {
  std::vector<atrank::spec::Metric> out;
  for (const auto& n : names) out.push_back(atrank::spec::parse_metric(n).value());
  return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(paper_auc_roc_auc_logloss_on_hand_computed_cases) {
  ScoredCases s;
  s.candidates = 2;
  // case 0: pos 2 > neg 1; case 1: pos 0 < neg 1; case 2: pos 3 > neg -1
  s.scores = {2, 1, 0, 1, 3, -1};
  s.users = {0, 1, 2};
  auto m = compute_metrics(s, metrics({"auc", "roc_auc", "logloss"}));
  BOOST_TEST(m["auc"] == 2.0 / 3.0, tt::tolerance(1e-12));
  // positives {2,0,3}, negatives {1,1,-1}: pairs won = 2>1,2>1,2>-1,0>-1,3>1,3>1,3>-1 = 7 of 9
  BOOST_TEST(m["roc_auc"] == 7.0 / 9.0, tt::tolerance(1e-12));
  auto ce = [](double x, double z) { return std::log1p(std::exp(-x)) + (1 - z) * x; };
  const double expect = (ce(2, 1) + ce(1, 0) + ce(0, 1) + ce(1, 0) + ce(3, 1) + ce(-1, 0)) / 6;
  BOOST_TEST(m["logloss"] == expect, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(paper_auc_counts_ties_as_losses_roc_auc_as_halves) {
  ScoredCases s;
  s.candidates = 2;
  s.scores = {1, 1};
  auto m = compute_metrics(s, metrics({"auc", "roc_auc"}));
  BOOST_TEST(m["auc"] == 0.0);
  BOOST_TEST(m["roc_auc"] == 0.5);
}

BOOST_AUTO_TEST_CASE(hr_ndcg_gauc_with_many_candidates) {
  ScoredCases s;
  s.candidates = 4;
  // case 0 (user 7): positive best -> rank 0; case 1 (user 7): two negatives above -> rank 2;
  // case 2 (user 9): positive worst -> rank 3.
  s.scores = {5, 1, 2, 3,  2, 3, 4, 1,  0, 1, 2, 3};
  s.users = {7, 7, 9};
  auto m = compute_metrics(s, metrics({"hr@1", "hr@3", "ndcg@3", "gauc"}));
  BOOST_TEST(m["hr@1"] == 1.0 / 3.0, tt::tolerance(1e-12));
  BOOST_TEST(m["hr@3"] == 2.0 / 3.0, tt::tolerance(1e-12));
  BOOST_TEST(m["ndcg@3"] == (1.0 + 1.0 / std::log2(4.0)) / 3.0, tt::tolerance(1e-12));
  // user 7: cases AUC 1 and 1/3 -> mean 2/3 weight 2; user 9: 0 weight 1 -> (4/3)/3
  BOOST_TEST(m["gauc"] == (2.0 / 3.0 * 2 + 0.0) / 3.0, tt::tolerance(1e-12));
}
