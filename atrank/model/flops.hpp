// The floating-point work of a model, counted from its plan and the shapes
// of an example: 2 per multiply-add of every product (group projections,
// target projections, attention Q/K/V and feed-forward layers, attention
// scores and weighted sums, LSTM gates, convolutions, output layers,
// logits). Elementwise work (softmax, layer norm, activations, embedding
// lookups) is left out: a few operations per value against tens to hundreds
// per value in the products. A training step is 3x the forward work: the
// backward of every product computes one product of the same size for its
// input and one for its weights.
#pragma once

#include <cstdint>
#include <vector>

#include "atrank/data/batch.hpp"
#include "atrank/spec/plan.hpp"

namespace atrank::model {

// What the work of one example depends on.
struct ExampleShape {
  std::vector<std::int64_t> positions;  // history positions of each group of the plan
  std::int64_t history = 0;             // the encoder's history: all attended groups packed
  std::int64_t candidates = 1;          // target vectors scored
  int task = 0;
};

// Forward work of one example of this shape.
double forward_flops(const spec::Plan& plan, const ExampleShape& shape);

// Forward work of a batch: `useful` counts each example at its own history
// lengths; `executed` at the padded lengths of the slice it is computed in
// when the batch is cut into `slices` (as BatchRunner cuts it), which is
// what the products are asked to do. (The fused attention kernel skips the
// padded keys of each row: `executed` is an upper bound there.) An encoder
// that reads packed rows (Encoder::reads_packed_rows) computes no padded
// position: its `executed` is `useful`.
struct BatchFlops {
  double useful = 0, executed = 0;
};
BatchFlops batch_forward_flops(const spec::Plan& plan, const data::Batch& batch, int slices, bool packed_rows);

}  // namespace atrank::model
