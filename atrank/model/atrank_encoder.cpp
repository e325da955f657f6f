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

  AtrankEncoder(BuildContext<T>& ctx) {
    // The plan made the history and the target vectors hidden wide.
    const spec::EncoderSpec& e = ctx.spec.encoder;
    hidden_ = e.hidden;
    nn::AttentionConfig c;
    c.units = e.hidden;
    c.heads = e.heads;
    c.ffn = e.ffn;
    c.dropout = e.dropout;
    c.qkv_activation = activation(ctx.plan.encoder.qkv_activation);
    c.eps = e.layer_norm_eps;
    const std::string detail = std::to_string(c.heads) + " heads of " +
                               std::to_string(c.units / std::max<std::int64_t>(1, c.heads)) +
                               ", Q/K/V " + spec::name_of(ctx.plan.encoder.qkv_activation) + ", ffn " +
                               std::to_string(c.ffn) + ", dropout " + fmt::format("{:g}", c.dropout);
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
    AttentionNodes* seen = in.attention;  // when asked: where each block's weights stay on the tape
    Var enc = in.history.values;          // (B,T,H)
    for (const auto& b : self_)
      enc = b.self(t, p, enc, in.history.lengths, training, rng, seen ? &seen->self.emplace_back() : nullptr);
    Var dec = queries;  // (B,C,H)
    for (const auto& b : vanilla_)
      dec = b.vanilla(t, p, dec, enc, in.history.lengths, training, rng,
                      seen ? &seen->vanilla.emplace_back() : nullptr);
    return dec;  // (B,C,H)
  }

 private:
  std::int64_t hidden_ = 0;
  std::vector<nn::AttentionBlock<T>> self_, vanilla_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_atrank_encoder(BuildContext<T>& ctx) {
  return std::make_unique<AtrankEncoder<T>>(ctx);
}

template std::unique_ptr<Encoder<float>> make_atrank_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_atrank_encoder<double>(BuildContext<double>&);

}  // namespace atrank::model
