// The enumerated values of the spec language and their spellings, in one
// table per enum. Validation accepts exactly these spellings (and lists them
// in its messages, in this order); every reader outside spec/ works with the
// enums, so no other layer decides what a spelling means.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace atrank::spec {

enum class DataSource { Amazon, Csv, Movielens };   // data.source
enum class TimeFormat { Unix, Iso };                // data.time_format
enum class SplitScheme { Last, Valid };             // data.split
enum class SyntheticKind { Single, Multi, Taobao };  // data.synthetic (and `atrank data synth --kind`)
enum class InitKind { GlorotUniform, Zeros, Normal, TruncatedNormal };  // tables.*.init, encoder.cnn_init
enum class EdgesKind { Log2, Explicit };            // groups.*.time.edges
enum class TimeEncoding { OneHot, Embedding, None };   // groups.*.time.encoding
enum class TimeCombine { Concat, Add };             // groups.*.time.combine
enum class Activation { None, Relu, Tanh };         // groups.*.projection.activation, encoder.qkv_activation
enum class EncoderKind { Atrank, Bpr, Bilstm, BilstmAtt, Cnn };  // encoder.kind
enum class Loss { SigmoidCrossEntropy, Bpr };       // tasks.*.loss
enum class OptimizerKind { Sgd, Adam, Adagrad };    // train.optimizer
enum class Multitask { Interleave, Mixed };         // train.multitask
enum class Selection { Valid, Test };               // eval.select
enum class Ranking { Sampled, All };                // eval.ranking

// data.delimiter: a single character, or "\\t" / "tab" for a tab; nullopt otherwise.
std::optional<char> delimiter_char(const std::string& spelling);

template <class E>
struct Choice {
  E value;
  const char* name;
};

// Every value of E with its spelling (specialized in choices.cpp for each enum above).
template <class E>
const std::vector<Choice<E>>& choices();

// The values encoder.qkv_activation accepts (a subset of Activation): relu, none.
const std::vector<Choice<Activation>>& qkv_activations();

template <class E>
std::optional<E> parse_choice(const std::string& text, const std::vector<Choice<E>>& among = choices<E>()) {
  for (const auto& c : among)
    if (text == c.name) return c.value;
  return std::nullopt;
}

template <class E>
const char* name_of(E value) {
  for (const auto& c : choices<E>())
    if (c.value == value) return c.name;
  return "?";
}

template <class E>
std::vector<std::string> choice_names(const std::vector<Choice<E>>& among = choices<E>()) {
  std::vector<std::string> out;
  for (const auto& c : among) out.push_back(c.name);
  return out;
}

template <> const std::vector<Choice<DataSource>>& choices<DataSource>();
template <> const std::vector<Choice<TimeFormat>>& choices<TimeFormat>();
template <> const std::vector<Choice<SplitScheme>>& choices<SplitScheme>();
template <> const std::vector<Choice<SyntheticKind>>& choices<SyntheticKind>();
template <> const std::vector<Choice<InitKind>>& choices<InitKind>();
template <> const std::vector<Choice<EdgesKind>>& choices<EdgesKind>();
template <> const std::vector<Choice<TimeEncoding>>& choices<TimeEncoding>();
template <> const std::vector<Choice<TimeCombine>>& choices<TimeCombine>();
template <> const std::vector<Choice<Activation>>& choices<Activation>();
template <> const std::vector<Choice<EncoderKind>>& choices<EncoderKind>();
template <> const std::vector<Choice<Loss>>& choices<Loss>();
template <> const std::vector<Choice<OptimizerKind>>& choices<OptimizerKind>();
template <> const std::vector<Choice<Multitask>>& choices<Multitask>();
template <> const std::vector<Choice<Selection>>& choices<Selection>();
template <> const std::vector<Choice<Ranking>>& choices<Ranking>();

}  // namespace atrank::spec
