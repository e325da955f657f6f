// What a model needs to train, estimated from its plan before anything is
// allocated, against what the machine has: a spec that cannot fit fails at the
// key that sizes its largest part, with the bytes, instead of ending in
// std::bad_alloc (or in minutes of swapping). Counts only the big buffers, so
// it is a lower bound: a spec it rejects can never train here.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <fmt/format.h>

#include "atrank/spec/document.hpp"
#include "atrank/spec/planner.hpp"

namespace atrank::spec {

namespace {

// Floats kept per parameter besides its value: Adam's two moments, Adagrad's accumulator.
long double optimizer_slots(OptimizerKind k) {
  switch (k) {
    case OptimizerKind::Adam: return 2;
    case OptimizerKind::Adagrad: return 1;
    case OptimizerKind::Sgd: return 0;
  }
  return 0;
}

std::string human(long double bytes) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (bytes >= 1024 && u < 6) {
    bytes /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{:.0f} bytes", double(bytes)) : fmt::format("{:.1f} {}", double(bytes), units[u]);
}

// The key among `keys` with the largest value: the one a reader would shrink.
std::string largest(const std::vector<std::pair<std::string, std::int64_t>>& keys) {
  return std::max_element(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

// A positive number from the first line of `path`, 0 when absent or not a number ("max").
long double number_in(const char* path) {
  std::ifstream in(path);
  long double v = 0;
  if (!(in >> v) || !(v > 0)) return 0;
  return v;
}

}  // namespace

std::vector<MemoryPart> training_memory(const Plan& plan, const std::function<std::int64_t(const std::string&)>& rows,
                                        std::size_t value_bytes) {
  const Spec& s = plan.spec;
  const long double per_value = (1 + optimizer_slots(plan.train.optimizer)) * value_bytes;
  // Dense parameters also keep a gradient of their own (tables' gradients are sparse).
  const long double per_dense = per_value + value_bytes;
  std::vector<MemoryPart> parts;
  long double dense = 0;
  const auto add_dense = [&](std::string what, std::string key, long double values) {
    dense += values;
    parts.push_back({std::move(what), std::move(key), values * per_dense});
  };

  for (const TablePlan& t : plan.tables) {
    const bool fixed = t.rows > 0;  // time buckets
    const std::int64_t known = fixed ? t.rows : rows(t.vocab);
    const long double n = std::max<std::int64_t>(known, 1);
    std::string key = "tables." + t.name + ".width";
    for (const GroupPlan& g : plan.groups)
      if (fixed && g.time.table_name == t.name) key = "groups." + g.name + ".time.width";
    if (!fixed && s.vocab.count(t.vocab) && known >= t.width) key = "vocab." + t.vocab;
    parts.push_back({fmt::format("table `{}` ({} rows x {})", t.name, known > 0 ? std::to_string(known) : "?",
                                 t.width),
                     key, n * t.width * per_value});
  }
  for (const GroupPlan& g : plan.groups)
    if (g.projected)
      add_dense(fmt::format("the projection of group `{}` ({} x {})", g.name, g.input_width, g.width),
                "groups." + g.name + ".projection.width", (long double)g.input_width * g.width);

  const EncoderSpec& e = s.encoder;
  switch (plan.encoder.kind) {
    case EncoderKind::Atrank: {
      // 2 x blocks attention blocks (self, then vanilla), each Q/K/V (h x h) and a feed-forward (h x ffn x h).
      const long double blocks = 2.0L * e.blocks, h = e.hidden;
      add_dense(fmt::format("the Q/K/V kernels of {} attention blocks (hidden {})", 2 * e.blocks, e.hidden),
                largest({{"encoder.hidden", e.hidden}, {"encoder.blocks", e.blocks}}), blocks * 3 * h * h);
      add_dense(fmt::format("the feed-forward layers of {} attention blocks ({} x {})", 2 * e.blocks, e.hidden,
                            e.ffn),
                largest({{"encoder.ffn", e.ffn}, {"encoder.hidden", e.hidden}, {"encoder.blocks", e.blocks}}),
                blocks * 2 * h * e.ffn);
      break;
    }
    case EncoderKind::Bilstm:
    case EncoderKind::BilstmAtt: {
      const long double u = e.lstm_units;
      add_dense(fmt::format("the two LSTM kernels ({} units)", e.lstm_units), "encoder.lstm_units",
                2 * (plan.encoder.history_width + u) * 4 * u);
      break;
    }
    case EncoderKind::Cnn: {
      long double widths = 0;
      for (const std::int64_t w : e.cnn_widths) widths += w;
      add_dense(fmt::format("the convolution kernels ({} filters per width)", e.cnn_filters), "encoder.cnn_filters",
                widths * e.cnn_filters * plan.encoder.history_width);
      break;
    }
    case EncoderKind::Bpr: break;
  }
  if (s.train.threads > 1)
    parts.push_back({fmt::format("the gradient buffers of {} more training threads", s.train.threads - 1),
                     "train.threads", dense * (s.train.threads - 1) * value_bytes});
  return parts;
}

MachineMemory machine_memory() {
  MachineMemory m{(long double)::sysconf(_SC_PHYS_PAGES) * ::sysconf(_SC_PAGESIZE), "physical memory"};
  const auto lower = [&m](long double bytes, const char* source) {
    if (bytes > 0 && bytes < m.bytes) m = {bytes, source};
  };
  lower(number_in("/sys/fs/cgroup/memory.max"), "the cgroup memory limit");
  lower(number_in("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "the cgroup memory limit");
  for (const auto& [resource, name] : {std::pair{RLIMIT_AS, "RLIMIT_AS (ulimit -v)"},
                                       std::pair{RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)"}}) {
    rlimit r{};
    if (::getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY) lower((long double)r.rlim_cur, name);
  }
  return m;
}

void check_training_memory(const Plan& plan, const std::function<std::int64_t(const std::string&)>& rows,
                           const MachineMemory& available, std::size_t value_bytes) {
  const auto parts = training_memory(plan, rows, value_bytes);
  long double total = 0;
  for (const MemoryPart& p : parts) total += p.bytes;
  if (total <= available.bytes) return;
  const MemoryPart& big =
      *std::max_element(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
  fail(origin_of(plan.spec, big.key), big.key,
       fmt::format("too large for this machine: training this model needs at least {:.0f} bytes ({}), more "
                   "than the {:.0f} bytes ({}) of {}; the largest part is {}: {:.0f} bytes ({})",
                   double(total), human(total), double(available.bytes), human(available.bytes), available.source,
                   big.what, double(big.bytes), human(big.bytes)));
}

void Planner::memory() const {
  check_training_memory(p_, [this](const std::string& space) -> std::int64_t {
    const auto it = s_.vocab.find(space);
    return it == s_.vocab.end() ? 0 : it->second;
  });
}

}  // namespace atrank::spec
