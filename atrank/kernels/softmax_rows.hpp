// kernels::softmax_rows on float rows, compiled three times on x86-64: for
// the baseline instruction set, AVX2 and AVX-512F (two and four times the
// lanes for the exponentials). The widest variant the CPU runs is chosen
// once per process. All give the same bits: the same operations in the same
// order per element, only more at once, and no a * b + c contracted into an
// FMA (softmax_rows.cpp turns contraction off).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atrank::kernels {

// softmax_rows(x, rows, ld, len) in the best variant this CPU runs.
void softmax_rows_f32(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len);

// The variants this CPU runs, best first ("avx512f", "avx2", "baseline"), and one of them by name (tests).
std::vector<std::string> softmax_rows_variants();
void softmax_rows_f32(const std::string& variant, float* x, std::int64_t rows, std::int64_t ld, std::int64_t len);

}  // namespace atrank::kernels
