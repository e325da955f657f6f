// Row kernels of one TensorFlow LSTMCell step (no peepholes) on raw pointers,
// forward and backward: the gate math of the lstm_sequence op, and of the
// step-by-step cell the tests compare it with. Gate order i, j, f, o as TF:
//   c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j),  h' = tanh(c') * sigmoid(o).
#pragma once

#include <cmath>
#include <cstdint>

#include "atrank/kernels/sigmoid.hpp"

namespace atrank::kernels {

// z: (4H) pre-activations [x, h] W + b, replaced by the gate activations
// sigmoid(i), tanh(j), sigmoid(f + forget_bias), sigmoid(o) that backward reads.
// c_prev: (H). Writes c: (H) = c', tanh_c: (H) = tanh(c'), h: (H) = h'.
template <class T>
inline void lstm_step_row(T* z, const T* c_prev, std::int64_t H, T forget_bias, T* c, T* tanh_c,
                          T* h) {
  for (std::int64_t k = 0; k < H; ++k) {
    const T i = stable_sigmoid(z[k]);
    const T j = std::tanh(z[H + k]);
    const T f = stable_sigmoid(z[2 * H + k] + forget_bias);
    const T o = stable_sigmoid(z[3 * H + k]);
    z[k] = i;
    z[H + k] = j;
    z[2 * H + k] = f;
    z[3 * H + k] = o;
    const T cn = c_prev[k] * f + i * j;
    const T th = std::tanh(cn);
    c[k] = cn;
    tanh_c[k] = th;
    h[k] = th * o;
  }
}

// Backward of lstm_step_row. act: (4H) gate activations, tanh_c: (H),
// c_prev: (H) as in the forward step; dh: (H) d(loss)/dh'.
// dc: (H) on entry d(loss)/dc' from outside the step, on exit d(loss)/dc_prev.
// Writes dz: (4H) d(loss)/dz.
template <class T>
inline void lstm_step_row_backward(const T* act, const T* tanh_c, const T* c_prev, const T* dh,
                                   T* dc, std::int64_t H, T* dz) {
  for (std::int64_t k = 0; k < H; ++k) {
    const T i = act[k], j = act[H + k], f = act[2 * H + k], o = act[3 * H + k];
    const T th = tanh_c[k];
    const T dct = dc[k] + dh[k] * o * (T(1) - th * th);
    dz[k] = dct * j * i * (T(1) - i);
    dz[H + k] = dct * i * (T(1) - j * j);
    dz[2 * H + k] = dct * c_prev[k] * f * (T(1) - f);
    dz[3 * H + k] = dh[k] * th * o * (T(1) - o);
    dc[k] = dct * f;
  }
}

}  // namespace atrank::kernels
