// TF default initializers (glorot_uniform_initializer and friends).
#include "atrank/nn/init.hpp"

#include <algorithm>
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
    case InitKind::TruncatedNormal: s << "truncated_normal(" << value << ")"; return s.str();
    case InitKind::Constant: s << "constant(" << value << ")"; return s.str();
  }
  return "?";
}

template <class T>
void initialize(TensorView<T> w, const Init& init, std::mt19937_64& rng) {
  // Draws in row-major order, one per element, so the values do not depend on T.
  auto draw = [&](auto&& distribution) {
    for (T& x : w) x = T(distribution(rng));
  };
  switch (init.kind) {
    case InitKind::Zeros: w.fill(T(0)); return;
    case InitKind::Ones: w.fill(T(1)); return;
    case InitKind::Constant: w.fill(T(init.value)); return;
    case InitKind::Normal: draw(std::normal_distribution<double>(0.0, init.value)); return;
    case InitKind::TruncatedNormal: {
      std::normal_distribution<double> normal(0.0, init.value);
      const double bound = 2 * init.value;
      draw([&](std::mt19937_64& g) {
        double x = normal(g);
        while (std::abs(x) > bound) x = normal(g);
        return x;
      });
      return;
    }
    case InitKind::GlorotUniform: {
      const auto& shape = w.shape();
      double fan_in = 1, fan_out = 1;
      if (shape.size() == 1) {
        fan_in = fan_out = double(shape[0]);
      } else if (shape.size() >= 2) {
        double receptive = 1;
        for (std::size_t i = 0; i + 2 < shape.size(); ++i) receptive *= double(shape[i]);
        fan_in = double(shape[shape.size() - 2]) * receptive;
        fan_out = double(shape[shape.size() - 1]) * receptive;
      }
      const double limit = std::sqrt(6.0 / std::max(1.0, fan_in + fan_out));
      draw(std::uniform_real_distribution<double>(-limit, limit));
      return;
    }
  }
}

template void initialize<float>(TensorView<float>, const Init&, std::mt19937_64&);
template void initialize<double>(TensorView<double>, const Init&, std::mt19937_64&);

}  // namespace atrank::nn
