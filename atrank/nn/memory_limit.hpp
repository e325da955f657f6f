// How much memory a model's parameters may take, checked before each embedding table or dense
// parameter is allocated: a spec that asks for more (vocab.item = 2^40, a huge encoder.ffn) is an
// error naming what was being built and its bytes, never a bad_alloc or an overflowed size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "atrank/autodiff/shape.hpp"

namespace atrank::nn {

// This machine's physical memory, unless set_parameter_memory_limit() lowered it.
std::uint64_t parameter_memory_limit();
// For a process that must stay smaller than the machine (the fuzz harness); 0 = the machine again.
void set_parameter_memory_limit(std::uint64_t bytes);

// Throws std::invalid_argument naming `what` when `copies` arrays of `shape` values of
// `value_bytes` each, on top of the `in_use` bytes a model already holds, overflow 64 bits or
// exceed parameter_memory_limit(); a negative dimension is an error too.
void check_parameter_memory(const std::string& what, const autodiff::Shape& shape, std::size_t value_bytes,
                            int copies, std::uint64_t in_use);

}  // namespace atrank::nn
