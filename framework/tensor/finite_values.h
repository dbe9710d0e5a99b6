// Loaders call this on every float array they read from a file: a NaN or an infinity in
// a data set or in a checkpoint's weights would otherwise be trained on or evaluated
// silently (a NaN weight makes every output NaN, a NaN pixel poisons normalisation).
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace lathe {

// Throws lathe::Error unless every value of the host tensor is finite:
//   WHERE: expected finite values, found NaN at [3, 0, 2, 5] (element 1234 of shape [...])
void require_finite_values(const Tensor& tensor, const std::string& where);

}  // namespace lathe
