#include "nn/init.h"

#include <cmath>

#include "core/error.h"

namespace lathe::nn {

std::uint64_t mix_seed(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27U)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31U);
}

std::uint64_t layer_seed(std::uint64_t run_seed, const std::string& layer_name) {
  std::uint64_t h = mix_seed(run_seed);
  for (char c : layer_name) h = mix_seed(h ^ static_cast<unsigned char>(c));
  return h;
}

void initialize_weight(Tensor& weight, const std::string& scheme, std::int64_t fan_in,
                       std::int64_t fan_out, std::mt19937_64& rng) {
  if (scheme == "kaiming") {
    std::normal_distribution<float> normal(0.0F, std::sqrt(2.0F / static_cast<float>(fan_in)));
    for (float& w : weight.values()) w = normal(rng);
  } else if (scheme == "xavier") {
    const float bound = std::sqrt(6.0F / static_cast<float>(fan_in + fan_out));
    std::uniform_real_distribution<float> uniform(-bound, bound);
    for (float& w : weight.values()) w = uniform(rng);
  } else {
    fail("unknown initialisation '", scheme, "': expected ", kInitChoices.describe());
  }
}

}  // namespace lathe::nn
