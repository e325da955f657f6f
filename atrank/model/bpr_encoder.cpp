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
  bool uses_history() const override { return false; }
  bool target_independent() const override { return true; }
  std::int64_t out_width() const override { return width_; }

  BprEncoder(BuildContext<T>& ctx, const EncoderShape& shape) {
    const auto& e = ctx.spec.encoder;
    if (e.user_table.empty())
      throw std::invalid_argument("encoder bpr needs `encoder.user_table` (a table of `user` ids)");
    table_ = ctx.use_table(e.user_table, "encoder bpr (user vectors)", "user", shape.query_width);
    width_ = shape.query_width;
  }

  Var encode(Tape<T>& t, nn::Params<T>& p, const EncoderInput& in, Var queries, bool,
             std::mt19937_64&) const override {
    if (in.users == nullptr) throw std::invalid_argument("encoder bpr: the batch has no user ids");
    const Var u = autodiff::gather(t, p.tables.at(table_), in.users, Shape{in.batch});  // (B,W)
    return autodiff::repeat_seq(t, u, t.shape(queries)[1]);                            // (B,C,W)
  }

 private:
  int table_ = -1;
  std::int64_t width_ = 0;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_bpr_encoder(BuildContext<T>& ctx, const EncoderShape& shape) {
  return std::make_unique<BprEncoder<T>>(ctx, shape);
}

template std::unique_ptr<Encoder<float>> make_bpr_encoder<float>(BuildContext<float>&,
                                                                 const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_bpr_encoder<double>(BuildContext<double>&,
                                                                   const EncoderShape&);

}  // namespace atrank::model
