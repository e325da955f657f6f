// Which instruction-set variants of a kernel this build has and this CPU
// runs: x86-64 builds by GCC or clang compile extra variants of a few hot
// kernels with __attribute__((target(...))) and pick one at run time.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__)
#define ATRANK_X86_VARIANTS 1
#endif

namespace atrank::kernels {

// True when this build has the AVX2 / AVX2+FMA / AVX-512F variants and the CPU runs them.
inline bool cpu_runs_avx2() {
#ifdef ATRANK_X86_VARIANTS
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}

inline bool cpu_runs_avx2_fma() {
#ifdef ATRANK_X86_VARIANTS
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

inline bool cpu_runs_avx512f() {
#ifdef ATRANK_X86_VARIANTS
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
#else
  return false;
#endif
}

}  // namespace atrank::kernels
