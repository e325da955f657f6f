// Candidate-minor kernels of the ATRank vanilla-attention blocks. Every
// buffer of a block of candidates is (rows, kLanes): row r holds feature r of
// the kLanes candidates, so the inner loops run over candidates.
#include "atrank/infer/candidate_attention.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "atrank/kernels/cpu_variants.hpp"
#include "atrank/kernels/exp.hpp"
#include "atrank/nn/attention_block.hpp"
#include "atrank/tensor/gemm.hpp"

namespace atrank::infer {

// Vectors wider than the baseline ISA pass between the always-inlined
// helpers below, inside one function compiled for the ISA that has them: no
// call crosses an ABI boundary, so GCC's note about their ABI does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

#define ATRANK_LANES inline __attribute__((always_inline))

namespace {

constexpr std::int64_t L = kLanes;
// Accumulators held in registers by the attention products and layer norms.
constexpr int kVecs = 8;

// Lanes of `Bytes`-wide GCC vectors: the kernels below are written once and
// compiled for SSE2 (16), AVX2 (32) and AVX-512 (64 bytes); the
// auto-vectoriser keeps these register-blocked loops scalar.
template <class T, int Bytes>
struct Lanes {
  typedef T Vec __attribute__((vector_size(Bytes)));
  typedef std::uint32_t Bits __attribute__((vector_size(Bytes * sizeof(std::uint32_t) / sizeof(T))));
  typedef std::int32_t Ints __attribute__((vector_size(Bytes * sizeof(std::int32_t) / sizeof(T))));
  static constexpr std::int64_t n = Bytes / std::int64_t(sizeof(T));  // lanes per vector
  static constexpr std::int64_t chunk = n * kVecs;                     // lanes per register block
  static_assert(L % chunk == 0, "a block holds whole register blocks");

  static ATRANK_LANES Vec load(const T* p) {
    Vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static ATRANK_LANES void store(Vec v, T* p) { std::memcpy(p, &v, sizeof v); }

  // e^x for x <= 0 (a softmax after its maximum). Float: Cephes' expf (range
  // reduction by ln 2 in two parts, a degree-6 polynomial, the power of two
  // put into the exponent bits), within a few ulp of std::exp; arguments
  // below -87 give e^-87 (1.6e-38), nothing next to the maximum's 1.
  static ATRANK_LANES Vec exp_nonpositive(Vec x) {
    if constexpr (std::is_same_v<T, float>) {
      // max(x, -87) on the bits: for x <= 0 a larger magnitude is a larger unsigned.
      constexpr std::uint32_t kMinus87 = 0xC2AE0000u;
      Bits b = (Bits)x;  // GCC vector casts keep the bits
      b = b > kMinus87 ? Bits{} + kMinus87 : b;
      const Vec v = (Vec)b;
      const auto e_v = kernels::expf_parts(v);
      const Ints e = (__builtin_convertvector(e_v.k, Ints) + 127) << 23;  // k in [-126, 0]
      return e_v.p * (Vec)e;
    } else {
      for (std::int64_t i = 0; i < n; ++i) x[i] = std::exp(x[i]);
      return x;
    }
  }
};

template <class T>
std::vector<T> values_of(const nn::Params<T>& p, int id) {
  if (id < 0) return {};
  const auto& slice = p.dense.slice(id);
  const T* v = p.dense.values().data() + slice.offset;
  return std::vector<T>(v, v + slice.shape.numel());
}

// out (W, L) = the attention of queries q (W, L) over the `len` valid events
// of k, v ((>= len, W) row-major): per head, s = q_h . k_h[l] / sqrt(d), p =
// softmax over l, out_h = sum_l p[l] v_h[l] (fused_attention's scores and
// kernels::softmax_row's max, exp, sum and scale). s: (heads * len, L)
// scratch. No events: zeros.
template <class T, int B>
ATRANK_LANES void attention(const T* q, const T* k, const T* v, std::int64_t len, std::int64_t width,
                            std::int64_t heads, T* s, T* out) {
  using V = Lanes<T, B>;
  using Vec = typename V::Vec;
  if (len == 0) {
    std::fill(out, out + width * L, T(0));
    return;
  }
  const std::int64_t d = width / heads;
  const T scale = T(1) / std::sqrt(T(d));
  for (std::int64_t c0 = 0; c0 < L; c0 += V::chunk)
    for (std::int64_t h = 0; h < heads; ++h) {
      T* sh = s + h * len * L + c0;
      for (std::int64_t l = 0; l < len; ++l) {
        Vec acc[kVecs] = {};
        const T* kl = k + l * width + h * d;
        for (std::int64_t j = 0; j < d; ++j) {
          const T* qj = q + (h * d + j) * L + c0;
          for (int u = 0; u < kVecs; ++u) acc[u] += kl[j] * V::load(qj + u * V::n);
        }
        for (int u = 0; u < kVecs; ++u) V::store(acc[u] * scale, sh + l * L + u * V::n);
      }
      for (int u = 0; u < kVecs; ++u) {
        T* su = sh + u * V::n;
        Vec m = V::load(su);
        for (std::int64_t l = 1; l < len; ++l) {
          const Vec x = V::load(su + l * L);
          m = x > m ? x : m;
        }
        Vec sum = {};
        for (std::int64_t l = 0; l < len; ++l) {
          const Vec e = V::exp_nonpositive(V::load(su + l * L) - m);
          V::store(e, su + l * L);
          sum += e;
        }
        const Vec inv = T(1) / sum;
        for (std::int64_t l = 0; l < len; ++l) V::store(V::load(su + l * L) * inv, su + l * L);
      }
      for (std::int64_t j = 0; j < d; ++j) {
        Vec acc[kVecs] = {};
        const T* vj = v + h * d + j;
        for (std::int64_t l = 0; l < len; ++l)
          for (int u = 0; u < kVecs; ++u) acc[u] += vj[l * width] * V::load(sh + l * L + u * V::n);
        for (int u = 0; u < kVecs; ++u) V::store(acc[u], out + (h * d + j) * L + c0 + u * V::n);
      }
    }
}

// y = layer_norm(a + b) over the W rows of each lane (kernels::layer_norm_row:
// the mean, the biased variance about it, eps inside the square root). y may
// be a or b.
template <class T, int B>
ATRANK_LANES void add_layer_norm(const T* a, const T* b, const T* gamma, const T* beta, T eps, std::int64_t width,
                                 T* y) {
  using V = Lanes<T, B>;
  using Vec = typename V::Vec;
  for (std::int64_t c0 = 0; c0 < L; c0 += V::chunk) {
    Vec mean[kVecs] = {}, rstd[kVecs] = {};
    for (std::int64_t r = 0; r < width; ++r)
      for (int u = 0; u < kVecs; ++u) {
        const std::int64_t i = r * L + c0 + u * V::n;
        const Vec x = V::load(a + i) + V::load(b + i);
        V::store(x, y + i);
        mean[u] += x;
      }
    for (int u = 0; u < kVecs; ++u) mean[u] /= T(width);
    for (std::int64_t r = 0; r < width; ++r)
      for (int u = 0; u < kVecs; ++u) {
        const Vec x = V::load(y + r * L + c0 + u * V::n) - mean[u];
        rstd[u] += x * x;
      }
    for (int u = 0; u < kVecs; ++u)
      for (std::int64_t i = 0; i < V::n; ++i) rstd[u][i] = T(1) / std::sqrt(rstd[u][i] / T(width) + eps);
    for (std::int64_t r = 0; r < width; ++r)
      for (int u = 0; u < kVecs; ++u) {
        const std::int64_t i = r * L + c0 + u * V::n;
        V::store(gamma[r] * ((V::load(y + i) - mean[u]) * rstd[u]) + beta[r], y + i);
      }
  }
}

// y (out, L) = act(x (in, L) through a dense layer kernel (in,out), bias (out)
// or none), as nn::Dense: the bias first, then the product added to it.
template <class T>
ATRANK_LANES void dense(const std::vector<T>& kernel, const std::vector<T>& bias, std::int64_t in, std::int64_t out,
                        const T* x, nn::Activation act, T* y) {
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

// Everything the block loop reads.
template <class T>
struct CandidateAttention<T>::Job {
  const CandidateAttention<T>* kernels;
  std::vector<const T*> keys, values;  // per layer: (>= len, W)
  std::int64_t len = 0;
  const T* bias = nullptr;
  T* scores = nullptr;
  T* work = nullptr;  // scratch: see score()
  std::int64_t scores_rows = 0;

  // The logits of every block of the catalogue, with kernels of B-byte vectors.
  template <int B>
  ATRANK_LANES void run() const {
    using V = Lanes<T, B>;
    using Vec = typename V::Vec;
    const CandidateAttention<T>& c = *kernels;
    const std::int64_t W = c.width_;
    T* s = work;  // attention scores, then the feed-forward's inner values
    T* o = s + scores_rows * L;
    T* x = o + W * L;
    T* z = x + W * L;
    T* dec = z + W * L;
    T* q = dec + W * L;
    for (std::int64_t b = 0; b < c.blocks_; ++b) {
      const T* target = c.targets_.data() + b * W * L;
      const T* in = target;  // the queries of the first block: the target vectors
      for (std::size_t i = 0; i < c.layers_.size(); ++i) {
        const Layer& w = c.layers_[i];
        const T* qp = c.queries_.data() + b * W * L;
        if (i > 0) {
          dense(w.q_kernel, w.q_bias, W, W, in, nn::Activation(w.q_activation), q);
          qp = q;
        }
        attention<T, B>(qp, keys[i], values[i], len, W, w.heads, s, o);
        add_layer_norm<T, B>(o, in, w.ln_gamma.data(), w.ln_beta.data(), w.ln_eps, W, x);  // attention + residual
        dense(w.inner_kernel, w.inner_bias, W, w.inner, x, nn::Activation::Relu, s);
        dense(w.outer_kernel, w.outer_bias, w.inner, W, s, nn::Activation::None, z);
        add_layer_norm<T, B>(z, x, w.ffn_gamma.data(), w.ffn_beta.data(), w.ffn_eps, W, dec);  // feed-forward + residual
        in = dec;
      }
      // bias + <user vector, target vector> (Model::dot_logits' order).
      const std::int64_t n = std::min(L, c.size_ - b * L);
      T dot[L];
      for (std::int64_t c0 = 0; c0 < L; c0 += V::chunk) {
        Vec acc[kVecs] = {};
        for (std::int64_t r = 0; r < W; ++r)
          for (int u = 0; u < kVecs; ++u) {
            const std::int64_t i = r * L + c0 + u * V::n;
            acc[u] += V::load(in + i) * V::load(target + i);
          }
        for (int u = 0; u < kVecs; ++u) V::store(acc[u], dot + c0 + u * V::n);
      }
      for (std::int64_t k = 0; k < n; ++k) scores[b * L + k] = bias ? dot[k] + bias[b * L + k] : dot[k];
    }
  }
};

namespace {

// One entry point per instruction set; CandidateAttention::variants() lists
// the ones this CPU runs, widest first.
template <class T>
void run_baseline(const typename CandidateAttention<T>::Job& job) {
  job.template run<16>();
}
#ifdef ATRANK_X86_VARIANTS
__attribute__((target("avx2"))) void run_avx2(const CandidateAttention<float>::Job& job) { job.template run<32>(); }
__attribute__((target("avx512f"))) void run_avx512(const CandidateAttention<float>::Job& job) { job.template run<64>(); }
#endif

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
std::vector<std::string> CandidateAttention<T>::variants() {
  std::vector<std::string> out;
  if constexpr (std::is_same_v<T, float>) {
    if (kernels::cpu_runs_avx512f()) out.push_back("avx512f");
    if (kernels::cpu_runs_avx2()) out.push_back("avx2");
  }
  out.push_back("baseline");
  return out;
}

template <class T>
void CandidateAttention<T>::score(const autodiff::Tape<T>& t, const model::EncodedHistory& h, const T* bias,
                                  T* scores, const std::string& variant) const {
  if (std::size_t(h.key_value_blocks) != layers_.size())
    throw std::invalid_argument("candidate attention: the history was encoded for another model");
  Job job;
  job.kernels = this;
  // One user: its rows of K and V (padded or packed, the same from row first_row(0)).
  const std::int64_t first = h.rows.first_row(0);
  for (std::int64_t i = 0; i < h.key_value_blocks; ++i) {
    const nn::KeyValues kv = h.key_values(i);
    job.keys.push_back(t.value(kv.k) + first * t.shape(kv.k).last());
    job.values.push_back(t.value(kv.v) + first * t.shape(kv.v).last());
  }
  job.len = std::clamp<std::int64_t>(h.rows.rows(0), 0, t.shape(h.key_values(0).k).rows() - first);
  job.bias = bias;
  job.scores = scores;
  std::int64_t inner = 0, heads = 0;
  for (const Layer& l : layers_) inner = std::max(inner, l.inner), heads = std::max(heads, l.heads);
  // Scratch of one block: the attention scores (heads*len, L), later the
  // feed-forward's inner values (inner, L); the attention output, the layer
  // input, the feed-forward's output, the block's output and the next
  // block's queries (W, L) each.
  job.scores_rows = std::max(heads * job.len, inner);
  std::vector<T> work(std::size_t((job.scores_rows + 5 * width_) * L));
  job.work = work.data();
  static const std::string best = variants().front();
  const std::string& v = variant.empty() ? best : variant;
#ifdef ATRANK_X86_VARIANTS
  if constexpr (std::is_same_v<T, float>) {
    if (v == "avx512f") return run_avx512(job);
    if (v == "avx2") return run_avx2(job);
  }
#endif
  if (v != "baseline") throw std::invalid_argument("candidate attention: no kernels `" + v + "` here");
  run_baseline<T>(job);
}

float kernel_exp(float x) {
  using V = Lanes<float, 16>;
  return V::exp_nonpositive(V::Vec{} + x)[0];
}

template class CandidateAttention<float>;
template class CandidateAttention<double>;

}  // namespace atrank::infer
