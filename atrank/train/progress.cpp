// Progress lines; the live line is throttled to a few updates per second.
#include "atrank/train/progress.hpp"

#include <unistd.h>

#include <algorithm>
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
  const bool warm = s.step >= kWarmupSteps && s.seconds_per_step > 0;
  return fmt::format("epoch {}/{} step {}/{} | {:.0f} ex/s | loss {:.4f} | ETA {}", s.epoch + 1, s.epochs, s.step,
                     s.total_steps, s.examples_per_second, s.loss, warm ? format_duration(eta) : std::string("?"));
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

namespace {

// "<task>.<metric>" -> {task, metric}; a whole-split key -> {"", metric}.
std::pair<std::string, std::string> task_and_metric(const std::string& key) {
  const auto dot = key.find('.');
  if (dot == std::string::npos) return {"", key};
  return {key.substr(0, dot), key.substr(dot + 1)};
}

// Several tasks: one table, a row per split and task ("all" = the whole split).
std::string task_table(const Progress::SplitMetrics& splits) {
  std::vector<std::string> tasks = {""}, metrics;
  std::size_t split_w = 5, task_w = 4;
  for (const auto& [split, values] : splits) {
    split_w = std::max(split_w, split.size());
    for (const auto& [key, value] : values) {
      const auto [task, metric] = task_and_metric(key);
      if (std::find(tasks.begin(), tasks.end(), task) == tasks.end()) tasks.push_back(task);
      if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) metrics.push_back(metric);
      task_w = std::max(task_w, task.size());
    }
  }
  std::sort(tasks.begin() + 1, tasks.end());
  std::sort(metrics.begin(), metrics.end());
  auto width = [](const std::string& metric) { return std::max<std::size_t>(metric.size(), 6); };
  std::string out = fmt::format("  {:<{}}  {:<{}}", "split", split_w, "task", task_w);
  for (const auto& m : metrics) out += fmt::format("  {:>{}}", m, width(m));
  for (const auto& [split, values] : splits)
    for (const auto& task : tasks) {
      std::string row = fmt::format("\n  {:<{}}  {:<{}}", split, split_w, task.empty() ? "all" : task, task_w);
      bool any = false;
      for (const auto& m : metrics) {
        const auto it = values.find(task.empty() ? m : task + "." + m);
        any = any || it != values.end();
        row += it == values.end() ? fmt::format("  {:>{}}", "", width(m))
                                  : fmt::format("  {:>{}.4f}", it->second, width(m));
      }
      if (any) out += row;
    }
  return out;
}

}  // namespace

void Progress::evaluation(const ProgressState& s, const SplitMetrics& splits) {
  clear_live();
  std::string text = fmt::format("eval step {} epoch {} | train loss {:.4f}", s.step, s.epoch + 1, s.loss);
  const bool tasks = std::any_of(splits.begin(), splits.end(), [](const auto& split) {
    return std::any_of(split.second.begin(), split.second.end(),
                       [](const auto& kv) { return !task_and_metric(kv.first).first.empty(); });
  });
  if (tasks) {
    text += "\n" + task_table(splits);
  } else {
    std::size_t split_w = 0;
    for (const auto& split : splits) split_w = std::max(split_w, split.first.size());
    for (const auto& [split, metrics] : splits) {
      text += fmt::format("\n  {:<{}}", split, split_w);
      for (const auto& [name, value] : metrics) text += fmt::format("  {} {:.4f}", name, value);
    }
  }
  for (const auto& [split, metrics] : splits)
    for (const auto& [name, value] : collapsed_entries(metrics))
      text += fmt::format(
          "\nwarning: {} {} {:.2g} is below {}: the user vectors are nearly the same for every case, so the "
          "scores rank items alike for everyone (a collapsed model; README.md, \"user_spread\")",
          split, name, value, kCollapsedUserSpread);
  std::fprintf(log_, "%s\n", text.c_str());
  std::fflush(log_);
}

void Progress::message(const std::string& text) {
  clear_live();
  std::fprintf(log_, "%s\n", text.c_str());
  std::fflush(log_);
}

}  // namespace atrank::train
