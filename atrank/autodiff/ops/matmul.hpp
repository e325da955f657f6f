// Matrix products on the tape: matmul, dense (x W + b) and batched matmul for attention.
#pragma once

#include "atrank/autodiff/tape.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::autodiff {

// a: (m,k) or (...,k) flattened to rows when ta = No; b: (k,n). out: (...,n).
// With ta = Yes, a must be 2-D (k,m). With tb = Yes, b is stored (n,k).
template <class T>
Var matmul(Tape<T>& t, Var a, Var b, Trans ta = Trans::No, Trans tb = Trans::No);

// x: (..., in), w: (in, out), bias: (out) or invalid Var. out: (..., out).
template <class T>
Var dense(Tape<T>& t, Var x, Var w, Var bias = Var{});

// relu(dense(x, w, bias)) as one op: no separate node or buffer for the
// ReLU; its backward masks the incoming gradient once (output > 0).
template <class T>
Var dense_relu(Tape<T>& t, Var x, Var w, Var bias = Var{});

// a: (B,m,k) (or (B,k,m) with ta), b: (B,k,n) (or (B,n,k) with tb). out: (B,m,n).
template <class T>
Var batched_matmul(Tape<T>& t, Var a, Var b, Trans ta = Trans::No, Trans tb = Trans::No);

}  // namespace atrank::autodiff
