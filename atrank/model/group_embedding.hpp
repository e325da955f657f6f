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

struct Feature {
  int table = -1;
  std::string table_name;
  std::string through;  // attribute name; empty = the object's own id
  // object id -> attribute id (null when the vocabulary has no map: check-only builds)
  std::shared_ptr<const std::vector<std::int32_t>> map;
  std::int64_t width = 0;
};

template <class T>
struct GroupEmbedding {
  std::string name;
  int index = 0;             // position in spec.groups and Batch.groups
  std::string object;        // id space of the objects
  bool attended = false;     // contributes to the encoder's history
  bool projected = false;    // has a projection (attended, or a projected target)

  std::vector<Feature> features;
  std::int64_t feature_width = 0;
  int behavior_table = -1;
  std::int64_t behavior_width = 0;

  spec::TimeEncoding time = spec::TimeEncoding::None;
  spec::TimeCombine combine = spec::TimeCombine::Concat;
  std::vector<std::int64_t> edges;
  std::int64_t time_width = 0;   // columns the time encoding adds to the concat
  int time_table = -1;           // TimeEncoding::Embedding (attended groups only)
  std::string time_table_name;
  nn::Dense<T> time_dense;       // TimeCombine::Add with one_hot: tanh dense of the raw bucket

  std::int64_t input_width = 0;  // concat width entering the projection
  nn::Dense<T> projection;       // (input_width, width)
  std::int64_t width = 0;        // output width (input_width when not projected)

  // Takes the group's role, tables and widths from its plan (the tables
  // already created by ctx.create_tables()) and registers its parameters.
  static GroupEmbedding make(BuildContext<T>& ctx, const spec::GroupPlan& plan);

  // The group's history: (B,T) objects/behaviors/buckets -> (B,T,width).
  // Padded positions are computed (id 0) and left to the masks downstream.
  autodiff::Var history(autodiff::Tape<T>& t, nn::Params<T>& p, const data::GroupBatch& g,
                        std::int64_t batch) const;

  // Object features of `ids` (numel(shape) ids of this group's space):
  // shape + (feature_width), the concat of the feature embeddings.
  autodiff::Var object_features(autodiff::Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                                const autodiff::Shape& shape) const;

  // Target vectors: object features, through the group's projection when
  // `project` (the time and behavior slots taken as zero, as the authors pad).
  autodiff::Var target(autodiff::Tape<T>& t, nn::Params<T>& p, const std::int32_t* ids,
                       const autodiff::Shape& shape, bool project) const;

  GroupSummary summary(const spec::GroupPlan& plan) const;

 private:
  void add_features(BuildContext<T>& ctx, const spec::GroupPlan& plan);
  void add_time(BuildContext<T>& ctx, const spec::GroupPlan& plan);
  void add_projection(BuildContext<T>& ctx, const spec::GroupPlan& plan);
  std::shared_ptr<const std::vector<std::int32_t>> attribute_map(BuildContext<T>& ctx, const Feature& f) const;
};

}  // namespace atrank::model
