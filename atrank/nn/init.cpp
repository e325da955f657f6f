// TF default initializers (glorot_uniform_initializer and friends).
#include "atrank/nn/init.hpp"

#include <cmath>
#include <sstream>

namespace atrank::nn {

std::string Init::str() const {
  std::ostringstream s;
  switch (kind) {
    case InitKind::GlorotUniform: return "glorot_uniform";
    case InitKind::Zeros: return "zeros";
    case InitKind::Ones: return "ones";
    case InitKind::Normal: s << "normal(" << value << ")"; return s.str();
    case InitKind::Constant: s << "constant(" << value << ")"; return s.str();
  }
  return "?";
}

template <class T>
void initialize(T* values, const autodiff::Shape& shape, const Init& init, std::mt19937_64& rng) {
  const std::int64_t n = shape.numel();
  switch (init.kind) {
    case InitKind::Zeros:
    case InitKind::Ones:
    case InitKind::Constant: {
      const T v = init.kind == InitKind::Zeros ? T(0) : init.kind == InitKind::Ones ? T(1) : T(init.value);
      std::fill(values, values + n, v);
      return;
    }
    case InitKind::Normal: {
      std::normal_distribution<double> d(0.0, init.value);
      for (std::int64_t i = 0; i < n; ++i) values[i] = T(d(rng));
      return;
    }
    case InitKind::GlorotUniform: {
      double fan_in = 1, fan_out = 1;
      if (shape.rank == 1) {
        fan_in = fan_out = double(shape[0]);
      } else if (shape.rank >= 2) {
        double receptive = 1;
        for (int i = 0; i < shape.rank - 2; ++i) receptive *= double(shape[i]);
        fan_in = double(shape[-2]) * receptive;
        fan_out = double(shape[-1]) * receptive;
      }
      const double limit = std::sqrt(6.0 / std::max(1.0, fan_in + fan_out));
      std::uniform_real_distribution<double> d(-limit, limit);
      for (std::int64_t i = 0; i < n; ++i) values[i] = T(d(rng));
      return;
    }
  }
}

template void initialize<float>(float*, const autodiff::Shape&, const Init&, std::mt19937_64&);
template void initialize<double>(double*, const autodiff::Shape&, const Init&, std::mt19937_64&);

}  // namespace atrank::nn
