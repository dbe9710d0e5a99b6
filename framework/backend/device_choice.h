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
//
// A search worker says where it stands among its node's workers instead (a
// NodeWorkerSlot, from the MPI session): then it uses the GPU numbered by that slot, so
// that on the coordinator's node, too, N workers use N GPUs and none stays idle.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace lathe {

enum class DeviceKind { cpu, cuda };

struct DeviceChoice {
  DeviceKind kind = DeviceKind::cpu;
  int gpu = -1;        // CUDA device index when kind is cuda
  std::string reason;  // one line: why this device, for logs
};

// A worker's place among the workers on its node.
struct NodeWorkerSlot {
  int index = 0;            // 0-based: the GPU it takes
  int workers_on_node = 1;
  bool coordinator_on_node = false;  // rank 0, which takes no GPU, shares the node
};

// The slot of the rank with node-local rank `local_rank` among `local_size` ranks on its
// node: the coordinator, when it runs there, is local rank 0 (the node's ranks are
// numbered in world-rank order), so the workers there count from local rank 1.
NodeWorkerSlot node_worker_slot(int local_rank, int local_size, bool coordinator_on_node);

// `requested` is cpu, cuda or auto. `getenv_fn` reads the environment (std::getenv in
// production); `why_no_gpu` is the runtime's reason when `visible_gpus` is 0. Throws
// lathe::Error for unknown text, for cuda without a GPU, and for a node-local rank with
// no GPU of its own (cuda or auto).
// With `slot` the GPU is the slot's index rather than the local rank, and a node with
// fewer GPUs than workers is refused naming the workers.
DeviceChoice choose_device(std::string_view requested, int visible_gpus,
                           const std::function<const char*(const char*)>& getenv_fn,
                           std::string_view why_no_gpu, const std::optional<NodeWorkerSlot>& slot = std::nullopt);

}  // namespace lathe
