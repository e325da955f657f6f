// What every part of the interpreter needs while a model is built from a spec:
// vocabulary sizes, attribute maps, declared tables (created on first use and
// shared by name) and the list of parameter blocks for the summary.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/model/summary.hpp"
#include "atrank/nn/params.hpp"
#include "atrank/spec/spec.hpp"

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

// The table declared as `name` in the spec, or null.
const spec::TableSpec* find_table(const spec::Spec& spec, const std::string& name);
const spec::GroupSpec* find_group(const spec::Spec& spec, const std::string& name);
int group_index(const spec::Spec& spec, const std::string& name);  // -1 when absent

// Bucket edges of a group's time encoding: the resolved `edges`, else 2^1..2^count for log2.
std::vector<std::int64_t> time_edges(const spec::TimeSpec& time);

template <class T>
struct BuildContext {
  BuildContext(const spec::Spec& s, const data::Vocabulary& v, nn::Params<T>& p,
               std::vector<BlockSummary>& b)
      : spec(s), vocab(v), params(p), blocks(b) {}

  const spec::Spec& spec;
  const data::Vocabulary& vocab;
  nn::Params<T>& params;
  std::vector<BlockSummary>& blocks;

  // The declared table `name`, created on first use (rows from its vocab
  // space) and shared afterwards. `space`: the id space the user looks up
  // (must be the table's vocab; empty = no check). `width`: the width the
  // user needs (0 = any). Errors name the user and the table's declaration.
  int use_table(const std::string& name, const std::string& user, const std::string& space = "",
                std::int64_t width = 0);

  // Parameters registered between begin_block() and end_block() form one block.
  void begin_block() { block_start_ = params.dense_count(); }
  void end_block(const std::string& name, const std::string& kind, const std::string& detail) {
    blocks.push_back({name, kind, detail, params.dense_count() - block_start_});
  }

 private:
  std::int64_t block_start_ = 0;
};

}  // namespace atrank::model
