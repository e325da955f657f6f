// The explicit table of encoder kinds.
#include <stdexcept>

#include "atrank/model/encoder.hpp"

namespace atrank::model {

namespace {
template <class T>
using Factory = std::unique_ptr<Encoder<T>> (*)(BuildContext<T>&);

template <class T>
struct Entry {
  spec::EncoderKind kind;
  Factory<T> make;
};

template <class T>
const Entry<T> kTable[] = {
    {spec::EncoderKind::Atrank, &make_atrank_encoder<T>},
    {spec::EncoderKind::Bpr, &make_bpr_encoder<T>},
    {spec::EncoderKind::Bilstm, &make_bilstm_encoder<T>},
    {spec::EncoderKind::BilstmAtt, &make_bilstm_att_encoder<T>},
    {spec::EncoderKind::Cnn, &make_cnn_encoder<T>},
};
}  // namespace

template <class T>
std::unique_ptr<Encoder<T>> make_encoder(BuildContext<T>& ctx) {
  for (const auto& e : kTable<T>)
    if (ctx.plan.encoder.kind == e.kind) return e.make(ctx);
  throw std::logic_error(std::string("make_encoder: no factory for encoder kind ") +
                         spec::name_of(ctx.plan.encoder.kind));
}

template std::unique_ptr<Encoder<float>> make_encoder<float>(BuildContext<float>&);
template std::unique_ptr<Encoder<double>> make_encoder<double>(BuildContext<double>&);

}  // namespace atrank::model
