// One behavior group's embedding building block: the object's features (own
// id, attributes through attribute maps), an optional behavior-type embedding
// and the group's own time encoding, concatenated (in that order) and
// projected to the common width. Targets of the group's objects use the
// feature part only (no time, no behavior).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "atrank/autodiff/tape.hpp"
#include "atrank/data/batch.hpp"
#include "atrank/model/build_context.hpp"
#include "atrank/model/summary.hpp"
#include "atrank/nn/dense.hpp"
#include "atrank/nn/params.hpp"

namespace atrank::model {

// Per feature: object id -> attribute id (null for the object's own id, and
// when the vocabulary has no map: check-only builds).
using AttributeMap = std::shared_ptr<const std::vector<std::int32_t>>;

template <class T>
struct GroupEmbedding {
  spec::GroupPlan plan;            // role, tables (indices into the table store) and widths
  std::vector<AttributeMap> maps;  // one per plan.features
  nn::Dense<T> time_dense;         // plan.time.dense: tanh dense of the raw bucket
  nn::Dense<T> projection;         // plan.projected: (input_width, width)

  // The group's maps and parameters (its tables already made by ctx.create_tables()).
  static GroupEmbedding make(BuildContext<T>& ctx, const spec::GroupPlan& plan);

  // The group's history: (B,T) objects/behaviors/buckets -> (B,T,width);
  // padded positions are computed (id 0) and left to the masks downstream.
  // With `packed_rows`, only the valid positions, example after example:
  // (N,width), N = the sum of the lengths (an invalid Var when N = 0).
  autodiff::Var history(autodiff::Tape<T>& t, nn::Params<T>& p, const data::GroupBatch& g,
                        std::int64_t batch, bool packed_rows = false) const;

  // Object features of `ids` (numel(shape) ids of this group's space):
  // shape + (feature_width), the concat of the feature embeddings.
  autodiff::Var object_features(autodiff::Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                                const autodiff::Shape& shape) const;
  // The feature embeddings of `ids`, each appended to `parts`.
  void append_features(autodiff::Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids, const autodiff::Shape& shape,
                       std::vector<autodiff::Var>& parts) const;

  // Target vectors: object features, through the group's projection when
  // `project` (the time and behavior slots taken as zero, as the authors pad).
  autodiff::Var target(autodiff::Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                       const autodiff::Shape& shape, bool project) const;

  GroupSummary summary() const;
};

}  // namespace atrank::model
