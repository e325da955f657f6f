// The ATRank encoder: `blocks` self-attention blocks over the packed history,
// then `blocks` vanilla-attention blocks from the target vectors (the
// authors' attention_net). All C candidates are queries of one pass: each
// query position attends on its own, so the history is encoded once.
#include <stdexcept>

#include <fmt/format.h>

#include "atrank/model/encoder.hpp"
#include "atrank/nn/attention_block.hpp"

namespace atrank::model {

using autodiff::Tape;
using autodiff::Var;

namespace {

template <class T>
class AtrankEncoder final : public Encoder<T> {
 public:
  const char* kind() const override { return "atrank"; }
  bool target_independent() const override { return false; }
  std::int64_t out_width() const override { return hidden_; }

  AtrankEncoder(BuildContext<T>& ctx, const EncoderShape& shape) {
    const spec::EncoderSpec& e = ctx.spec.encoder;
    hidden_ = e.hidden;
    if (shape.history_width != hidden_)
      throw std::invalid_argument("encoder atrank: the history is " +
                                  std::to_string(shape.history_width) +
                                  " wide but the hidden width is " + std::to_string(hidden_) +
                                  " (every attended group's projection must give the hidden width)");
    if (shape.query_width != hidden_)
      throw std::invalid_argument("encoder atrank: target vectors are " +
                                  std::to_string(shape.query_width) +
                                  " wide but the vanilla attention adds them to " +
                                  std::to_string(hidden_) +
                                  "-wide outputs; make the target features sum to the hidden "
                                  "width or set the task's project_target = true");
    if (e.blocks <= 0) throw std::invalid_argument("encoder atrank: blocks must be positive");
    nn::AttentionConfig c;
    c.units = e.hidden;
    c.heads = e.heads;
    c.ffn = e.ffn;
    c.dropout = e.dropout;
    c.qkv_activation = nn::parse_activation(e.qkv_activation);
    c.eps = e.layer_norm_eps;
    const std::string detail = std::to_string(c.heads) + " heads of " +
                               std::to_string(c.units / std::max<std::int64_t>(1, c.heads)) +
                               ", Q/K/V " + e.qkv_activation + ", ffn " + std::to_string(c.ffn) +
                               ", dropout " + fmt::format("{:g}", c.dropout);
    for (std::int64_t i = 0; i < e.blocks; ++i) {
      const std::string name = "encoder/self_attention_" + std::to_string(i);
      ctx.begin_block();
      self_.push_back(nn::AttentionBlock<T>::make(ctx.params, name, c));
      ctx.end_block(name, "self_attention", detail);
    }
    for (std::int64_t i = 0; i < e.blocks; ++i) {
      const std::string name = "encoder/vanilla_attention_" + std::to_string(i);
      ctx.begin_block();
      vanilla_.push_back(nn::AttentionBlock<T>::make(ctx.params, name, c));
      ctx.end_block(name, "vanilla_attention", detail + ", query = target");
    }
  }

  Var encode(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, Var queries, bool training,
             std::mt19937_64& rng) const override {
    Var enc = in.history.values;  // (B,T,H)
    for (const auto& b : self_) enc = b.self(t, p, enc, in.history.lengths, training, rng);
    Var dec = queries;            // (B,C,H)
    for (const auto& b : vanilla_)
      dec = b.vanilla(t, p, dec, enc, in.history.lengths, training, rng);
    return dec;                   // (B,C,H)
  }

 private:
  std::int64_t hidden_ = 0;
  std::vector<nn::AttentionBlock<T>> self_, vanilla_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_atrank_encoder(BuildContext<T>& ctx, const EncoderShape& shape) {
  return std::make_unique<AtrankEncoder<T>>(ctx, shape);
}

template std::unique_ptr<Encoder<float>> make_atrank_encoder<float>(BuildContext<float>&,
                                                                    const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_atrank_encoder<double>(BuildContext<double>&,
                                                                      const EncoderShape&);

}  // namespace atrank::model
