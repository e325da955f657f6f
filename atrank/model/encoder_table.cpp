// The explicit table of encoder kinds.
#include <stdexcept>

#include "atrank/model/encoder.hpp"

namespace atrank::model {

namespace {
template <class T>
using Factory = std::unique_ptr<Encoder<T>> (*)(BuildContext<T>&, const EncoderShape&);

template <class T>
struct Entry {
  const char* kind;
  Factory<T> make;
  bool uses_history;
};

template <class T>
const Entry<T> kTable[] = {
    {"atrank", &make_atrank_encoder<T>, true},
    {"bpr", &make_bpr_encoder<T>, false},
    {"bilstm", &make_bilstm_encoder<T>, true},
    {"bilstm_att", &make_bilstm_att_encoder<T>, true},
    {"cnn", &make_cnn_encoder<T>, true},
};
}  // namespace

const std::vector<std::string>& encoder_kinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> k;
    for (const auto& e : kTable<float>) k.push_back(e.kind);
    return k;
  }();
  return kinds;
}

bool encoder_uses_history(const std::string& kind) {
  for (const auto& e : kTable<float>)
    if (kind == e.kind) return e.uses_history;
  return true;
}

template <class T>
std::unique_ptr<Encoder<T>> make_encoder(const std::string& kind, BuildContext<T>& ctx,
                                         const EncoderShape& shape) {
  for (const auto& e : kTable<T>)
    if (kind == e.kind) return e.make(ctx, shape);
  std::string valid;
  for (const auto& k : encoder_kinds()) valid += (valid.empty() ? "" : ", ") + k;
  throw std::invalid_argument("unknown encoder kind `" + kind + "` (valid: " + valid + ")");
}

template std::unique_ptr<Encoder<float>> make_encoder<float>(const std::string&,
                                                             BuildContext<float>&,
                                                             const EncoderShape&);
template std::unique_ptr<Encoder<double>> make_encoder<double>(const std::string&,
                                                               BuildContext<double>&,
                                                               const EncoderShape&);

}  // namespace atrank::model
