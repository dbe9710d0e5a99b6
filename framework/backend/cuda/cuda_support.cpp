// backend/cuda_support.h for builds with the CUDA backend. cuda_device_count must answer
// on machines without a driver or a GPU (CI calls it): it reports, never throws.
#include "backend/cuda_support.h"

#include <cuda_runtime.h>

#include <memory>
#include <string>

#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe {

bool cuda_built() { return true; }

int cuda_device_count(std::string* why_none) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    // cudaErrorNoDevice, cudaErrorInsufficientDriver (no driver, or one older than the
    // runtime), ...: not sticky, but cleared so no later check reports it.
    cudaGetLastError();
    if (why_none != nullptr) {
      *why_none = std::string("cudaGetDeviceCount: ") + cudaGetErrorName(status) + ": " +
                  cudaGetErrorString(status);
    }
    return 0;
  }
  if (count == 0 && why_none != nullptr) *why_none = "cudaGetDeviceCount found no CUDA device";
  return count;
}

std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions& options) {
  std::string why_none;
  const int count = cuda_device_count(&why_none);
  LATHE_CHECK(count > 0, "cuda backend: no usable GPU: ", why_none);
  LATHE_CHECK(options.device >= 0 && options.device < count, "cuda backend: device ",
              options.device, " does not exist: this process sees ", count, " CUDA device",
              count == 1 ? "" : "s", " (0 to ", count - 1, ")");
  return std::make_unique<cuda::CudaBackend>(options);
}

}  // namespace lathe
