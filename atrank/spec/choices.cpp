// The spelling tables; the order is the order validation messages list them in.
#include "atrank/spec/choices.hpp"

namespace atrank::spec {

#define ATRANK_CHOICES(E, ...)                                 \
  template <>                                                  \
  const std::vector<Choice<E>>& choices<E>() {                 \
    static const std::vector<Choice<E>> table = {__VA_ARGS__}; \
    return table;                                              \
  }

ATRANK_CHOICES(DataSource, {DataSource::Amazon, "amazon"}, {DataSource::Csv, "csv"},
               {DataSource::Movielens, "movielens"})
ATRANK_CHOICES(TimeFormat, {TimeFormat::Unix, "unix"}, {TimeFormat::Iso, "iso"})
ATRANK_CHOICES(SplitScheme, {SplitScheme::Last, "last"}, {SplitScheme::Valid, "valid"})
ATRANK_CHOICES(SyntheticKind, {SyntheticKind::Single, "single"}, {SyntheticKind::Multi, "multi"},
               {SyntheticKind::Taobao, "taobao"})
ATRANK_CHOICES(InitKind, {InitKind::GlorotUniform, "glorot_uniform"}, {InitKind::Zeros, "zeros"},
               {InitKind::Normal, "normal"}, {InitKind::TruncatedNormal, "truncated_normal"})
ATRANK_CHOICES(EdgesKind, {EdgesKind::Log2, "log2"}, {EdgesKind::Explicit, "explicit"})
ATRANK_CHOICES(TimeEncoding, {TimeEncoding::OneHot, "one_hot"}, {TimeEncoding::Embedding, "embedding"},
               {TimeEncoding::None, "none"})
ATRANK_CHOICES(TimeCombine, {TimeCombine::Concat, "concat"}, {TimeCombine::Add, "add"})
ATRANK_CHOICES(Activation, {Activation::None, "none"}, {Activation::Relu, "relu"}, {Activation::Tanh, "tanh"})
ATRANK_CHOICES(EncoderKind, {EncoderKind::Atrank, "atrank"}, {EncoderKind::Bpr, "bpr"},
               {EncoderKind::Bilstm, "bilstm"}, {EncoderKind::BilstmAtt, "bilstm_att"}, {EncoderKind::Cnn, "cnn"})
ATRANK_CHOICES(Loss, {Loss::SigmoidCrossEntropy, "sigmoid_ce"}, {Loss::Bpr, "bpr"})
ATRANK_CHOICES(OptimizerKind, {OptimizerKind::Sgd, "sgd"}, {OptimizerKind::Adam, "adam"},
               {OptimizerKind::Adagrad, "adagrad"})
ATRANK_CHOICES(Multitask, {Multitask::Interleave, "interleave"}, {Multitask::Mixed, "mixed"})
ATRANK_CHOICES(Selection, {Selection::Valid, "valid"}, {Selection::Test, "test"})
ATRANK_CHOICES(Ranking, {Ranking::Sampled, "sampled"}, {Ranking::All, "all"})

#undef ATRANK_CHOICES

std::optional<char> delimiter_char(const std::string& spelling) {
  if (spelling == "\\t" || spelling == "tab") return '\t';
  if (spelling.size() != 1) return std::nullopt;
  return spelling[0];
}

const std::vector<Choice<Activation>>& qkv_activations() {
  static const std::vector<Choice<Activation>> table = {{Activation::Relu, "relu"}, {Activation::None, "none"}};
  return table;
}

}  // namespace atrank::spec
