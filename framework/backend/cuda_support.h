// The CUDA backend as the rest of the engine sees it: plain C++, compiled in every build.
// With LATHE_WITH_CUDA the definitions are in backend/cuda/; without it,
// backend/no_cuda.cpp answers "no GPUs" and refuses to make the backend.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.h"

namespace lathe {

struct CudaBackendOptions {
  int device = 0;  // CUDA device index, as cudaSetDevice takes it
  // Only algorithms whose results do not depend on timing or scheduling (cuDNN's
  // deterministic convolution algorithms, no atomics in reductions): two runs with one
  // seed give the same bits. Off: the fastest algorithms cuDNN finds.
  bool deterministic = true;
};

// True when this build has the CUDA backend.
bool cuda_built();
// CUDA devices this process can see; 0 without the backend, a driver or a GPU.
// `why_none` (when given) receives the runtime's reason when there are none.
int cuda_device_count(std::string* why_none = nullptr);
// Throws lathe::Error when the build has no CUDA or the device cannot be used.
std::unique_ptr<Backend> make_cuda_backend(const CudaBackendOptions& options);

}  // namespace lathe
