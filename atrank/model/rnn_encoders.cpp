// Bi-LSTM and Bi-LSTM + attention baselines as the authors coded them
// (jinze1994/ATRank folders rnn/ and rnn_att/). Parameters as TF's LSTMCell
// (kernel (in+U, 4U) Glorot, bias (4U) zero, forget bias 1) per direction,
// then the output dense to the hidden width.
//  - bilstm: user = dense([forward output at the last valid step, backward
//    output at step 0]); the backward direction reads each row's valid prefix
//    reversed (bidirectional_dynamic_rnn with sequence_length), so its output
//    at step 0 is its final state.
//  - bilstm_att: the target, tiled twice (2U wide), attends over the 2U-wide
//    outputs [forward, backward] with a key mask and scores / sqrt(2U), then
//    dense. With no valid step the authors' softmax is uniform over padding;
//    here the weights are 0 (an empty history gives a zero context).
// Speed: the input projection x W_x + b of every position is one GEMM over
// (B*T, in); only h W_h runs inside the recurrence (op lstm_sequence).
#include <cmath>
#include <stdexcept>

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/lstm_sequence.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/model/encoder.hpp"
#include "atrank/nn/dense.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;
using atrank::Trans;

namespace {

struct LstmParams {
  int kernel = -1, bias = -1;
};

template <class T>
LstmParams make_lstm(nn::Params<T>& p, const std::string& scope, std::int64_t in, std::int64_t units) {
  LstmParams l;
  l.kernel = p.add(scope + "/kernel", Shape{in + units, 4 * units}, nn::Init::glorot());
  l.bias = p.add(scope + "/bias", Shape{4 * units}, nn::Init::zeros());
  return l;
}

template <class T>
class BiLstmEncoder final : public Encoder<T> {
 public:
  BiLstmEncoder(BuildContext<T>& ctx, bool attention)
      : attention_(attention) {
    // The plan made the target vectors hidden wide, and with attention as
    // wide as the LSTM units (tiled twice: as wide as both directions).
    const auto& e = ctx.spec.encoder;
    hidden_ = e.hidden;
    const std::int64_t u = e.lstm_units;
    units_ = u;
    const std::int64_t in = ctx.plan.encoder.history_width;
    const std::string detail = "LSTM " + std::to_string(in) + " -> " + std::to_string(u);
    ctx.begin_block();
    fw_ = make_lstm(ctx.params, "encoder/lstm_fw", in, u);
    ctx.end_block("encoder/lstm_fw", "lstm", detail + " forward");
    ctx.begin_block();
    bw_ = make_lstm(ctx.params, "encoder/lstm_bw", in, u);
    ctx.end_block("encoder/lstm_bw", "lstm", detail + " backward");
    ctx.begin_block();
    out_ = nn::Dense<T>::make(ctx.params, "encoder/output", 2 * u, hidden_);
    ctx.end_block("encoder/output", "dense",
                  std::to_string(2 * u) + " -> " + std::to_string(hidden_) +
                      (attention_ ? " of the attention-weighted outputs"
                                  : " of [last forward, first backward]"));
  }

  const char* kind() const override { return attention_ ? "bilstm_att" : "bilstm"; }
  bool target_independent() const override { return !attention_; }
  std::int64_t out_width() const override { return hidden_; }

  EncodedHistory prepare(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, bool,
                         std::mt19937_64&) const override {
    const Var x = in.history.values;             // (B,T,C)
    const std::int32_t* len = in.history.lengths;
    const std::int64_t B = t.shape(x)[0];
    const Var fw = direction(t, p, fw_, x, len, false);  // (B,T,U)
    const Var bw = direction(t, p, bw_, x, len, true);   // (B,T,U)
    EncodedHistory h;
    h.rows = in.history.rows();
    if (attention_) {
      h.keys = autodiff::concat(t, {fw, bw}, -1);  // (B,T,2U)
      return h;
    }
    const Var first_bw = autodiff::reshape(t, autodiff::slice(t, bw, 1, 0, 1), Shape{B, units_});
    const Var last = autodiff::concat(t, {autodiff::last_valid(t, fw, len), first_bw}, -1);  // (B,2U)
    h.user = out_(t, p, last);  // (B,H)
    return h;
  }

  Var attend(Tape<T>& t, nn::Params<T>& p, const EncodedHistory& h, Var queries, Var, bool,
             std::mt19937_64&) const override {
    const std::int64_t n_cand = t.shape(queries)[1];
    if (!attention_) return autodiff::repeat_seq(t, h.user, n_cand);  // (B,C,H)
    const Var q = autodiff::concat(t, {queries, queries}, -1);      // (B,C,2U): tf.tile(q, [1, 2])
    Var s = autodiff::batched_matmul(t, q, h.keys, Trans::No, Trans::Yes);  // (B,C,T)
    s = autodiff::scale(t, s, T(1) / std::sqrt(T(2 * units_)));
    const Var w = autodiff::masked_softmax(t, s, h.rows.length, n_cand);  // (B,C,T)
    const Var ctx = autodiff::batched_matmul(t, w, h.keys);           // (B,C,2U)
    return out_(t, p, ctx);                                           // (B,C,H)
  }

 private:
  // One direction: (B,T,C) -> outputs (B,T,U), zero past each row's length.
  Var direction(Tape<T>& t, nn::Params<T>& p, const LstmParams& l, Var x,
                const std::int32_t* len, bool reverse) const {
    const Var kernel = p.on(t, l.kernel);  // (C+U, 4U)
    const std::int64_t c = t.shape(x)[2];
    const Var wx = autodiff::slice(t, kernel, 0, 0, c);        // (C,4U)
    const Var wh = autodiff::slice(t, kernel, 0, c, units_);   // (U,4U)
    const Var xw = autodiff::dense(t, x, wx, p.on(t, l.bias)); // (B,T,4U), one GEMM
    return autodiff::lstm_sequence(t, xw, wh, len, reverse, T(1));
  }

  bool attention_;
  std::int64_t hidden_ = 0;
  std::int64_t units_ = 0;
  LstmParams fw_, bw_;
  nn::Dense<T> out_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_encoder(BuildContext<T>& ctx) {
  return std::make_unique<BiLstmEncoder<T>>(ctx, false);
}
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_att_encoder(BuildContext<T>& ctx) {
  return std::make_unique<BiLstmEncoder<T>>(ctx, true);
}

template std::unique_ptr<Encoder<float>> make_bilstm_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_bilstm_encoder<double>(BuildContext<double>&);
template std::unique_ptr<Encoder<float>> make_bilstm_att_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_bilstm_att_encoder<double>(BuildContext<double>&);

}  // namespace atrank::model
