// Bi-LSTM and Bi-LSTM + attention baselines: parameter schema only (the
// baselines issue implements their forward pass). Parameters as TF's
// LSTMCell (kernel (in+U, 4U) Glorot, bias (4U) zero) per direction, then the
// output dense to the hidden width.
#include <stdexcept>

#include "atrank/model/encoder.hpp"
#include "atrank/nn/dense.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

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
  BiLstmEncoder(BuildContext<T>& ctx, const EncoderShape& shape, bool attention)
      : attention_(attention) {
    const auto& e = ctx.spec.encoder;
    hidden_ = e.hidden;
    const std::int64_t u = e.lstm_units;
    if (u <= 0) throw std::invalid_argument("encoder " + std::string(kind()) + ": lstm_units must be positive");
    if (shape.query_width != hidden_)
      throw std::invalid_argument("encoder " + std::string(kind()) + ": target vectors are " +
                                  std::to_string(shape.query_width) +
                                  " wide but user vectors are " + std::to_string(hidden_));
    if (attention_ && 2 * shape.query_width != 2 * u)
      throw std::invalid_argument("encoder bilstm_att: the target, tiled twice, must be as wide "
                                  "as the two directions (2 x " + std::to_string(u) + ")");
    const std::string detail = "LSTM " + std::to_string(shape.history_width) + " -> " +
                               std::to_string(u);
    ctx.begin_block();
    fw_ = make_lstm(ctx.params, "encoder/lstm_fw", shape.history_width, u);
    ctx.end_block("encoder/lstm_fw", "lstm", detail + " forward");
    ctx.begin_block();
    bw_ = make_lstm(ctx.params, "encoder/lstm_bw", shape.history_width, u);
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

  Var encode(Tape<T>&, nn::Params<T>&, const EncoderInput&, Var, bool,
             std::mt19937_64&) const override {
    throw std::runtime_error(std::string("encoder `") + kind() +
                             "`: forward is not implemented yet (the baselines issue adds it); "
                             "`atrank check` can already count its parameters");
  }

 private:
  bool attention_;
  std::int64_t hidden_ = 0;
  LstmParams fw_, bw_;
  nn::Dense<T> out_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_encoder(BuildContext<T>& ctx, const EncoderShape& shape) {
  return std::make_unique<BiLstmEncoder<T>>(ctx, shape, false);
}
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_att_encoder(BuildContext<T>& ctx,
                                                    const EncoderShape& shape) {
  return std::make_unique<BiLstmEncoder<T>>(ctx, shape, true);
}

template std::unique_ptr<Encoder<float>> make_bilstm_encoder<float>(BuildContext<float>&,
                                                                    const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_bilstm_encoder<double>(BuildContext<double>&,
                                                                      const EncoderShape&);
template std::unique_ptr<Encoder<float>> make_bilstm_att_encoder<float>(BuildContext<float>&,
                                                                        const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_bilstm_att_encoder<double>(BuildContext<double>&,
                                                                          const EncoderShape&);

}  // namespace atrank::model
