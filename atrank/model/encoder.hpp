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
#include "atrank/nn/params.hpp"

namespace atrank::model {

// The tape nodes holding an attention encoder's weights, one per block in
// order; nn::attention_weights reads them: self blocks (B,H,T,T) over the
// packed history, vanilla blocks (B,H,C,T) from the C target positions.
struct AttentionNodes {
  std::vector<autodiff::Var> self, vanilla;
};

struct EncoderInput {
  PackedHistory history;                // (B,T,C) when the encoder uses a history
  const std::int32_t* users = nullptr;  // (B) user ids
  std::int64_t batch = 0;               // B
  AttentionNodes* attention = nullptr;  // when given, attention encoders report their weights' nodes here
};

template <class T>
class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const char* kind() const = 0;
  // True when the user vector does not depend on the target: its L2 is then
  // counted once per example, not once per candidate.
  virtual bool target_independent() const = 0;
  // queries: (B,C,Wq) target vectors of C candidates -> user vectors (B,C,out_width()).
  virtual autodiff::Var encode(autodiff::Tape<T>& t, nn::Params<T>& p, const EncoderInput& in,
                               autodiff::Var queries, bool training,
                               std::mt19937_64& rng) const = 0;
  virtual std::int64_t out_width() const = 0;
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
