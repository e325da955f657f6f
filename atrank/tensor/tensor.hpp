// xtensor views of memory atrank owns elsewhere (tape nodes, the parameter
// arena, embedding tables): `xt::adapt` without ownership, so nothing is copied.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor/xtensor.hpp>

namespace atrank {

// A shape of any rank; up to 4 dimensions live inline (no allocation).
using TensorShape = xt::dynamic_shape<std::size_t>;

template <class T>
using ViewBuffer = xt::xbuffer_adaptor<T*, xt::no_ownership, std::allocator<std::remove_const_t<T>>>;

// Row-major, contiguous, of any rank (T may be const for a read-only view).
template <class T>
using TensorView = xt::xarray_adaptor<ViewBuffer<T>, xt::layout_type::row_major, TensorShape>;

// Row-major, contiguous, 2-D: what BLAS takes.
template <class T>
using MatrixView = xt::xtensor_adaptor<ViewBuffer<T>, 2, xt::layout_type::row_major>;

template <class T>
TensorView<T> tensor_view(T* data, const TensorShape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return xt::adapt(static_cast<T*>(data), n, xt::no_ownership(), shape);
}

// A view of a whole row-major xtensor container (tests and tools build values
// as containers and pass them where atrank takes a view).
template <class Container>
TensorView<typename Container::value_type> tensor_view(Container& c) {
  return tensor_view(c.data(), TensorShape(c.shape().begin(), c.shape().end()));
}

// data: (rows, cols) row-major.
template <class T>
MatrixView<T> matrix_view(T* data, std::size_t rows, std::size_t cols) {
  return xt::adapt(static_cast<T*>(data), rows * cols, xt::no_ownership(),
                   std::array<std::size_t, 2>{rows, cols});
}

}  // namespace atrank
