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

BOOST_AUTO_TEST_CASE(recall_and_mrr_from_ranks) {
  // user 7: ranks 0 and 4; user 9: rank 1; user 3: rank 30.
  RankedCases r;
  r.ranks = {0, 4, 1, 30};
  r.users = {7, 7, 9, 3};
  auto m = ranking_metrics(r, metrics({"hr@2", "recall@2", "mrr", "ndcg@5", "auc"}));
  BOOST_TEST(m.count("auc") == 0u);  // not a ranking metric
  BOOST_TEST(m["hr@2"] == 2.0 / 4.0, tt::tolerance(1e-12));
  // per user: 7 -> 1/2, 9 -> 1, 3 -> 0; averaged over users.
  BOOST_TEST(m["recall@2"] == (0.5 + 1.0 + 0.0) / 3.0, tt::tolerance(1e-12));
  BOOST_TEST(m["mrr"] == (1.0 + 1.0 / 5 + 1.0 / 2 + 1.0 / 31) / 4.0, tt::tolerance(1e-12));
  BOOST_TEST(m["ndcg@5"] == (1.0 + 1.0 / std::log2(6.0) + 1.0 / std::log2(3.0)) / 4.0, tt::tolerance(1e-12));
  // Sampled candidates give the same metrics through their ranks (ties against the positive).
  ScoredCases s;
  s.candidates = 3;
  s.scores = {2, 2, 1,  0, 1, 2};
  s.users = {1, 2};
  const RankedCases sr = sampled_ranks(s);
  BOOST_TEST(sr.ranks == (std::vector<std::int64_t>{1, 2}));
  BOOST_TEST(compute_metrics(s, metrics({"mrr"}))["mrr"] == (0.5 + 1.0 / 3) / 2, tt::tolerance(1e-12));
}
