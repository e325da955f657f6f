// The ATRank encoder: `blocks` self-attention blocks over the history as packed
// rows (no padding: the projections, feed-forward layers and layer norms run
// over the real positions only), then `blocks` vanilla-attention blocks from the target vectors (the
// authors' attention_net). All C candidates are queries of one pass: each
// query position attends on its own, so the history is encoded once; the
// vanilla blocks' K and V of the encoded history are part of prepare(), the
// first block's Q of the targets is project_queries() (once per catalogue).
#include <stdexcept>

#include <fmt/format.h>

#include "atrank/model/encoder.hpp"
#include "atrank/nn/attention_block.hpp"
#include "atrank/nn/tape_ints.hpp"

namespace atrank::model {

using autodiff::Tape;
using autodiff::Var;

namespace {

template <class T>
class AtrankEncoder final : public Encoder<T> {
 public:
  const char* kind() const override { return "atrank"; }
  bool reads_packed_rows() const override { return true; }
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

  EncodedHistory prepare(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, bool training,
                         std::mt19937_64& rng) const override {
    EncodedHistory h;
    h.keys = in.history.values;  // packed rows (N,H)
    h.rows = in.history.rows();
    h.attention = in.attention;  // when asked: where each block's weights stay on the tape
    for (const auto& b : self_)
      h.keys = b.self(t, p, h.keys, h.rows, training, rng, h.attention ? &h.attention->self.emplace_back() : nullptr);
    h.key_value_blocks = std::int64_t(vanilla_.size());
    std::int32_t* ids = nn::tape_ints(t, 2 * vanilla_.size());
    h.key_value_ids = ids;
    for (const auto& b : vanilla_) {
      const nn::KeyValues kv = b.attention.project_keys(t, p, h.keys);
      *ids++ = kv.k.id;
      *ids++ = kv.v.id;
    }
    return h;
  }

  Var attend(Tape<T>& t, nn::Params<T>& p, const EncodedHistory& h, Var queries, Var projected, bool training,
             std::mt19937_64& rng) const override {
    Var dec = queries;  // (B,C,H)
    for (std::size_t i = 0; i < vanilla_.size(); ++i) {
      const auto& b = vanilla_[i];
      const Var qp = i == 0 && projected.valid() ? projected : b.attention.q(t, p, dec);
      dec = b.vanilla(t, p, dec, qp, h.key_values(std::int64_t(i)), h.rows, training, rng,
                      h.attention ? &h.attention->vanilla.emplace_back() : nullptr);
    }
    return dec;  // (B,C,H)
  }

  Var project_queries(Tape<T>& t, nn::Params<T>& p, Var queries) const override {
    return vanilla_.front().attention.q(t, p, queries);
  }

  const std::vector<nn::AttentionBlock<T>>* vanilla_blocks() const override { return &vanilla_; }

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
