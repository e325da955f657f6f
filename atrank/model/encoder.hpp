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

struct EncoderInput {
  PackedHistory history;                // (B,T,C) when the encoder uses a history
  const std::int32_t* users = nullptr;  // (B) user ids
  std::int64_t batch = 0;               // B
};

template <class T>
class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual const char* kind() const = 0;
  // False for encoders that ignore the behavior history (BPR).
  virtual bool uses_history() const { return true; }
  // True when the user vector does not depend on the target: its L2 is then
  // counted once per example, not once per candidate.
  virtual bool target_independent() const = 0;
  // queries: (B,C,Wq) target vectors of C candidates -> user vectors (B,C,out_width()).
  virtual autodiff::Var encode(autodiff::Tape<T>& t, nn::Params<T>& p, const EncoderInput& in,
                               autodiff::Var queries, bool training,
                               std::mt19937_64& rng) const = 0;
  virtual std::int64_t out_width() const = 0;
};

// What an encoder is built against.
struct EncoderShape {
  std::int64_t history_width = 0;  // C of the packed history (every attended group's width)
  std::int64_t query_width = 0;    // width of the target vectors
};

// The encoder kinds: "atrank", "bpr", "bilstm", "bilstm_att", "cnn". An
// unknown kind is an error listing the valid ones.
template <class T>
std::unique_ptr<Encoder<T>> make_encoder(const std::string& kind, BuildContext<T>& ctx,
                                         const EncoderShape& shape);

// The valid kinds, in the order of make_encoder's table.
const std::vector<std::string>& encoder_kinds();
// Whether encoders of `kind` read the behavior history (all but "bpr"); known
// before the encoder is built, so the groups know whether they are attended.
bool encoder_uses_history(const std::string& kind);

// Factories of the table (one file each).
template <class T>
std::unique_ptr<Encoder<T>> make_atrank_encoder(BuildContext<T>& ctx, const EncoderShape& shape);
template <class T>
std::unique_ptr<Encoder<T>> make_bpr_encoder(BuildContext<T>& ctx, const EncoderShape& shape);
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_encoder(BuildContext<T>& ctx, const EncoderShape& shape);
template <class T>
std::unique_ptr<Encoder<T>> make_bilstm_att_encoder(BuildContext<T>& ctx,
                                                    const EncoderShape& shape);
template <class T>
std::unique_ptr<Encoder<T>> make_cnn_encoder(BuildContext<T>& ctx, const EncoderShape& shape);

}  // namespace atrank::model
