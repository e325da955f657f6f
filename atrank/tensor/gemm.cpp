// The 2-D product through xtensor-blas, with the shape check that xt::blas::gemm
// leaves to assertions.
#include "atrank/tensor/gemm.hpp"

#include <stdexcept>
#include <string>

#include <xtensor-blas/xblas.hpp>

namespace atrank {
namespace {

template <class M>
std::string shape_str(const M& x, Trans t) {
  return "(" + std::to_string(x.shape(0)) + "," + std::to_string(x.shape(1)) + ")" +
         (t == Trans::Yes ? "^T" : "");
}

}  // namespace

template <class T>
void gemm(Trans ta, Trans tb, T alpha, MatrixView<const T> a, MatrixView<const T> b, T beta,
          MatrixView<T> c) {
  const bool at = ta == Trans::Yes, bt = tb == Trans::Yes;
  const std::size_t m = a.shape(at ? 1 : 0), ka = a.shape(at ? 0 : 1);
  const std::size_t kb = b.shape(bt ? 1 : 0), n = b.shape(bt ? 0 : 1);
  if (ka != kb || c.shape(0) != m || c.shape(1) != n)
    throw std::invalid_argument("gemm: shapes do not fit: A" + shape_str(a, ta) + " x B" +
                                shape_str(b, tb) + " -> C" + shape_str(c, Trans::No));
  if (m == 0 || n == 0) return;
  xt::blas::gemm(a, b, c, at, bt, alpha, beta);
}

template void gemm<float>(Trans, Trans, float, MatrixView<const float>, MatrixView<const float>,
                          float, MatrixView<float>);
template void gemm<double>(Trans, Trans, double, MatrixView<const double>,
                           MatrixView<const double>, double, MatrixView<double>);

}  // namespace atrank
