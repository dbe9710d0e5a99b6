// The mixture prior over host vectors, on a CPU backend: what the share tests measure the
// rule with (the engine itself passes tensors in the backend's memory).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "backend/backend.h"
#include "compress/share/gaussian_mixture.h"

namespace lathe::compress::share::test {

inline double mixture_nll(const GaussianMixture& mixture, std::span<const float> weights,
                          std::span<float> weight_gradient, MixtureGradient& gradient) {
  static const std::unique_ptr<Backend> backend = make_cpu_backend(1);
  return mixture_negative_log_likelihood(*backend, mixture, weights.data(),
                                         static_cast<std::int64_t>(weights.size()),
                                         weight_gradient.empty() ? nullptr : weight_gradient.data(),
                                         gradient);
}

}  // namespace lathe::compress::share::test
