// Candidate-minor kernels of the ATRank vanilla-attention blocks. Every
// buffer of a block of candidates is (rows, kLanes): row r holds feature r of
// the kLanes candidates, so the inner loops run over candidates.
#include "atrank/infer/candidate_attention.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "atrank/nn/attention_block.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::infer {

using autodiff::Var;

namespace {

constexpr std::int64_t L = kLanes;

// The accumulators of the attention products: kChunk lanes (64 bytes) held
// in registers while a head's features or the events are summed, as GCC
// vectors of 16 bytes (SSE2 on plain x86-64, NEON on ARM); the
// auto-vectoriser leaves this loop nest scalar.
template <class T>
struct VecOf {
  typedef T type __attribute__((vector_size(16)));
};
template <class T>
using Vec = typename VecOf<T>::type;
template <class T>
constexpr std::int64_t kVecLanes = std::int64_t(sizeof(Vec<T>) / sizeof(T));
constexpr int kVecs = 4;
template <class T>
constexpr std::int64_t kChunk = kVecLanes<T> * kVecs;
static_assert(L % kChunk<float> == 0 && L % kChunk<double> == 0, "a block holds whole chunks");

// acc[u] += a * x[u-th vector] for the kChunk lanes from x.
template <class T>
void multiply_add(Vec<T>* acc, T a, const T* x) {
  for (int u = 0; u < kVecs; ++u) {
    Vec<T> v;
    std::memcpy(&v, x + u * kVecLanes<T>, sizeof v);
    acc[u] += a * v;
  }
}

// y[lanes] = acc * a.
template <class T>
void store(const Vec<T>* acc, T a, T* y) {
  for (int u = 0; u < kVecs; ++u) {
    const Vec<T> v = acc[u] * a;
    std::memcpy(y + u * kVecLanes<T>, &v, sizeof v);
  }
}

template <class T>
std::vector<T> values_of(const nn::Params<T>& p, int id) {
  if (id < 0) return {};
  const auto& slice = p.dense.slice(id);
  const T* v = p.dense.values().data() + slice.offset;
  return std::vector<T>(v, v + slice.shape.numel());
}

// x[i] = e^(x[i] - m[i]) for a row of lanes, where x <= m (a softmax after its
// maximum). Float: Cephes' expf (range reduction by ln 2 in two parts, a
// degree-6 polynomial, the power of two put into the exponent bits), which
// the compiler vectorises, unlike a call of std::exp; arguments below -87
// give e^-87 (1.6e-38) instead of less, nothing next to the maximum's 1.
constexpr std::uint32_t kMinus87 = 0xC2AE0000u;  // the bits of -87.0f

template <class T>
void exp_minus_max(T* x, const T* m) {
  if constexpr (std::is_same_v<T, float>) {
    for (std::int64_t i = 0; i < L; ++i) {
      // max(x - m, -87) on the bits (a float select would keep the loop
      // scalar): for x - m <= 0 a larger magnitude is a larger unsigned.
      const float d = x[i] - m[i];
      std::uint32_t bits_d;
      std::memcpy(&bits_d, &d, sizeof d);
      bits_d = bits_d > kMinus87 ? kMinus87 : bits_d;
      float v;
      std::memcpy(&v, &bits_d, sizeof v);
      // Round to nearest through the 1.5 * 2^23 trick (floor needs SSE4.1).
      const float n = (v * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
      const float r = (v - n * 0.693359375f) - n * -2.12194440e-4f;
      float p = 1.9875691500e-4f;
      p = p * r + 1.3981999507e-3f;
      p = p * r + 8.3334519073e-3f;
      p = p * r + 4.1665795894e-2f;
      p = p * r + 1.6666665459e-1f;
      p = p * r + 5.0000001201e-1f;
      p = p * (r * r) + r + 1.0f;
      const std::int32_t bits = (std::int32_t(n) + 127) * (std::int32_t(1) << 23);  // n in [-126, 0]
      float scale;
      std::memcpy(&scale, &bits, sizeof scale);
      x[i] = p * scale;
    }
  } else {
    for (std::int64_t i = 0; i < L; ++i) x[i] = std::exp(x[i] - m[i]);
  }
}

// out (W) = softmax-weighted values of the valid `len` events for queries q
// (W): per head, s (len) = q_h . k_h[l] / sqrt(d), p = softmax(s), out_h =
// sum_l p[l] v_h[l] (kernels::softmax_row and fused_attention's order).
// k, v: (>= len, W) row-major; s: (heads * len, L) scratch. No events: zeros.
template <class T>
void attention(const T* q, const T* k, const T* v, std::int64_t len, std::int64_t width, std::int64_t heads, T* s,
               T* out) {
  if (len == 0) {
    std::fill(out, out + width * L, T(0));
    return;
  }
  const std::int64_t d = width / heads;
  const T scale = T(1) / std::sqrt(T(d));
  for (std::int64_t h = 0; h < heads; ++h) {
    T* sh = s + h * len * L;
    for (std::int64_t l = 0; l < len; ++l) {
      const T* kl = k + l * width + h * d;
      for (std::int64_t c0 = 0; c0 < L; c0 += kChunk<T>) {
        Vec<T> acc[kVecs] = {};
        for (std::int64_t j = 0; j < d; ++j) multiply_add(acc, kl[j], q + (h * d + j) * L + c0);
        store(acc, scale, sh + l * L + c0);
      }
    }
    T m[L], sum[L];
    std::copy(sh, sh + L, m);
    for (std::int64_t l = 1; l < len; ++l)
      for (std::int64_t c = 0; c < L; ++c) m[c] = sh[l * L + c] > m[c] ? sh[l * L + c] : m[c];
    std::fill(sum, sum + L, T(0));
    for (std::int64_t l = 0; l < len; ++l) {
      exp_minus_max(sh + l * L, m);
      for (std::int64_t c = 0; c < L; ++c) sum[c] += sh[l * L + c];
    }
    for (std::int64_t c = 0; c < L; ++c) sum[c] = T(1) / sum[c];
    for (std::int64_t l = 0; l < len; ++l)
      for (std::int64_t c = 0; c < L; ++c) sh[l * L + c] *= sum[c];
    for (std::int64_t j = 0; j < d; ++j) {
      const T* vj = v + h * d + j;
      for (std::int64_t c0 = 0; c0 < L; c0 += kChunk<T>) {
        Vec<T> acc[kVecs] = {};
        for (std::int64_t l = 0; l < len; ++l) multiply_add(acc, vj[l * width], sh + l * L + c0);
        store(acc, T(1), out + (h * d + j) * L + c0);
      }
    }
  }
}

// y = layer_norm(a + b) over the W rows of each lane (kernels::layer_norm_row:
// mean, then the biased variance about it, eps inside the square root).
// y may be a or b.
template <class T>
void add_layer_norm(const T* a, const T* b, const std::vector<T>& gamma, const std::vector<T>& beta, T eps,
                    std::int64_t width, T* y) {
  T mean[L] = {}, var[L] = {};
  for (std::int64_t r = 0; r < width; ++r)
    for (std::int64_t c = 0; c < L; ++c) mean[c] += a[r * L + c] + b[r * L + c];
  for (std::int64_t c = 0; c < L; ++c) mean[c] /= T(width);
  for (std::int64_t r = 0; r < width; ++r)
    for (std::int64_t c = 0; c < L; ++c) {
      const T x = (a[r * L + c] + b[r * L + c]) - mean[c];
      var[c] += x * x;
    }
  for (std::int64_t c = 0; c < L; ++c) var[c] = T(1) / std::sqrt(var[c] / T(width) + eps);  // rstd
  for (std::int64_t r = 0; r < width; ++r)
    for (std::int64_t c = 0; c < L; ++c)
      y[r * L + c] = gamma[std::size_t(r)] * (((a[r * L + c] + b[r * L + c]) - mean[c]) * var[c]) + beta[std::size_t(r)];
}

// y (out, L) = act(x (in, L) through a dense layer kernel (in,out), bias (out)
// or none), as nn::Dense: the bias first, then the product added to it.
template <class T>
void dense(const std::vector<T>& kernel, const std::vector<T>& bias, std::int64_t in, std::int64_t out, const T* x,
           nn::Activation act, T* y) {
  for (std::int64_t r = 0; r < out; ++r) std::fill(y + r * L, y + (r + 1) * L, bias.empty() ? T(0) : bias[std::size_t(r)]);
  gemm_strided<T>(Trans::Yes, Trans::No, std::size_t(out), std::size_t(L), std::size_t(in), T(1), kernel.data(),
                  std::size_t(out), x, std::size_t(L), bias.empty() ? T(0) : T(1), y, std::size_t(L));
  if (act == nn::Activation::Relu)
    for (std::int64_t i = 0; i < out * L; ++i) y[i] = y[i] > T(0) ? y[i] : T(0);
  else if (act == nn::Activation::Tanh)
    for (std::int64_t i = 0; i < out * L; ++i) y[i] = std::tanh(y[i]);
}

// (blocks, W, L) from row-major (n, W): block b, row r, lane c = object b*L + c; zeros past n.
template <class T>
std::vector<T> lanes_of(const T* rows, std::int64_t n, std::int64_t width, std::int64_t blocks) {
  std::vector<T> out(std::size_t(blocks * width * L), T(0));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t r = 0; r < width; ++r) out[std::size_t(((i / L) * width + r) * L + i % L)] = rows[i * width + r];
  return out;
}

}  // namespace

template <class T>
std::unique_ptr<CandidateAttention<T>> CandidateAttention<T>::make(const model::Model<T>& m, std::int64_t size,
                                                                   std::int64_t width, const T* vectors,
                                                                   const T* projected) {
  const auto* blocks = m.encoder().vanilla_blocks();
  if (blocks == nullptr || blocks->empty() || projected == nullptr) return nullptr;
  auto c = std::unique_ptr<CandidateAttention>(new CandidateAttention());
  const nn::Params<T>& p = const_cast<model::Model<T>&>(m).params();
  for (const auto& b : *blocks) {
    if (b.attention.units != width)
      throw std::invalid_argument("candidate attention: target vectors of width " + std::to_string(width) +
                                  " for an encoder of width " + std::to_string(b.attention.units));
    Layer l;
    l.heads = b.attention.heads;
    l.inner = b.ffn.inner.out;
    l.q_activation = int(b.attention.q.act);
    l.q_kernel = values_of(p, b.attention.q.kernel);
    l.q_bias = values_of(p, b.attention.q.bias);
    l.ln_gamma = values_of(p, b.attention.norm.gamma);
    l.ln_beta = values_of(p, b.attention.norm.beta);
    l.ln_eps = T(b.attention.norm.eps);
    l.inner_kernel = values_of(p, b.ffn.inner.kernel);
    l.inner_bias = values_of(p, b.ffn.inner.bias);
    l.outer_kernel = values_of(p, b.ffn.outer.kernel);
    l.outer_bias = values_of(p, b.ffn.outer.bias);
    l.ffn_gamma = values_of(p, b.ffn.norm.gamma);
    l.ffn_beta = values_of(p, b.ffn.norm.beta);
    l.ffn_eps = T(b.ffn.norm.eps);
    c->layers_.push_back(std::move(l));
  }
  c->size_ = size;
  c->width_ = width;
  c->blocks_ = (size + L - 1) / L;
  c->targets_ = lanes_of(vectors, size, width, c->blocks_);
  c->queries_ = lanes_of(projected, size, width, c->blocks_);
  return c;
}

template <class T>
void CandidateAttention<T>::score(const autodiff::Tape<T>& t, const model::EncodedHistory& h, const T* bias,
                                  T* scores) const {
  const std::int64_t W = width_;
  std::int64_t inner = 0, heads = 0;
  for (const Layer& l : layers_) inner = std::max(inner, l.inner), heads = std::max(heads, l.heads);
  if (h.key_values.size() != layers_.size())
    throw std::invalid_argument("candidate attention: the history was encoded for another model");
  const Var keys = h.key_values[0].k;
  const std::int64_t len = std::clamp<std::int64_t>(h.lengths[0], 0, t.shape(keys)[1]);
  // Scratch of one block: the attention scores (heads*len, L), later the
  // feed-forward's inner values (inner, L); the attention output, the layer
  // input, the feed-forward's output, the block's output and the queries of
  // the next block (W, L) each.
  std::vector<T> work(std::size_t((std::max(heads * len, inner) + 5 * W) * L));
  T* s = work.data();
  T* o = s + std::max(heads * len, inner) * L;
  T* x = o + W * L;
  T* z = x + W * L;
  T* dec = z + W * L;
  T* q = dec + W * L;
  for (std::int64_t b = 0; b < blocks_; ++b) {
    const T* target = targets_.data() + b * W * L;
    const T* in = target;  // the queries of the first block: the target vectors
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      const Layer& w = layers_[i];
      const T* qp = queries_.data() + b * W * L;
      if (i > 0) {
        dense(w.q_kernel, w.q_bias, W, W, in, nn::Activation(w.q_activation), q);
        qp = q;
      }
      attention(qp, t.value(h.key_values[i].k), t.value(h.key_values[i].v), len, W, w.heads, s, o);
      add_layer_norm(o, in, w.ln_gamma, w.ln_beta, w.ln_eps, W, x);  // attention + residual
      dense(w.inner_kernel, w.inner_bias, W, w.inner, x, nn::Activation::Relu, s);  // s is free again
      dense(w.outer_kernel, w.outer_bias, w.inner, W, s, nn::Activation::None, z);
      add_layer_norm(z, x, w.ffn_gamma, w.ffn_beta, w.ffn_eps, W, dec);  // feed-forward + residual
      in = dec;
    }
    const std::int64_t n = std::min(L, size_ - b * L);
    T dot[L] = {};
    for (std::int64_t r = 0; r < W; ++r)
      for (std::int64_t c = 0; c < L; ++c) dot[c] += in[r * L + c] * target[r * L + c];
    for (std::int64_t c = 0; c < n; ++c) scores[b * L + c] = bias ? dot[c] + bias[b * L + c] : dot[c];
  }
}

template class CandidateAttention<float>;
template class CandidateAttention<double>;

}  // namespace atrank::infer
