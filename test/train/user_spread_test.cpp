// user_spread (user_spread.hpp): its value on hand-computed vectors, which
// entries count as collapsed, and the progress warning. The end-to-end check
// (a run whose CNN filters never leave zero warns and writes "collapsed":
// true) is in test/cli.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdio>
#include <string>

#include "atrank/train/progress.hpp"
#include "atrank/train/user_spread.hpp"

using namespace atrank::train;
namespace tt = boost::test_tools;

namespace {

std::string read_back(std::FILE* f) {
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += char(c);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(user_spread_is_the_mean_std_over_the_mean_norm) {
  // Cases (3,4) and (3,-4): std per dimension (0, 4), mean 2; norms 5 and 5.
  UserSpread s(2);
  const float a[] = {3, 4}, b[] = {3, -4};
  s.add(a);
  s.add(b);
  BOOST_TEST(s.cases() == 2);
  BOOST_TEST(s.value() == 2.0 / 5.0, tt::tolerance(1e-12));

  // The same vector for everyone: 0, however large the vector.
  UserSpread same(3);
  const float u[] = {10, -7, 0.5f};
  for (int i = 0; i < 1000; ++i) same.add(u);
  BOOST_TEST(same.value() == 0.0, tt::tolerance(1e-9));

  // Nothing at all, or only zero vectors: 0 (not NaN).
  UserSpread none(2);
  BOOST_TEST(none.value() == 0.0);
  const float zero[] = {0, 0};
  none.add(zero);
  BOOST_TEST(none.value() == 0.0);

  // Scale-free: the same cases ten times larger give the same spread.
  UserSpread big(2);
  const float a10[] = {30, 40}, b10[] = {30, -40};
  big.add(a10);
  big.add(b10);
  BOOST_TEST(big.value() == s.value(), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(collapsed_entries_are_the_spreads_below_the_threshold) {
  const std::map<std::string, double> m = {{"auc", 0.001},  // not a spread
                                           {"user_spread", 0.2},
                                           {"item.user_spread", kCollapsedUserSpread / 2},
                                           {"shop.user_spread", kCollapsedUserSpread},
                                           {"xuser_spread", 0.0}};
  const auto c = collapsed_entries(m);
  BOOST_TEST_REQUIRE(c.size() == 1u);
  BOOST_TEST(c[0].first == "item.user_spread");
  BOOST_TEST(collapsed_entries({{"user_spread", 0.0}}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(evaluation_line_warns_about_a_collapsed_split) {
  std::FILE* out = std::tmpfile();
  BOOST_TEST_REQUIRE(out != nullptr);
  Progress p(out, out);
  ProgressState st;
  p.evaluation(st, {{"valid", {{"auc", 0.66}, {"user_spread", 0.3}}}, {"test", {{"auc", 0.66}, {"user_spread", 2e-5}}}});
  const std::string text = read_back(out);
  std::fclose(out);
  BOOST_TEST(text.find("warning: test user_spread 2e-05 is below 0.01") != std::string::npos, text);
  BOOST_TEST(text.find("collapsed model") != std::string::npos, text);
  BOOST_TEST(text.find("warning: valid") == std::string::npos, text);

  std::FILE* healthy = std::tmpfile();
  Progress q(healthy, healthy);
  q.evaluation(st, {{"test", {{"auc", 0.7}, {"user_spread", 0.3}}}});
  const std::string fine = read_back(healthy);
  std::fclose(healthy);
  BOOST_TEST(fine.find("warning") == std::string::npos, fine);
}
