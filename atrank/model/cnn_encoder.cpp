// CNN + max-pooling baseline as the authors coded it (jinze1994/ATRank folder
// cnn/). Per window width k a convolution kernel (k, C, F) and bias (F)
// initialised as the authors (tf.truncated_normal(stddev=0.1), bias 0.1;
// encoder.cnn_init chooses another kernel initializer), then
// dense(F * widths -> hidden).
// Forward: the history (already dense to the hidden width with time, as
// ATRank) is multiplied by its mask, zero-padded to `cnn_max_length` (500)
// positions, convolved ('valid') per width, ReLU, max-pooled over ALL output
// positions of the padded sequence (the authors' tf.nn.max_pool is not
// masked), concatenated, dropout, dense.
// Computed without the 500 positions: windows that start at or after a row's
// length read only zeros and all give relu(bias), so each row pools over its
// windows 0..min(len, L-k) (the one at `len` standing for all padding
// windows), on a batch padded only to min(T + max width, L).
// Histories longer than L keep their L most recent positions (the authors'
// tf.pad would fail there; this choice is ours).
#include <algorithm>
#include <stdexcept>

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/autodiff/ops/norm.hpp"
#include "atrank/autodiff/ops/convolution.hpp"
#include "atrank/model/encoder.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

// The authors' initializers of a convolution: kernel truncated_normal(0.1)
// (encoder.cnn_init; its normals keep this stddev), bias 0.1.
constexpr double kKernelStddev = 0.1;
constexpr double kBias = 0.1;

template <class T>
class CnnEncoder final : public Encoder<T> {
 public:
  CnnEncoder(BuildContext<T>& ctx) {
    // The plan checked the window widths (each in [1, cnn_max_length]) and
    // made the target vectors hidden wide.
    const auto& e = ctx.spec.encoder;
    const std::int64_t in = ctx.plan.encoder.history_width;
    hidden_ = e.hidden;
    for (auto k : e.cnn_widths) {
      const std::string name = "encoder/conv_" + std::to_string(k);
      ctx.begin_block();
      convs_.push_back({ctx.params.add(name + "/kernel", Shape{k, in, e.cnn_filters},
                                       init_of(ctx.plan.encoder.cnn_init, kKernelStddev)),
                        ctx.params.add(name + "/bias", Shape{e.cnn_filters}, nn::Init::constant(kBias))});
      ctx.end_block(name, "conv1d",
                    "width " + std::to_string(k) + ", " + std::to_string(in) +
                        " -> " + std::to_string(e.cnn_filters) + " filters, ReLU, max-pool");
    }
    max_length_ = e.cnn_max_length;
    dropout_ = e.dropout;
    for (auto k : e.cnn_widths) max_width_ = std::max(max_width_, k);
    widths_ = e.cnn_widths;
    const std::int64_t pooled = e.cnn_filters * std::int64_t(e.cnn_widths.size());
    ctx.begin_block();
    out_ = nn::Dense<T>::make(ctx.params, "encoder/output", pooled, hidden_);
    ctx.end_block("encoder/output", "dense",
                  std::to_string(pooled) + " -> " + std::to_string(hidden_));
  }

  const char* kind() const override { return "cnn"; }
  bool target_independent() const override { return true; }
  std::int64_t out_width() const override { return hidden_; }

  EncodedHistory prepare(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, bool training,
                         std::mt19937_64& rng) const override {
    Var x = in.history.values;  // (B,T,C)
    const std::int64_t B = t.shape(x)[0], C = t.shape(x)[2];
    std::int64_t Tn = t.shape(x)[1];
    const std::int32_t* len = in.history.lengths;
    if (Tn > max_length_) {  // keep the L most recent positions of each row
      std::vector<T> sel(std::size_t(B * max_length_ * Tn), T(0));  // (B,L,T)
      std::vector<std::int32_t> kept(static_cast<std::size_t>(B));
      for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t l = std::clamp<std::int64_t>(len[b], 0, Tn);
        const std::int64_t k = std::min(l, max_length_), start = l - k;
        kept[std::size_t(b)] = std::int32_t(k);
        for (std::int64_t i = 0; i < k; ++i)
          sel[std::size_t((b * max_length_ + i) * Tn + start + i)] = T(1);
      }
      x = autodiff::batched_matmul(t, t.constant(Shape{B, max_length_, Tn}, sel.data()), x);
      len = nn::keep_ints(t, std::move(kept));
      Tn = max_length_;
    }
    x = autodiff::mask_sequence(t, x, len);  // h_emb *= mask
    const std::int64_t P = std::min(Tn + max_width_, max_length_);
    if (P > Tn) {
      std::vector<T> zeros(std::size_t(B * (P - Tn) * C), T(0));
      x = autodiff::concat(t, {x, t.constant(Shape{B, P - Tn, C}, zeros.data())}, 1);  // (B,P,C)
    }
    std::vector<Var> pooled;
    for (std::size_t w = 0; w < widths_.size(); ++w) {
      const std::int64_t k = widths_[w];
      std::vector<std::int32_t> windows(static_cast<std::size_t>(B));
      for (std::int64_t b = 0; b < B; ++b)
        windows[std::size_t(b)] = std::int32_t(
            std::min<std::int64_t>(std::clamp<std::int64_t>(len[b], 0, Tn) + 1, max_length_ - k + 1));
      const Var h = autodiff::relu(
          t, autodiff::conv1d(t, x, p.on(t, convs_[w].first), p.on(t, convs_[w].second)));  // (B,P-k+1,F)
      pooled.push_back(autodiff::masked_max_pool(t, h, nn::keep_ints(t, std::move(windows))));  // (B,F)
    }
    Var u = autodiff::concat(t, pooled, -1);  // (B, F * widths)
    u = autodiff::dropout(t, u, T(dropout_), rng, training);
    EncodedHistory h;
    h.user = out_(t, p, u);  // (B,H)
    return h;
  }

  Var attend(Tape<T>& t, nn::Params<T>&, const EncodedHistory& h, Var queries, Var, bool,
             std::mt19937_64&) const override {
    return autodiff::repeat_seq(t, h.user, t.shape(queries)[1]);  // (B,C,H)
  }

 private:
  std::int64_t max_length_ = 0, max_width_ = 1;
  double dropout_ = 0;
  std::vector<std::int64_t> widths_;
  std::int64_t hidden_ = 0;
  std::vector<std::pair<int, int>> convs_;  // (kernel, bias) per window width
  nn::Dense<T> out_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_cnn_encoder(BuildContext<T>& ctx) {
  return std::make_unique<CnnEncoder<T>>(ctx);
}

template std::unique_ptr<Encoder<float>> make_cnn_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_cnn_encoder<double>(BuildContext<double>&);

}  // namespace atrank::model
