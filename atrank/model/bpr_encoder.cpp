// BPR (matrix factorisation) baseline: the user vector is a row of the user
// table; the history is not used. Score = bias + <user, target>.
#include <stdexcept>

#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/model/encoder.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

template <class T>
class BprEncoder final : public Encoder<T> {
 public:
  const char* kind() const override { return "bpr"; }
  bool target_independent() const override { return true; }
  std::int64_t out_width() const override { return width_; }

  BprEncoder(BuildContext<T>& ctx) {
    // The plan made the user table as wide as the target vectors.
    table_ = ctx.plan.encoder.user_table;
    width_ = ctx.plan.encoder.query_width;
  }

  EncodedHistory prepare(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, bool,
                         std::mt19937_64&) const override {
    if (in.users == nullptr) throw std::invalid_argument("encoder bpr: the batch has no user ids");
    EncodedHistory h;
    h.user = autodiff::gather(t, p.tables.at(table_), in.users, Shape{in.batch});  // (B,W)
    return h;
  }

  Var attend(Tape<T>& t, nn::Params<T>&, const EncodedHistory& h, Var queries, Var, bool,
             std::mt19937_64&) const override {
    return autodiff::repeat_seq(t, h.user, t.shape(queries)[1]);  // (B,C,W)
  }

 private:
  int table_ = -1;
  std::int64_t width_ = 0;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_bpr_encoder(BuildContext<T>& ctx) {
  return std::make_unique<BprEncoder<T>>(ctx);
}

template std::unique_ptr<Encoder<float>> make_bpr_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_bpr_encoder<double>(BuildContext<double>&);

}  // namespace atrank::model
