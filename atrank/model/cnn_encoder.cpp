// CNN + max-pooling baseline: parameter schema only (the baselines issue
// implements the forward pass). Per window width k a convolution kernel
// (k, C, F) and bias (F) initialised as the authors (truncated normal 0.1,
// bias 0.1; here a plain normal), then dense(F * widths -> hidden).
#include <stdexcept>

#include "atrank/model/encoder.hpp"
#include "atrank/nn/dense.hpp"

namespace atrank::model {

using autodiff::Shape;
using autodiff::Tape;
using autodiff::Var;

namespace {

template <class T>
class CnnEncoder final : public Encoder<T> {
 public:
  CnnEncoder(BuildContext<T>& ctx, const EncoderShape& shape) {
    const auto& e = ctx.spec.encoder;
    hidden_ = e.hidden;
    if (e.cnn_widths.empty() || e.cnn_filters <= 0)
      throw std::invalid_argument("encoder cnn: needs window widths and a positive filter count");
    if (shape.query_width != hidden_)
      throw std::invalid_argument("encoder cnn: target vectors are " +
                                  std::to_string(shape.query_width) +
                                  " wide but user vectors are " + std::to_string(hidden_));
    for (auto k : e.cnn_widths) {
      const std::string name = "encoder/conv_" + std::to_string(k);
      ctx.begin_block();
      convs_.push_back({ctx.params.add(name + "/kernel", Shape{k, shape.history_width, e.cnn_filters},
                                       nn::Init::normal(0.1)),
                        ctx.params.add(name + "/bias", Shape{e.cnn_filters}, nn::Init::constant(0.1))});
      ctx.end_block(name, "conv1d",
                    "width " + std::to_string(k) + ", " + std::to_string(shape.history_width) +
                        " -> " + std::to_string(e.cnn_filters) + " filters, ReLU, max-pool");
    }
    const std::int64_t pooled = e.cnn_filters * std::int64_t(e.cnn_widths.size());
    ctx.begin_block();
    out_ = nn::Dense<T>::make(ctx.params, "encoder/output", pooled, hidden_);
    ctx.end_block("encoder/output", "dense",
                  std::to_string(pooled) + " -> " + std::to_string(hidden_));
  }

  const char* kind() const override { return "cnn"; }
  bool target_independent() const override { return true; }
  std::int64_t out_width() const override { return hidden_; }

  Var encode(Tape<T>&, nn::Params<T>&, const EncoderInput&, Var, bool,
             std::mt19937_64&) const override {
    throw std::runtime_error(
        "encoder `cnn`: forward is not implemented yet (the baselines issue adds it); "
        "`atrank check` can already count its parameters");
  }

 private:
  std::int64_t hidden_ = 0;
  std::vector<std::pair<int, int>> convs_;  // (kernel, bias) per window width
  nn::Dense<T> out_;
};

}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_cnn_encoder(BuildContext<T>& ctx, const EncoderShape& shape) {
  return std::make_unique<CnnEncoder<T>>(ctx, shape);
}

template std::unique_ptr<Encoder<float>> make_cnn_encoder<float>(BuildContext<float>&,
                                                                 const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_cnn_encoder<double>(BuildContext<double>&,
                                                                   const EncoderShape&);

}  // namespace atrank::model
