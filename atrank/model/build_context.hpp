// What every part of the interpreter needs while a model is built from a
// plan: the plan, vocabulary sizes and attribute maps, the parameters being
// registered and the list of parameter blocks for the summary.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/model/summary.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/params.hpp"
#include "atrank/spec/plan.hpp"

namespace atrank::model {

// No size is known for an id space: neither `vocab.<space>` in the spec nor
// the data. `atrank check` catches it to try loading the data.
class VocabularyUnknown : public std::invalid_argument {
 public:
  VocabularyUnknown(const std::string& message, std::string space)
      : std::invalid_argument(message), space_(std::move(space)) {}
  const std::string& space() const { return space_; }

 private:
  std::string space_;
};

// Number of ids in `space`: the spec's explicit `vocab.<space>` when given
// (it may not be smaller than the data's), else the data's; throws naming the
// `--set vocab.<space>=N` override when neither knows it. `user` names who asked.
std::int64_t vocab_size(const spec::Spec& spec, const data::Vocabulary& vocab,
                        const std::string& space, const std::string& user);

// The nn counterparts of the spec's choices.
// An initializer choice; `stddev` is the normals' standard deviation.
nn::Init init_of(spec::InitKind kind, double stddev);
nn::Activation activation(spec::Activation a);

template <class T>
struct BuildContext {
  BuildContext(const spec::Plan& p, const data::Vocabulary& v, nn::Params<T>& ps,
               std::vector<BlockSummary>& b)
      : plan(p), spec(p.spec), vocab(v), params(ps), blocks(b) {}

  const spec::Plan& plan;
  const spec::Spec& spec;  // plan.spec
  const data::Vocabulary& vocab;
  nn::Params<T>& params;
  std::vector<BlockSummary>& blocks;

  // Creates the plan's tables in its order (the table store's index of a
  // table is then its index in plan.tables), rows from the vocabulary.
  void create_tables();

  // Parameters registered between begin_block() and end_block() form one block.
  void begin_block() { block_start_ = params.dense_count(); }
  void end_block(const std::string& name, const std::string& kind, const std::string& detail) {
    blocks.push_back({name, kind, detail, params.dense_count() - block_start_});
  }

 private:
  std::int64_t block_start_ = 0;
};

}  // namespace atrank::model
