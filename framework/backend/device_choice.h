// Which device a process computes on: the rule that maps `device: cpu|cuda|auto` and the
// process's place on its node to one GPU or the CPU. Pure (the GPU count and the
// environment come in as arguments), so every rule is tested without a GPU.
//
// The rule: a process uses the GPU numbered by its node-local rank, so N workers on a
// node with N GPUs use one GPU each (CUDA_VISIBLE_DEVICES narrows what "GPU k" means,
// since `visible_gpus` is what the CUDA runtime sees). The local rank comes from the
// launcher: OMPI_COMM_WORLD_LOCAL_RANK (Open MPI), else SLURM_LOCALID (srun), else
// MPI_LOCALRANKID (MPICH / Intel MPI), else 0 for a process that is not an MPI rank.
// The check counts ranks, not workers: a rank that does not compute on a GPU (the
// search coordinator) still holds a local rank number.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace lathe {

enum class DeviceKind { cpu, cuda };

struct DeviceChoice {
  DeviceKind kind = DeviceKind::cpu;
  int gpu = -1;        // CUDA device index when kind is cuda
  std::string reason;  // one line: why this device, for logs
};

// `requested` is cpu, cuda or auto. `getenv_fn` reads the environment (std::getenv in
// production); `why_no_gpu` is the runtime's reason when `visible_gpus` is 0. Throws
// lathe::Error for unknown text, for cuda without a GPU, and for a node-local rank with
// no GPU of its own (cuda or auto).
DeviceChoice choose_device(std::string_view requested, int visible_gpus,
                           const std::function<const char*(const char*)>& getenv_fn,
                           std::string_view why_no_gpu);

}  // namespace lathe
