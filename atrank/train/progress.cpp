// Progress lines; the live line is throttled to a few updates per second.
#include "atrank/train/progress.hpp"

#include <unistd.h>

#include <cmath>

#include <fmt/format.h>

#include "atrank/train/user_spread.hpp"

namespace atrank::train {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

Progress::Progress(std::FILE* live, std::FILE* log, double plain_every_seconds)
    : live_(live), log_(log), tty_(::isatty(::fileno(live)) != 0), plain_every_(plain_every_seconds) {}

std::string Progress::format(const ProgressState& s) const {
  const double eta = double(s.total_steps - s.step) * s.seconds_per_step;
  return fmt::format("epoch {}/{} step {}/{} | {:.0f} ex/s | loss {:.4f} | ETA {}", s.epoch + 1,
                     s.epochs, s.step, s.total_steps, s.examples_per_second, s.loss,
                     s.seconds_per_step > 0 ? format_duration(eta) : std::string("?"));
}

void Progress::clear_live() {
  if (tty_ && live_shown_) {
    std::fputs("\r\033[K", live_);
    live_shown_ = false;
  }
}

void Progress::update(const ProgressState& s) {
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_).count();
  if (tty_) {
    if (since < 0.2) return;
    std::fprintf(live_, "\r\033[K%s", format(s).c_str());
    std::fflush(live_);
    live_shown_ = true;
  } else {
    if (since < plain_every_) return;
    std::fprintf(log_, "%s\n", format(s).c_str());
    std::fflush(log_);
  }
  last_ = now;
}

void Progress::evaluation(const ProgressState& s,
                          const std::map<std::string, std::map<std::string, double>>& splits) {
  clear_live();
  std::string line = fmt::format("eval step {} epoch {} | train loss {:.4f}", s.step, s.epoch + 1, s.loss);
  for (const auto& [split, metrics] : splits) {
    line += " | " + split;
    for (const auto& [name, value] : metrics) line += fmt::format(" {} {:.4f}", name, value);
  }
  for (const auto& [split, metrics] : splits)
    for (const auto& [name, value] : collapsed_entries(metrics))
      line += fmt::format(
          "\nwarning: {} {} {:.2g} is below {}: the user vectors are nearly the same for every case, so the "
          "scores rank items alike for everyone (a collapsed model; README.md, \"user_spread\")",
          split, name, value, kCollapsedUserSpread);
  std::fprintf(log_, "%s\n", line.c_str());
  std::fflush(log_);
}

void Progress::message(const std::string& text) {
  clear_live();
  std::fprintf(log_, "%s\n", text.c_str());
  std::fflush(log_);
}

}  // namespace atrank::train
