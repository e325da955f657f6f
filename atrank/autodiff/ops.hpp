// All tape ops in one include, for blocks and models.
#pragma once

#include "atrank/autodiff/ops/attention.hpp"
#include "atrank/autodiff/ops/convolution.hpp"
#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/fused_attention.hpp"
#include "atrank/autodiff/ops/gather.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/ops/lstm_sequence.hpp"
#include "atrank/autodiff/ops/matmul.hpp"
#include "atrank/autodiff/ops/norm.hpp"
#include "atrank/autodiff/ops/reduce.hpp"
#include "atrank/autodiff/ops/select_rows.hpp"
