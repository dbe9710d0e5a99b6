// One campaign task under mpirun (ctest label mpi), as an array task with slurm.ranks: 3
// runs it: rank 0 coordinates, the others are workers, and the task's results are those
// of the same task run in one process; run again once finished, it does nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/campaign_runs.h"
#include "support/run_lathe.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

namespace fs = std::filesystem;

TEST(CampaignUnderMpi, ThreeRanksRunATaskToTheResultsOfOneProcess) {
  TempDir under_mpi;
  TempDir alone;
  const fs::path a = tiny_campaign(under_mpi);
  const fs::path b = tiny_campaign(alone);
  const std::string task = "tiny_synthetic-nsga2-seed1";  // index 4
  const RunResult mpi = run_lathe_command(mpirun(3) + " campaign run-task " + under_mpi.file("tiny.yaml") + " --task 4");
  ASSERT_EQ(mpi.exit_code, 0) << mpi.output;
  EXPECT_NE(mpi.output.find("coordinator CPU time"), std::string::npos) << "rank 0 coordinated workers\n" << mpi.output;
  const RunResult one = run_lathe("campaign run-task " + alone.file("tiny.yaml") + " --task 4");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_EQ(journaled_results(a / task / "journal.lathe"), 6);
  EXPECT_EQ(comparable_results(a / task), comparable_results(b / task));

  const std::string journal = read_text(a / task / "journal.lathe");
  const RunResult again = run_lathe_command(mpirun(3) + " campaign run-task " + under_mpi.file("tiny.yaml") + " --task 4");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const std::string said = "task 4 (" + task + ") has finished";
  EXPECT_NE(again.output.find(said), std::string::npos) << again.output;
  EXPECT_EQ(again.output.find(said), again.output.rfind(said)) << "rank 0 alone says so\n" << again.output;
  EXPECT_EQ(read_text(a / task / "journal.lathe"), journal);
}

}  // namespace
}  // namespace lathe::test_support
