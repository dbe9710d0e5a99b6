// Makes the backend a run computes on from the words a user writes (`device: cpu|cuda|
// auto`, `threads: N`), by the rule in backend/device_choice.h. The one place where the
// command line, the trainer's config and the search workers turn a device name into a
// Backend.
#pragma once

#include <memory>
#include <string_view>

#include "backend/backend.h"
#include "backend/device_choice.h"

namespace lathe {

// CPU threads for `requested`: itself when > 0; 0 means OMP_NUM_THREADS when set, else
// every core.
int resolve_threads(int requested);

// `device` is cpu, cuda or auto; `threads` is for the CPU backend (resolved as above);
// `deterministic` is for the CUDA backend (CudaBackendOptions::deterministic). When
// `chosen` is given it receives the choice and its reason. Throws lathe::Error when the
// device cannot be used (see choose_device; a build without CUDA has no GPUs). A search
// worker passes its `slot` among the node's workers (choose_device).
std::unique_ptr<Backend> make_backend(std::string_view device, int threads, bool deterministic,
                                      DeviceChoice* chosen = nullptr,
                                      const std::optional<NodeWorkerSlot>& slot = std::nullopt);

}  // namespace lathe
