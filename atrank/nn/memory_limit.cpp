#include "atrank/nn/memory_limit.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

namespace atrank::nn {

namespace {

std::atomic<std::uint64_t> lowered_limit{0};

std::uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? std::uint64_t(pages) * std::uint64_t(page) : ~std::uint64_t{0};
}

std::string readable(std::uint64_t bytes) {
  char s[32];
  if (bytes < (1u << 20))
    std::snprintf(s, sizeof s, "%llu bytes", static_cast<unsigned long long>(bytes));
  else if (bytes < (1u << 30))
    std::snprintf(s, sizeof s, "%.1f MiB", double(bytes) / double(1u << 20));
  else
    std::snprintf(s, sizeof s, "%.1f GiB", double(bytes) / double(1u << 30));
  return s;
}

}  // namespace

std::uint64_t parameter_memory_limit() {
  const std::uint64_t lowered = lowered_limit.load();
  return lowered ? lowered : physical_memory();
}

void set_parameter_memory_limit(std::uint64_t bytes) { lowered_limit.store(bytes); }

void check_parameter_memory(const std::string& what, const autodiff::Shape& shape, std::size_t value_bytes,
                            int copies, std::uint64_t in_use) {
  std::uint64_t bytes = std::uint64_t(value_bytes) * std::uint64_t(copies);
  bool overflow = false;
  for (int i = 0; i < shape.rank; ++i) {
    if (shape[i] < 0) throw std::invalid_argument(what + ": negative size " + shape.str());
    overflow = overflow || __builtin_mul_overflow(bytes, std::uint64_t(shape[i]), &bytes);
  }
  overflow = overflow || __builtin_add_overflow(bytes, in_use, &in_use);
  const std::uint64_t limit = parameter_memory_limit();
  if (overflow || in_use > limit)
    throw std::invalid_argument(
        what + " needs " + (overflow ? "more than 2^64 bytes" : std::to_string(bytes) + " bytes (" + readable(bytes) + ")") +
        ": the model's parameters would not fit in the " + readable(limit) +
        (lowered_limit.load() ? " this process may use" : " of memory this machine has"));
}

}  // namespace atrank::nn
