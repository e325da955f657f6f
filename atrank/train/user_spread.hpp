// user_spread: how much the user vectors of an evaluation differ between
// cases. The mean over dimensions of the standard deviation of the user
// vectors across the cases, divided by their mean L2 norm. A model whose user
// vector no longer depends on the user (say every convolution filter died)
// scores items by their own vector and bias alone, the same ranking for
// everyone: its user_spread is ~0, however good its AUC looks.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace atrank::train {

// Below this user_spread an evaluation is reported as collapsed (progress
// warning, summary.json "collapsed"). A model whose user side is constant
// measures below 1e-6 (test/cli); the paper's CNN on MovieLens 100K starts at
// 0.003 (step 1,000, while it learns item popularity) and passes 0.03 within
// its first epoch (README.md, "user_spread").
constexpr double kCollapsedUserSpread = 0.01;

// The metrics key of the whole split's user_spread; per task "<task>.user_spread".
inline constexpr const char* kUserSpreadKey = "user_spread";

// The user_spread entries of one split's metrics (name -> value) below
// kCollapsedUserSpread, in key order.
std::vector<std::pair<std::string, double>> collapsed_entries(const std::map<std::string, double>& metrics);

class UserSpread {
 public:
  explicit UserSpread(std::int64_t width) : sum_(std::size_t(width)), squares_(std::size_t(width)) {}

  void add(const float* user);  // one case's user vector (width values)
  std::int64_t cases() const { return cases_; }
  // 0 without cases, or when every vector is 0 (nothing depends on the user).
  double value() const;

 private:
  std::vector<double> sum_, squares_;  // per dimension
  double norms_ = 0;
  std::int64_t cases_ = 0;
};

}  // namespace atrank::train
