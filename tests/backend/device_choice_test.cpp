// The device rule (backend/device_choice.h) with a fake environment and fake GPU counts,
// and make_backend's refusal of cuda where there is no GPU.
#include "backend/device_choice.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "backend/backend_factory.h"
#include "backend/cuda_support.h"
#include "core/error.h"

namespace lathe {
namespace {

// An environment made of the given variables only.
class FakeEnvironment {
 public:
  FakeEnvironment(std::initializer_list<std::pair<const std::string, std::string>> variables)
      : variables_(variables) {}
  [[nodiscard]] std::function<const char*(const char*)> getenv() const {
    return [this](const char* name) -> const char* {
      const auto found = variables_.find(name);
      return found == variables_.end() ? nullptr : found->second.c_str();
    };
  }

 private:
  std::map<std::string, std::string> variables_;
};

// The message of the lathe::Error that choose_device throws, or "" when it does not.
std::string error_of(std::string_view requested, int gpus, const FakeEnvironment& env,
                     std::string_view why_no_gpu = "") {
  try {
    choose_device(requested, gpus, env.getenv(), why_no_gpu);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DeviceChoice, CpuIsCpuWhateverTheGpus) {
  const DeviceChoice choice = choose_device("cpu", 4, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}}.getenv(), "");
  EXPECT_EQ(choice.kind, DeviceKind::cpu);
  EXPECT_EQ(choice.gpu, -1);
  EXPECT_EQ(choice.reason, "cpu: asked for");
}

TEST(DeviceChoice, CudaUsesTheGpuNumberedByTheNodeLocalRank) {
  const DeviceChoice choice =
      choose_device("cuda", 4, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}.getenv(), "");
  EXPECT_EQ(choice.kind, DeviceKind::cuda);
  EXPECT_EQ(choice.gpu, 1);
  EXPECT_EQ(choice.reason, "cuda: GPU 1 of 4 (node-local rank 1 from OMPI_COMM_WORLD_LOCAL_RANK)");
}

TEST(DeviceChoice, SlurmLocalIdIsUsedOutsideOpenMpi) {
  const DeviceChoice choice = choose_device("cuda", 4, FakeEnvironment{{"SLURM_LOCALID", "2"}}.getenv(), "");
  EXPECT_EQ(choice.gpu, 2);
  EXPECT_EQ(choice.reason, "cuda: GPU 2 of 4 (node-local rank 2 from SLURM_LOCALID)");
}

TEST(DeviceChoice, OpenMpiWinsOverSlurmWhenBothAreSet) {
  // mpirun inside an allocation: srun's SLURM_LOCALID describes the mpirun process.
  const FakeEnvironment env{{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}, {"SLURM_LOCALID", "0"}};
  EXPECT_EQ(choose_device("cuda", 4, env.getenv(), "").gpu, 3);
}

TEST(DeviceChoice, MpichLocalRankIsUsedWhenNoOtherLauncherSaysSo) {
  const DeviceChoice choice = choose_device("cuda", 2, FakeEnvironment{{"MPI_LOCALRANKID", "1"}}.getenv(), "");
  EXPECT_EQ(choice.gpu, 1);
  EXPECT_EQ(choice.reason, "cuda: GPU 1 of 2 (node-local rank 1 from MPI_LOCALRANKID)");
}

TEST(DeviceChoice, AProcessThatIsNotARankUsesGpuZero) {
  const DeviceChoice choice = choose_device("cuda", 2, FakeEnvironment{}.getenv(), "");
  EXPECT_EQ(choice.kind, DeviceKind::cuda);
  EXPECT_EQ(choice.gpu, 0);
  EXPECT_EQ(choice.reason, "cuda: GPU 0 of 2 (not an MPI rank, so GPU 0)");
}

TEST(DeviceChoice, MoreWorkersThanGpusOnANodeIsAClearError) {
  EXPECT_EQ(error_of("cuda", 2, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "2"}}),
            "device: cuda: this node has 2 GPUs but this worker is node-local rank 2 "
            "(OMPI_COMM_WORLD_LOCAL_RANK=2): run at most 2 workers per node, or use device: cpu");
}

TEST(DeviceChoice, TheNodesRankCountIsNamedWhenTheLauncherGivesIt) {
  const FakeEnvironment env{{"SLURM_LOCALID", "1"}, {"SLURM_NTASKS_PER_NODE", "3"}};
  EXPECT_EQ(error_of("cuda", 1, env),
            "device: cuda: this node has 1 GPU but this worker is node-local rank 1 "
            "(SLURM_LOCALID=1; 3 ranks on this node: SLURM_NTASKS_PER_NODE=3): run at most 1 "
            "worker per node, or use device: cpu");
}

TEST(DeviceChoice, CudaWithoutAGpuIsAClearErrorWithTheReason) {
  EXPECT_EQ(error_of("cuda", 0, FakeEnvironment{}, "no CUDA driver found"),
            "device: cuda was asked for, but this process sees no GPU (no CUDA driver found); "
            "use device: cpu or auto");
}

TEST(DeviceChoice, AutoUsesTheLocalRanksGpuWhenThereAreGpus) {
  const DeviceChoice choice =
      choose_device("auto", 4, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}.getenv(), "");
  EXPECT_EQ(choice.kind, DeviceKind::cuda);
  EXPECT_EQ(choice.gpu, 1);
  EXPECT_EQ(choice.reason, "auto: GPU 1 of 4 (node-local rank 1 from OMPI_COMM_WORLD_LOCAL_RANK)");
}

TEST(DeviceChoice, AutoFallsBackToCpuWithTheReason) {
  const DeviceChoice choice =
      choose_device("auto", 0, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "5"}}.getenv(),
                    "no CUDA driver found");
  EXPECT_EQ(choice.kind, DeviceKind::cpu);
  EXPECT_EQ(choice.reason, "auto: no GPU (no CUDA driver found), using cpu");
}

TEST(DeviceChoice, AutoWithMoreRanksThanGpusIsTheSameError) {
  // A GPU node with too many ranks is a mistake worth hearing, not a silent CPU run.
  EXPECT_EQ(error_of("auto", 2, FakeEnvironment{{"OMPI_COMM_WORLD_LOCAL_RANK", "3"}}),
            "device: auto: this node has 2 GPUs but this worker is node-local rank 3 "
            "(OMPI_COMM_WORLD_LOCAL_RANK=3): run at most 2 workers per node, or use device: cpu");
}

TEST(DeviceChoice, UnknownDeviceListsTheChoices) {
  EXPECT_EQ(error_of("gpu", 1, FakeEnvironment{}), "device: expected cpu, cuda or auto, got 'gpu'");
}

TEST(DeviceChoice, ALocalRankThatIsNotANumberIsAnError) {
  EXPECT_EQ(error_of("cuda", 2, FakeEnvironment{{"SLURM_LOCALID", "x1"}}),
            "device: SLURM_LOCALID='x1' is not a node-local rank (expected a whole number >= 0)");
}

TEST(DeviceChoice, MakeBackendCpuGivesTheCpuBackend) {
  DeviceChoice chosen;
  const auto backend = make_backend("cpu", 1, true, &chosen);
  EXPECT_EQ(chosen.kind, DeviceKind::cpu);
  EXPECT_EQ(backend->threads(), 1);
}

TEST(DeviceChoice, MakeBackendCudaWithoutAGpuSaysWhy) {
  std::string why_none;
  if (cuda_device_count(&why_none) > 0) GTEST_SKIP() << "this machine has a GPU";
  try {
    make_backend("cuda", 1, true);
    FAIL() << "make_backend(\"cuda\") did not throw";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("device: cuda was asked for, but this process sees no GPU ("),
              std::string::npos) << message;
    EXPECT_NE(message.find(why_none), std::string::npos) << message;
    // A build without CUDA says so, rather than blaming the machine.
    if (!cuda_built()) {
      EXPECT_NE(message.find("CUDA"), std::string::npos) << message;
    }
  }
}

TEST(DeviceChoice, MakeBackendAutoWithoutAGpuRunsOnCpu) {
  if (cuda_device_count() > 0) GTEST_SKIP() << "this machine has a GPU";
  DeviceChoice chosen;
  const auto backend = make_backend("auto", 1, true, &chosen);
  EXPECT_EQ(chosen.kind, DeviceKind::cpu);
  EXPECT_TRUE(chosen.reason.starts_with("auto: no GPU (")) << chosen.reason;
}

// Search workers: the GPU is the worker's place among its node's workers, so the
// coordinator's node (whose local rank 0 is the coordinator) leaves no GPU idle.
TEST(DeviceChoice, WorkersOnTheCoordinatorsNodeTakeGpusFromZero) {
  for (int local_rank = 1; local_rank < 4; ++local_rank) {
    const std::string rank_text = std::to_string(local_rank);
    const FakeEnvironment env{{"SLURM_LOCALID", rank_text}};
    const DeviceChoice choice =
        choose_device("cuda", 3, env.getenv(), "", node_worker_slot(local_rank, 4, /*coordinator_on_node=*/true));
    EXPECT_EQ(choice.gpu, local_rank - 1);
    EXPECT_NE(choice.reason.find("of the node's 3"), std::string::npos) << choice.reason;
    EXPECT_NE(choice.reason.find("coordinator"), std::string::npos) << choice.reason;
  }
}

TEST(DeviceChoice, WorkersOnOtherNodesTakeTheGpuOfTheirLocalRank) {
  for (int local_rank = 0; local_rank < 4; ++local_rank) {
    const FakeEnvironment env{{"OMPI_COMM_WORLD_LOCAL_RANK", std::to_string(local_rank)}};
    EXPECT_EQ(choose_device("auto", 4, env.getenv(), "", node_worker_slot(local_rank, 4, false)).gpu, local_rank);
  }
}

TEST(DeviceChoice, MoreWorkersThanGpusOnANodeIsRefusedNamingTheWorkers) {
  const FakeEnvironment env{{"SLURM_LOCALID", "3"}};
  try {
    (void)choose_device("cuda", 2, env.getenv(), "", node_worker_slot(3, 4, true));
    ADD_FAILURE() << "not refused";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("this node has 2 GPUs but runs 3 workers"), std::string::npos) << message;
    EXPECT_NE(message.find("SLURM_LOCALID=3"), std::string::npos) << message;
  }
}

TEST(DeviceChoice, TheCoordinatorHasNoWorkerSlot) {
  EXPECT_THROW((void)node_worker_slot(0, 4, true), Error);
  EXPECT_EQ(node_worker_slot(0, 4, false).workers_on_node, 4);
  EXPECT_EQ(node_worker_slot(2, 4, true).workers_on_node, 3);
}

}  // namespace
}  // namespace lathe
