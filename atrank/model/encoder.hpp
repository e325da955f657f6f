// The user encoder behind every task: turns the packed history (and, for
// ATRank, the target vectors) into user vectors. Kinds are made through the
// explicit table in make_encoder (no self-registration).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "atrank/autodiff/tape.hpp"
#include "atrank/model/build_context.hpp"
#include "atrank/model/history_pack.hpp"
#include "atrank/nn/multihead_attention.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::nn {
template <class T>
struct AttentionBlock;
}  // namespace atrank::nn

namespace atrank::model {

// The tape nodes holding an attention encoder's weights, one per block in
// order; nn::attention_weights reads them: self blocks (B,H,T,T) over the
// packed history, vanilla blocks (B,H,C,T) from the C target positions.
struct AttentionNodes {
  std::vector<autodiff::Var> self, vanilla;
};

struct EncoderInput {
  PackedHistory history;                // when the encoder uses a history: padded (B,T,C), or packed
                                        // rows (N,C) for an encoder that reads_packed_rows()
  const std::int32_t* users = nullptr;  // (B) user ids
  std::int64_t batch = 0;               // B
  AttentionNodes* attention = nullptr;  // when given, attention encoders report their weights' nodes here
};

// What an encoder computes from the history alone, before it reads the
// queries. Inference keeps it on the tape (Tape::rewind) while it scores
// block after block of candidates, so a history is encoded once per user.
struct EncodedHistory {
  autodiff::Var user;                     // (B,H) a target-independent encoder's user vectors
  autodiff::Var keys;                     // what the queries attend over (target-dependent encoders):
                                          // (B,T,K), or packed rows (N,K) (ATRank)
  autodiff::Sequences rows;               // where each example's positions are in `keys` (tape-owned)
  AttentionNodes* attention = nullptr;    // EncoderInput::attention, for the blocks attend() runs
  // ATRank: K and V of `keys` for each vanilla-attention block, as node ids
  // k0, v0, k1, v1, ... kept on the tape (a list here would be allocated anew every step).
  std::int64_t key_value_blocks = 0;
  const std::int32_t* key_value_ids = nullptr;
  nn::KeyValues key_values(std::int64_t block) const {
    return {autodiff::Var{key_value_ids[2 * block]}, autodiff::Var{key_value_ids[2 * block + 1]}};
  }
};

template <class T>
class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const char* kind() const = 0;
  // True when the user vector does not depend on the target: its L2 is then
  // counted once per example, not once per candidate.
  virtual bool target_independent() const = 0;
  virtual std::int64_t out_width() const = 0;
  // True when the encoder takes the history as packed rows (PackedHistory):
  // its work is row-wise except for an attention that knows the layout.
  virtual bool reads_packed_rows() const { return false; }

  // queries: (B,C,Wq) target vectors of C candidates -> user vectors (B,C,out_width()).
  autodiff::Var encode(autodiff::Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, autodiff::Var queries,
                       bool training, std::mt19937_64& rng) const {
    const EncodedHistory h = prepare(t, p, in, training, rng);
    return attend(t, p, h, queries, autodiff::Var{}, training, rng);
  }

  // encode() in its two stages: prepare() is everything that does not read
  // the queries; attend() the rest, given the queries and their projection
  // made by project_queries() (an invalid Var: attend() makes it).
  virtual EncodedHistory prepare(autodiff::Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, bool training,
                                 std::mt19937_64& rng) const = 0;
  virtual autodiff::Var attend(autodiff::Tape<T>& t, nn::Params<T>& p, const EncodedHistory& h,
                               autodiff::Var queries, autodiff::Var projected, bool training,
                               std::mt19937_64& rng) const = 0;
  // The work attend() does on the queries alone (ATRank: the first vanilla
  // block's Q projection), which inference computes once per catalogue of
  // targets: queries (B,C,Wq) -> (B,C,*), or an invalid Var when there is none.
  virtual autodiff::Var project_queries(autodiff::Tape<T>&, nn::Params<T>&, autodiff::Var) const {
    return autodiff::Var{};
  }
  // ATRank: its vanilla-attention blocks in order, all of attend()'s work, for
  // inference kernels that score catalogues with their weights
  // (infer/candidate_attention); null for the other kinds.
  virtual const std::vector<nn::AttentionBlock<T>>* vanilla_blocks() const { return nullptr; }
};

// The encoder of plan.encoder.kind, built against the plan's widths
// (plan.encoder.history_width, query_width).
template <class T>
std::unique_ptr<Encoder<T>> make_encoder(BuildContext<T>& ctx);

// Factories of the table (one file each).
template <class T>
std::unique_ptr<Encoder<T>> make_atrank_encoder(BuildContext<T>& ctx);
template <class T>
std::unique_ptr<Encoder<T>> make_bpr_encoder(BuildContext<T>& ctx);
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_encoder(BuildContext<T>& ctx);
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_att_encoder(BuildContext<T>& ctx);
template <class T>
std::unique_ptr<Encoder<T>> make_cnn_encoder(BuildContext<T>& ctx);

}  // namespace atrank::model
