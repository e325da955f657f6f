// The ATRank encoder's work on the target side (its vanilla-attention
// blocks, then the logit bias + <user vector, target vector>) for a whole
// catalogue, in a candidate-minor layout: a block of kLanes candidates is
// stored transposed, (width, kLanes), so that each per-candidate step (the
// score of every history event, the softmax over the events, the weighted
// sum of the values, the residuals and layer norms, the final dot product) is
// a loop over the block's candidates that the compiler vectorises, with no
// sum across SIMD lanes, and the feed-forward and Q products are BLAS calls
// over the block. Why: the per-candidate attention has tiny inner sizes (a
// head of 16 against about 9 events) on which per-head BLAS calls spend more
// on packing than on arithmetic, and the softmax's exp and the layer norms
// cost as much as the products when they run one candidate row at a time.
//
// It computes what nn::AttentionBlock::vanilla and Model::logits compute, op
// for op in the same order (bias then product in the dense layers, the
// layer norm's two passes, the softmax's max/exp/sum/scale), except inside
// the BLAS products and in the exponential (a polynomial within a few ulp of
// std::exp for float); tests hold its scores to the training graph's logits
// (Model::forward) within 1e-5.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "atrank/autodiff/tape.hpp"
#include "atrank/model/model.hpp"

namespace atrank::infer {

// Candidates per block: a multiple of the vector width, large enough for
// efficient BLAS products, small enough that a block's buffers stay in L2.
constexpr std::int64_t kLanes = 128;

template <class T>
class CandidateAttention {
 public:
  // The kernels for `m`'s encoder over `size` objects with target vectors
  // (size,width) and the first vanilla block's Q projection of them
  // (size,width), both row-major; null unless the encoder is ATRank.
  static std::unique_ptr<CandidateAttention> make(const model::Model<T>& m, std::int64_t size, std::int64_t width,
                                                  const T* vectors, const T* projected);

  // scores (size): every object's logit for the one history `h` encoded on
  // `t` (Model::encode_history of a batch of one), plus bias[object] when
  // `bias` is given. `variant`: the kernels of one of variants(), "" = the first.
  void score(const autodiff::Tape<T>& t, const model::EncodedHistory& h, const T* bias, T* scores,
             const std::string& variant = "") const;

  // The kernel variants this CPU runs, fastest first: "avx512f", "avx2" (x86-64
  // float), "baseline" (the compiler's target). The same arithmetic in each,
  // one candidate per SIMD lane; AVX-512 may fuse a multiply and an add.
  static std::vector<std::string> variants();

  struct Job;  // one score() call's inputs to the block loop (candidate_attention.cpp)

 private:
  // A vanilla-attention block's weights (copies: the kernels outlive no parameter update).
  struct Layer {
    std::int64_t heads = 1, inner = 0;
    int q_activation = 0;                 // nn::Activation of the Q projection (blocks after the first)
    std::vector<T> q_kernel, q_bias;      // (W,W), (W) or empty
    std::vector<T> ln_gamma, ln_beta;     // (W): attention + residual
    T ln_eps = 0;
    std::vector<T> inner_kernel, inner_bias;  // (W,F), (F) or empty, ReLU
    std::vector<T> outer_kernel, outer_bias;  // (F,W), (W) or empty
    std::vector<T> ffn_gamma, ffn_beta;       // (W): feed-forward + residual
    T ffn_eps = 0;
  };

  std::int64_t size_ = 0, width_ = 0, blocks_ = 0;
  std::vector<T> targets_;  // (blocks, W, kLanes): target vectors, zeros past `size_`
  std::vector<T> queries_;  // (blocks, W, kLanes): their Q projection in the first vanilla block
  std::vector<Layer> layers_;
};

// e^x (x <= 0) as the kernels' softmax computes it (a polynomial within a few
// ulp of std::exp; e^-87 for anything below -87), for tests.
float kernel_exp(float x);

}  // namespace atrank::infer
