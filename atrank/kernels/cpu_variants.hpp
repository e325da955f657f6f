// Which instruction-set variants of a kernel this build has and this CPU
// runs: x86-64 builds by GCC or clang compile extra variants of a few hot
// kernels with __attribute__((target(...))) and pick one at run time.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

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

// One compiled variant of a kernel: its name, whether this CPU runs it, and
// the function. A kernel lists its variants best first, the last one
// ("baseline") running everywhere.
template <class Fn>
struct Variant {
  const char* name;
  bool runs;
  Fn fn;
};

// The names of the variants this CPU runs, best first.
template <class Fn>
std::vector<std::string> runnable_names(const std::vector<Variant<Fn>>& variants) {
  std::vector<std::string> out;
  for (const Variant<Fn>& v : variants)
    if (v.runs) out.push_back(v.name);
  return out;
}

// The best variant this CPU runs, or the one named (tests); `kernel` names
// the kernel in the error for a name this CPU does not run.
template <class Fn>
Fn pick_variant(const std::vector<Variant<Fn>>& variants, const char* kernel, const std::string& name = "") {
  for (const Variant<Fn>& v : variants)
    if (v.runs && (name.empty() || name == v.name)) return v.fn;
  throw std::invalid_argument(std::string(kernel) + ": no variant `" + name + "` on this CPU");
}

}  // namespace atrank::kernels
