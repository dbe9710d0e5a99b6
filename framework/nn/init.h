// Seeded weight initialisation. Kaiming (He) normal suits layers followed by ReLU;
// Xavier (Glorot) uniform suits the rest. Each layer draws from its own stream, seeded
// from the run seed and the layer's name, so adding a layer leaves the others unchanged.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "config/field_checks.h"
#include "tensor/tensor.h"

namespace lathe::nn {

inline const config::Choices kInitChoices = {"kaiming", "xavier"};

// Fills `weight` by `scheme` ("kaiming" or "xavier") for the given fans.
void initialize_weight(Tensor& weight, const std::string& scheme, std::int64_t fan_in,
                       std::int64_t fan_out, std::mt19937_64& rng);

// The stream seed of one layer: a mix of the run seed and the layer name.
std::uint64_t layer_seed(std::uint64_t run_seed, const std::string& layer_name);

// splitmix64: a well-mixed 64-bit hash, the building block of every derived seed.
std::uint64_t mix_seed(std::uint64_t value);

}  // namespace lathe::nn
