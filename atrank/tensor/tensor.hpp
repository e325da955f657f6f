// Tensor aliases over xtensor: the one place the rest of atrank names tensor types.
// Training runs in float; gradient checks instantiate the same code in double.
#pragma once

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

namespace atrank {

template <class T, std::size_t N>
using TensorT = xt::xtensor<T, N>;

using Vec = xt::xtensor<float, 1>;
using Mat = xt::xtensor<float, 2>;
using Tensor3 = xt::xtensor<float, 3>;
using Tensor4 = xt::xtensor<float, 4>;

using IndexVec = xt::xtensor<int32_t, 1>;
using IndexMat = xt::xtensor<int32_t, 2>;

}  // namespace atrank
