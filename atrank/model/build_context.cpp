// Vocabulary sizes, the plan's tables, and the spec's choices as nn values.
#include "atrank/model/build_context.hpp"

#include <stdexcept>

namespace atrank::model {

std::int64_t vocab_size(const spec::Spec& spec, const data::Vocabulary& vocab,
                        const std::string& space, const std::string& user) {
  const std::int64_t from_data = vocab.size(space);
  auto it = spec.vocab.find(space);
  if (it != spec.vocab.end()) {
    if (from_data > it->second)
      throw std::invalid_argument("vocab." + space + " = " + std::to_string(it->second) +
                                  " is smaller than the " + std::to_string(from_data) +
                                  " ids the data has in `" + space + "`");
    return it->second;
  }
  if (from_data > 0) return from_data;
  throw VocabularyUnknown("vocabulary size for `" + space + "` unknown (needed by " + user +
                              "): pass --set vocab." + space + "=N or make the data available",
                          space);
}

nn::Init init_of(spec::InitKind kind, double stddev) {
  switch (kind) {
    case spec::InitKind::GlorotUniform: return nn::Init::glorot();
    case spec::InitKind::Zeros: return nn::Init::zeros();
    case spec::InitKind::Normal: return nn::Init::normal(stddev);
    case spec::InitKind::TruncatedNormal: return nn::Init::truncated_normal(stddev);
  }
  throw std::logic_error("init_of: unhandled initializer");
}

nn::Activation activation(spec::Activation a) {
  switch (a) {
    case spec::Activation::None: return nn::Activation::None;
    case spec::Activation::Relu: return nn::Activation::Relu;
    case spec::Activation::Tanh: return nn::Activation::Tanh;
  }
  throw std::logic_error("activation: unhandled activation");
}

template <class T>
void BuildContext<T>::create_tables() {
  for (const spec::TablePlan& t : plan.tables) {
    const std::int64_t rows = t.rows > 0 ? t.rows : vocab_size(spec, vocab, t.vocab, "table `" + t.name + "`");
    params.tables.add(t.name, t.vocab, rows, t.width, init_of(t.init, t.init_scale), t.users);
  }
}

template struct BuildContext<float>;
template struct BuildContext<double>;

}  // namespace atrank::model
