#include "backend/backend_factory.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "backend/cuda_support.h"

namespace lathe {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  if (const char* env = std::getenv("OMP_NUM_THREADS"); env != nullptr && std::atoi(env) > 0) {
    return std::atoi(env);
  }
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

std::unique_ptr<Backend> make_backend(std::string_view device, int threads, bool deterministic,
                                      DeviceChoice* chosen, const std::optional<NodeWorkerSlot>& slot) {
  std::string why_no_gpu;
  // Asking the runtime for "cpu" would start a CUDA context for nothing.
  const int visible_gpus = device == "cpu" ? 0 : cuda_device_count(&why_no_gpu);
  DeviceChoice choice = choose_device(
      device, visible_gpus, [](const char* name) -> const char* { return std::getenv(name); },
      why_no_gpu, slot);
  std::unique_ptr<Backend> backend =
      choice.kind == DeviceKind::cuda
          ? make_cuda_backend(CudaBackendOptions{choice.gpu, deterministic})
          : make_cpu_backend(resolve_threads(threads));
  if (chosen != nullptr) *chosen = std::move(choice);
  return backend;
}

}  // namespace lathe
