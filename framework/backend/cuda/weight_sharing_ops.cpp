// The mixture prior of weight sharing (docs/methods.md M2), by the reducing kernel of
// kernels.h, which adds its per-block sums on the host in block order.
#include <type_traits>

#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe::cuda {

static_assert(std::is_trivially_copyable_v<MixtureComponent>,
              "MixtureComponent is copied to the device byte for byte");

MixturePriorSums CudaBackend::mixture_prior(std::int64_t n, const float* weights,
                                            std::span<const MixtureComponent> components,
                                            float* weight_grad) {
  LATHE_CHECK(n >= 0, "cuda mixture_prior: negative length ", n);
  LATHE_CHECK(!components.empty(), "cuda mixture_prior: the prior has no components");
  use_device();
  const auto* device_components = static_cast<const MixtureComponent*>(
      upload(components_, components.data(), components.size_bytes(), "mixture_prior"));
  const ReductionScratch scratch = reduction_scratch(kMinReductionScratchBytes);
  return cuda::mixture_prior(stream_.get(), scratch, n, weights, device_components,
                             static_cast<int>(components.size()), weight_grad);
}

}  // namespace lathe::cuda
