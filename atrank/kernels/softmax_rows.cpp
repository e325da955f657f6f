#include "atrank/kernels/softmax_rows.hpp"

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

const std::vector<Variant<RowsFn>>& variants() {
  static const std::vector<Variant<RowsFn>> all = {
#ifdef ATRANK_X86_VARIANTS
      {"avx2", cpu_runs_avx2(), rows_avx2},
#endif
      {"baseline", true, rows_baseline}};
  return all;
}

}  // namespace

std::vector<std::string> softmax_rows_variants() { return runnable_names(variants()); }

void softmax_rows_f32(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  static const RowsFn best = pick_variant(variants(), "softmax rows");
  best(x, rows, ld, len);
}

void softmax_rows_f32(const std::string& variant, float* x, std::int64_t rows, std::int64_t ld, std::int64_t len) {
  pick_variant(variants(), "softmax rows", variant)(x, rows, ld, len);
}

}  // namespace atrank::kernels
