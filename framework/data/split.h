// Carves a validation set out of the training data, and picks items by index.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>

#include "data/dataset.h"

namespace lathe::data {

// The items at `indices`, in that order, with the same classes; `source` names the result.
Dataset take_items(const Dataset& dataset, std::span<const std::int64_t> indices,
                   std::string source);

// Splits into (train, validation): round(fraction x N) items, chosen by a shuffle seeded
// with `seed`, go to validation; both parts keep the original order of their items, so a
// seed always gives the same split. A fraction of 0 gives an empty validation set
// (0 x C x H x W); the fraction must lie in [0, 1) and leave at least one training item.
std::pair<Dataset, Dataset> split_validation(Dataset all, double validation_fraction,
                                             std::uint64_t seed);

}  // namespace lathe::data
