// kernels::softmax_rows on float rows, compiled twice on x86-64: for the
// baseline instruction set and for AVX2, twice the lanes for the
// exponentials. The AVX2 build runs where the CPU has it (chosen once per
// process). Both give the same bits: the same operations in the same order
// per element, only more at once (no FMA: AVX2 alone does not contract
// a * b + c).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace atrank::kernels {

// softmax_rows(x, rows, ld, len) in the best variant this CPU runs.
void softmax_rows_f32(float* x, std::int64_t rows, std::int64_t ld, std::int64_t len);

// The variants this CPU runs, best first ("avx2", "baseline"), and one of them by name (tests).
std::vector<std::string> softmax_rows_variants();
void softmax_rows_f32(const std::string& variant, float* x, std::int64_t rows, std::int64_t ld, std::int64_t len);

}  // namespace atrank::kernels
