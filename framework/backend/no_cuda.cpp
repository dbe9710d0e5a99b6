// backend/cuda_support.h for builds without the CUDA backend (LATHE_WITH_CUDA=OFF): no
// GPUs, and a clear error for whoever asks for one.
#include <memory>
#include <string>

#include "backend/cuda_support.h"
#include "core/error.h"

namespace lathe {

namespace {
constexpr const char* kNoCudaBackend = "this build has no CUDA backend (LATHE_WITH_CUDA=OFF)";
}  // namespace

bool cuda_built() { return false; }

int cuda_device_count(std::string* why_none) {
  if (why_none != nullptr) *why_none = kNoCudaBackend;
  return 0;
}

std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions& options) {
  fail("cuda backend (device ", options.device, "): ", kNoCudaBackend,
       "; rebuild with the CUDA toolkit and cuDNN installed, or -DLATHE_WITH_CUDA=ON");
}

}  // namespace lathe
