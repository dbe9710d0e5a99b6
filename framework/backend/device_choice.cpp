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

DeviceChoice cuda_by_local_rank(std::string_view requested, int visible_gpus,
                                const std::function<const char*(const char*)>& getenv_fn) {
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

DeviceChoice choose_device(std::string_view requested, int visible_gpus,
                           const std::function<const char*(const char*)>& getenv_fn,
                           std::string_view why_no_gpu) {
  const std::string no_gpu_reason = why_no_gpu.empty() ? std::string("no GPU is visible")
                                                       : std::string(why_no_gpu);
  if (requested == "cpu") return {DeviceKind::cpu, -1, "cpu: asked for"};
  if (requested == "cuda") {
    LATHE_CHECK(visible_gpus > 0, "device: cuda was asked for, but this process sees no GPU (",
                no_gpu_reason, "); use device: cpu or auto");
    return cuda_by_local_rank(requested, visible_gpus, getenv_fn);
  }
  if (requested == "auto") {
    if (visible_gpus > 0) return cuda_by_local_rank(requested, visible_gpus, getenv_fn);
    return {DeviceKind::cpu, -1, "auto: no GPU (" + no_gpu_reason + "), using cpu"};
  }
  fail("device: expected cpu, cuda or auto, got '", requested, "'");
}

}  // namespace lathe
