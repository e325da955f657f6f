// What a person reads while a run trains: the progress line's warm-up and the
// evaluation lines (a line per split, an aligned table per task, 4 places).
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "atrank/train/progress.hpp"

using namespace atrank::train;

namespace {

// What `print` writes through a Progress on a temporary file (not a terminal).
template <class F>
std::string printed(double plain_every, F&& print) {
  std::FILE* f = std::tmpfile();
  BOOST_TEST_REQUIRE(f != nullptr);
  {
    Progress p(f, f, plain_every);
    print(p);
  }
  std::rewind(f);
  std::string s;
  for (int c; (c = std::fgetc(f)) != EOF;) s += char(c);
  std::fclose(f);
  return s;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

ProgressState at_step(std::int64_t step) {
  ProgressState s;
  s.epochs = 1;
  s.step = step;
  s.total_steps = 1000;
  s.examples_per_second = 500;
  s.loss = 0.61234;
  s.seconds_per_step = 0.5;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_progress_waits_and_shows_no_eta_before_the_warm_up) {
  // A log: nothing at the first steps (the first plain line comes after 30 s).
  BOOST_TEST(printed(30.0, [](Progress& p) { p.update(at_step(1)); }).empty());
  // Printing every time: no ETA at step 1, one after the warm-up.
  const std::string early = printed(0.0, [](Progress& p) { p.update(at_step(1)); });
  BOOST_TEST(early.find("ETA ?") != std::string::npos, early);
  const std::string later = printed(0.0, [](Progress& p) { p.update(at_step(kWarmupSteps)); });
  BOOST_TEST(later.find("loss 0.6123 | ETA 8m10s") != std::string::npos, later);
}

BOOST_AUTO_TEST_CASE(evaluation_prints_a_line_per_split_with_four_places) {
  const std::string s = printed(30.0, [](Progress& p) {
    p.evaluation(at_step(500), {{"valid", {{"auc", 0.812345}, {"logloss", 0.5}}},
                                {"test", {{"auc", 0.8}, {"logloss", 0.51}}}});
  });
  const auto l = lines_of(s);
  BOOST_TEST_REQUIRE(l.size() == 3u, s);
  BOOST_TEST(l[0] == "eval step 500 epoch 1 | train loss 0.6123");
  BOOST_TEST(l[1] == "  valid  auc 0.8123  logloss 0.5000");
  BOOST_TEST(l[2] == "  test   auc 0.8000  logloss 0.5100");
}

BOOST_AUTO_TEST_CASE(multi_task_evaluation_is_one_aligned_row_per_task) {
  const std::string s = printed(30.0, [](Progress& p) {
    p.evaluation(at_step(500), {{"test",
                                 {{"auc", 0.7},
                                  {"user_spread", 0.25},
                                  {"item.auc", 0.71},
                                  {"item.user_spread", 0.3},
                                  {"coupon.auc", 0.65},
                                  {"coupon.user_spread", 0.2},
                                  {"coupon.gauc", 0.66}}}});
  });
  const auto l = lines_of(s);
  BOOST_TEST_REQUIRE(l.size() == 5u, s);
  BOOST_TEST(l[1] == "  split  task       auc    gauc  user_spread");
  BOOST_TEST(l[2] == "  test   all     0.7000               0.2500");
  BOOST_TEST(l[3] == "  test   coupon  0.6500  0.6600       0.2000");
  BOOST_TEST(l[4] == "  test   item    0.7100               0.3000");
  for (const auto& line : l) BOOST_TEST(line.size() < 100u, line);
}
