#include "atrank/kernels/softmax_rows.hpp"

#include <algorithm>
#include <stdexcept>

#include "atrank/kernels/cpu_variants.hpp"
#include "atrank/kernels/softmax.hpp"

namespace atrank::kernels {
namespace {

void rows_baseline(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  softmax_rows(x, rows, ld, len);
}
#ifdef ATRANK_X86_VARIANTS
// flatten: the kernel (an inline template) is compiled into this function, for AVX2.
__attribute__((target("avx2"), flatten)) void rows_avx2(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  softmax_rows(x, rows, ld, len);
}
#endif

using RowsFn = void (*)(float*, std::int64_t, std::int64_t, std::int64_t);

RowsFn variant_fn(const std::string& name) {
#ifdef ATRANK_X86_VARIANTS
  if (name == "avx2") return rows_avx2;
#endif
  if (name == "baseline") return rows_baseline;
  throw std::invalid_argument("softmax rows: no variant `" + name + "` on this CPU");
}

}  // namespace

std::vector<std::string> softmax_rows_variants() {
  std::vector<std::string> out;
  if (cpu_runs_avx2()) out.push_back("avx2");
  out.push_back("baseline");
  return out;
}

void softmax_rows_f32(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  static const RowsFn best = variant_fn(softmax_rows_variants().front());
  best(x, rows, ld, len);
}

void softmax_rows_f32(const std::string& variant, float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  const auto available = softmax_rows_variants();
  if (std::find(available.begin(), available.end(), variant) == available.end())
    throw std::invalid_argument("softmax rows: no variant `" + variant + "` on this CPU");
  variant_fn(variant)(x, rows, ld, len);
}

}  // namespace atrank::kernels
