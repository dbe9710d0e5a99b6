// The batch script a campaign submits: one array task per unfinished task, each running
// `lathe campaign run-task` on the campaign as submitted; valid bash with the sbatch lines
// the campaign's slurm section asks for.
#include <gtest/gtest.h>

#include "campaign/campaign_file.h"
#include "campaign/slurm_job.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::campaign {
namespace {

Campaign campaign_with_slurm(const std::string& slurm) {
  return parse_campaign("name: t\noutput: out/campaigns/t\nexperiments: [configs/x.yaml]\n"
                        "strategies: [{label: random, name: random}]\nseeds: [1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
                        "slurm: " + slurm + "\n",
                        "campaign.yaml", Reading::matrix_only);
}

TEST(SlurmJob, ArrayIndicesJoinRunsOfConsecutiveTasks) {
  EXPECT_EQ(array_indices({0, 1, 2, 5, 7, 8}, 0), "0-2,5,7-8");
  EXPECT_EQ(array_indices({3}, 0), "3");
  EXPECT_EQ(array_indices({0, 2, 4}, 2), "0,2,4%2");
}

TEST(SlurmJob, ArrayElementsAreTheJobsLinesOfSqueue) {
  // `squeue -h -r -j 123 -o %i`: one line per pending or running element.
  EXPECT_EQ(array_elements("123_4\n123_5\n1234_6\n123_[7-9]\n99_1\n", "123"), (std::vector<std::size_t>{4, 5}));
  EXPECT_TRUE(array_elements("", "123").empty());
}

TEST(SlurmJob, OneProcessPerTaskByDefault) {
  const Campaign campaign = campaign_with_slurm("{partition: lathe, time_minutes: 1.5, max_running: 2}");
  const std::string script = batch_script_text(campaign, {0, 1, 2, 6}, "/opt/lathe", "/c/array-001.campaign.yaml", "/work");
  for (const std::string line :
       {"#SBATCH --array=0-2,6%2\n", "#SBATCH --ntasks=1\n", "#SBATCH --time=2\n", "#SBATCH --partition=lathe\n",
        "#SBATCH --chdir=/work\n", "#SBATCH --requeue\n", "#SBATCH --job-name=lathe-t\n",
        "\nexec '/opt/lathe' campaign run-task '/c/array-001.campaign.yaml' --task \"$SLURM_ARRAY_TASK_ID\"\n"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  EXPECT_EQ(script.find("--account"), std::string::npos);
  EXPECT_EQ(script.find("mpirun"), std::string::npos);
}

TEST(SlurmJob, RanksRunUnderMpirunWithTheRequestedResources) {
  const Campaign campaign = campaign_with_slurm(
      "{ranks: 3, cpus_per_rank: 2, gpus_per_task: 1, account: lab, options: ['--qos=debug']}");
  const std::string script = batch_script_text(campaign, {4}, "/opt/lathe", "/c/s.yaml", "/work");
  for (const std::string line : {"#SBATCH --ntasks=3\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --gres=gpu:1\n",
                                 "#SBATCH --account=lab\n", "#SBATCH --qos=debug\n",
                                 "exec mpirun --bind-to none -np \"$SLURM_NTASKS\" '/opt/lathe' campaign run-task"}) {
    EXPECT_NE(script.find(line), std::string::npos) << line << "\n" << script;
  }
  EXPECT_EQ(script.find("--partition"), std::string::npos) << "no partition: the cluster's default";
}

TEST(SlurmJob, ScriptIsValidBash) {
  test_support::TempDir dir;
  const Campaign campaign = campaign_with_slurm("{ranks: 2}");
  dir.write("job.sbatch", batch_script_text(campaign, {0, 3}, "/opt/it's here/lathe", "/c/s.yaml", "/work"));
  const test_support::RunResult check = test_support::run_lathe_command("bash -n " + dir.file("job.sbatch"));
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
}  // namespace lathe::campaign
