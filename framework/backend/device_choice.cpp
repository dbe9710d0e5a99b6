#include "backend/device_choice.h"

#include <array>
#include <charconv>
#include <optional>

#include "core/error.h"

namespace lathe {
namespace {

// The launchers' names for the node-local rank, in the order they are trusted.
constexpr std::array<const char*, 3> kLocalRankVariables = {
    "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID", "MPI_LOCALRANKID"};
// And for the number of ranks on this node (for the message only).
constexpr std::array<const char*, 3> kLocalSizeVariables = {
    "OMPI_COMM_WORLD_LOCAL_SIZE", "SLURM_NTASKS_PER_NODE", "MPI_LOCALNRANKS"};

struct LocalRank {
  int rank = 0;
  std::string source;  // "OMPI_COMM_WORLD_LOCAL_RANK=1", or "" when not launched as a rank
};

std::optional<int> parse_count(const char* text) {
  if (text == nullptr) return std::nullopt;
  const std::string_view view(text);
  int value = -1;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (error != std::errc() || end != view.data() + view.size() || value < 0) return std::nullopt;
  return value;
}

LocalRank local_rank(const std::function<const char*(const char*)>& getenv_fn) {
  for (const char* name : kLocalRankVariables) {
    const char* text = getenv_fn(name);
    if (text == nullptr) continue;
    const std::optional<int> rank = parse_count(text);
    LATHE_CHECK(rank.has_value(), "device: ", name, "='", text,
                "' is not a node-local rank (expected a whole number >= 0)");
    return {*rank, std::string(name) + "=" + text};
  }
  return {};
}

// "; 3 ranks on this node: OMPI_COMM_WORLD_LOCAL_SIZE=3", or "" when the launcher did not
// say.
std::string local_size_note(const std::function<const char*(const char*)>& getenv_fn) {
  for (const char* name : kLocalSizeVariables) {
    if (const char* text = getenv_fn(name); parse_count(text).has_value()) {
      return std::string("; ") + text + " ranks on this node: " + name + "=" + text;
    }
  }
  return "";
}

std::string gpus_text(int count) {
  return std::to_string(count) + (count == 1 ? " GPU" : " GPUs");
}

DeviceChoice cuda_by_worker_slot(std::string_view requested, int visible_gpus, const NodeWorkerSlot& slot,
                                 const std::function<const char*(const char*)>& getenv_fn) {
  const LocalRank local = local_rank(getenv_fn);
  const std::string place = "worker " + std::to_string(slot.index) + " of the node's " +
                            std::to_string(slot.workers_on_node) +
                            (slot.coordinator_on_node ? " (the coordinator runs on this node too" : " (") +
                            (local.source.empty() ? "" : (slot.coordinator_on_node ? "; " : "") + local.source) + ")";
  if (slot.index >= visible_gpus) {
    fail("device: ", requested, ": this node has ", gpus_text(visible_gpus), " but runs ", slot.workers_on_node,
         slot.workers_on_node == 1 ? " worker" : " workers", "; this one is ", place, ": run at most ", visible_gpus,
         visible_gpus == 1 ? " worker" : " workers", " per node, or use device: cpu");
  }
  return {DeviceKind::cuda, slot.index,
          std::string(requested) + ": GPU " + std::to_string(slot.index) + " of " + std::to_string(visible_gpus) +
              " (" + place + ")"};
}

DeviceChoice cuda_by_local_rank(std::string_view requested, int visible_gpus,
                                const std::function<const char*(const char*)>& getenv_fn,
                                const std::optional<NodeWorkerSlot>& slot) {
  if (slot) return cuda_by_worker_slot(requested, visible_gpus, *slot, getenv_fn);
  const LocalRank local = local_rank(getenv_fn);
  if (local.rank >= visible_gpus) {
    fail("device: ", requested, ": this node has ", gpus_text(visible_gpus),
         " but this worker is node-local rank ", local.rank, " (", local.source,
         local_size_note(getenv_fn), "): run at most ", visible_gpus,
         visible_gpus == 1 ? " worker" : " workers", " per node, or use device: cpu");
  }
  const std::string where = local.source.empty()
                                ? std::string("not an MPI rank, so GPU 0")
                                : "node-local rank " + std::to_string(local.rank) + " from " +
                                      local.source.substr(0, local.source.find('='));
  return {DeviceKind::cuda, local.rank,
          std::string(requested) + ": GPU " + std::to_string(local.rank) + " of " +
              std::to_string(visible_gpus) + " (" + where + ")"};
}

}  // namespace

NodeWorkerSlot node_worker_slot(int local_rank, int local_size, bool coordinator_on_node) {
  const int first_worker = coordinator_on_node ? 1 : 0;
  LATHE_CHECK(local_rank >= first_worker && local_rank < local_size, "device: node-local rank ", local_rank,
              " is not a worker of a node of ", local_size, " ranks",
              coordinator_on_node ? " whose local rank 0 is the coordinator" : "");
  return {local_rank - first_worker, local_size - first_worker, coordinator_on_node};
}

DeviceChoice choose_device(std::string_view requested, int visible_gpus,
                           const std::function<const char*(const char*)>& getenv_fn,
                           std::string_view why_no_gpu, const std::optional<NodeWorkerSlot>& slot) {
  const std::string no_gpu_reason = why_no_gpu.empty() ? std::string("no GPU is visible")
                                                       : std::string(why_no_gpu);
  if (requested == "cpu") return {DeviceKind::cpu, -1, "cpu: asked for"};
  if (requested == "cuda") {
    LATHE_CHECK(visible_gpus > 0, "device: cuda was asked for, but this process sees no GPU (",
                no_gpu_reason, "); use device: cpu or auto");
    return cuda_by_local_rank(requested, visible_gpus, getenv_fn, slot);
  }
  if (requested == "auto") {
    if (visible_gpus > 0) return cuda_by_local_rank(requested, visible_gpus, getenv_fn, slot);
    return {DeviceKind::cpu, -1, "auto: no GPU (" + no_gpu_reason + "), using cpu"};
  }
  fail("device: expected cpu, cuda or auto, got '", requested, "'");
}

}  // namespace lathe
