// Human-readable dataset summary; numbers come from the prepared arrays and the import report,
// so a cached load prints the same as a fresh build.
#include "atrank/data/stats.hpp"

#include <algorithm>
#include <iomanip>
#include <map>
#include <ostream>
#include <set>

namespace atrank::data {

LengthSummary history_lengths(const Dataset& data, Split split, int g) {
  LengthSummary s;
  const std::int64_t n = data.num_cases(split);
  if (n == 0) return s;
  // 32 bits (history ends are int32) and selection instead of a sort: 100 M cases take 0.4 GB
  // and linear time.
  std::vector<std::int32_t> len(static_cast<std::size_t>(n));
  double sum = 0;
  for (std::int64_t c = 0; c < n; ++c) {
    len[c] = static_cast<std::int32_t>(g < 0 ? data.history_length(split, c) : data.history(split, c, g).length);
    sum += static_cast<double>(len[c]);
  }
  auto pct = [&](double p) {
    const auto at = len.begin() + static_cast<std::ptrdiff_t>(p * static_cast<double>(n - 1) + 0.5);
    std::nth_element(len.begin(), at, len.end());
    return *at;
  };
  s.count = n;
  s.mean = sum / static_cast<double>(n);
  s.p50 = pct(0.5);
  s.p90 = pct(0.9);
  s.p99 = pct(0.99);
  s.max = *std::max_element(len.begin(), len.end());
  return s;
}

namespace {
void print_lengths(std::ostream& out, const char* label, const LengthSummary& s) {
  out << "  " << std::left << std::setw(14) << label << std::right;
  if (s.count == 0) {
    out << "no cases\n";
    return;
  }
  out << "mean " << std::fixed << std::setprecision(1) << s.mean << std::defaultfloat << "  p50 "
      << s.p50 << "  p90 " << s.p90 << "  p99 " << s.p99 << "  max " << s.max << "\n";
}
}  // namespace

void print_stats(const Dataset& data, std::ostream& out) {
  const Vocabulary& v = data.vocab();
  const ImportReport& r = data.report();
  const Layout& layout = data.layout();
  auto row = [&](const char* label) -> std::ostream& {
    return out << std::left << std::setw(16) << label << std::right;
  };

  std::int64_t dropped = r.get("users_without_cases");
  row("users") << v.size("user");
  if (dropped) out << "  (" << dropped << " without any case: too few events)";
  out << "\n";

  std::set<std::string> spaces;
  for (const auto& g : layout.groups) spaces.insert(g.object_space);
  row("objects");
  bool first = true;
  for (const auto& s : spaces) {
    out << (first ? "" : ", ") << s << " " << v.size(s);
    first = false;
  }
  out << "\n";

  // Attribute value spaces (shared by object spaces: items and coupons both have a shop).
  std::map<std::string, std::vector<std::string>> holders;
  for (const auto& [space, attrs] : v.attributes)
    for (const auto& [name, values] : attrs) holders[name].push_back(space);
  for (const auto& [name, spaces] : holders) {
    row(name == "category" ? "categories" : ("attr " + name).c_str()) << v.size(name) - 1 << "  (+1 reserved unknown id;";
    for (std::size_t i = 0; i < spaces.size(); ++i)
      out << (i ? ", " : " ") << r.get("missing." + spaces[i] + "." + name) << " " << spaces[i] << "(s) without";
    out << ")\n";
  }

  row("events") << r.get("events");
  out << "  (" << r.get("lines") << " lines read, " << r.get("skipped_lines") << " skipped";
  if (r.get("events_in_no_group")) out << ", " << r.get("events_in_no_group") << " in no group";
  out << ")\n";
  row("behaviors");
  first = true;
  for (const auto& b : v.behaviors) {
    out << (first ? "" : ", ") << b << " " << r.get("behavior." + b);
    first = false;
  }
  out << "\n";

  const std::int64_t train = data.num_cases(Split::train);
  row("train") << train << " cases = " << 2 * train << " examples (a positive and a negative each)\n";
  row("valid") << data.num_cases(Split::valid) << " cases\n";
  row("test") << data.num_cases(Split::test) << " cases, " << data.candidates_per_case(Split::test)
              << " candidates each (positive + " << data.candidates_per_case(Split::test) - 1
              << " negatives)\n";
  if (layout.tasks.size() > 1) {
    std::map<int, std::int64_t> per_task;
    for (std::int64_t c = 0; c < train; ++c) ++per_task[data.task(Split::train, c)];
    row("train by task");
    for (std::size_t t = 0; t < layout.tasks.size(); ++t)
      out << (t ? ", " : "") << layout.tasks[t].name << " " << per_task[static_cast<int>(t)];
    out << "\n";
  }

  out << "history length" << (layout.history_cap > 0 ? " (cap " + std::to_string(layout.history_cap) + ")" : "")
      << "\n";
  print_lengths(out, "train", history_lengths(data, Split::train));
  if (data.num_cases(Split::valid)) print_lengths(out, "valid", history_lengths(data, Split::valid));
  print_lengths(out, "test", history_lengths(data, Split::test));
  if (layout.groups.size() > 1)
    for (int g = 0; g < data.num_groups(); ++g)
      print_lengths(out, ("train/" + layout.groups[g].name).c_str(), history_lengths(data, Split::train, g));

  for (const auto& [key, n] : r.counts)
    if (key.rfind("task.", 0) == 0 || key.rfind("conflicts.", 0) == 0 || key == "users_dropped.min_events")
      row("note") << key << " = " << n << "\n";
  if (!r.messages.empty()) {
    out << "skipped lines (first " << r.messages.size() << "):\n";
    for (const auto& m : r.messages) out << "  " << m << "\n";
  }
}

}  // namespace atrank::data
