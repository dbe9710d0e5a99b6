// `lathe search` under mpirun (ctest label mpi): rank 0 coordinates real worker ranks.
// The reproducible mode gives the same results as one process, and a search killed with
// SIGKILL (mpirun and every rank, as a time limit or a lost node does) resumes to the
// same results as an uninterrupted one.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/read_text.h"
#include "support/run_lathe.h"
#include "support/search_cli_files.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

const std::string& one_process_results() {
  static const std::string results = [] {
    static TempDir dir;
    const std::filesystem::path out = dir.path() / "alone";
    const RunResult run = run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string());
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return comparable_results(out);
  }();
  return results;
}

TEST(SearchUnderMpi, ThreeRanksGiveTheResultsOfOneProcess) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "mpi";
  const std::string command = mpirun(3) + " search " + kTinyExperiment + " --output " + out.string();
  const RunResult run = run_lathe_command(command);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(journaled_results(out / "journal.lathe"), 8);
  EXPECT_EQ(comparable_results(out), one_process_results());
}

// The shipped experiment `name` run in one process and under mpirun with 3 ranks.
void expect_three_ranks_give_the_results_of_one_process(const std::string& name, int results) {
  TempDir dir;
  const std::string experiment = LATHE_SOURCE_DIR "/configs/experiments/" + name + ".yaml";
  const RunResult alone = run_lathe("search " + experiment + " --output " + (dir.path() / "alone").string());
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const RunResult run =
      run_lathe_command(mpirun(3) + " search " + experiment + " --output " + (dir.path() / "mpi").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(journaled_results(dir.path() / "mpi" / "journal.lathe"), results);
  EXPECT_EQ(comparable_results(dir.path() / "mpi"), comparable_results(dir.path() / "alone"));
}

TEST(SearchUnderMpi, SuccessiveHalvingOverThreeRanksGivesTheResultsOfOneProcess) {
  expect_three_ranks_give_the_results_of_one_process("tiny_halving", 7);
}

TEST(SearchUnderMpi, AblationGreedyRoundsOverThreeRanksGiveTheResultsOfOneProcess) {
  // Each round's 2 scoring candidates run side by side on the 2 workers.
  expect_three_ranks_give_the_results_of_one_process("tiny_ablation_greedy", 6);
}

TEST(SearchUnderMpi, ASearchFromAnEarlierSearchsModelOverThreeRanksGivesTheResultsOfOneProcess) {
  // Every worker rank finds the earlier search's model itself (base_search).
  TempDir dir;
  const std::filesystem::path pruned = dir.path() / "pruned";
  ASSERT_EQ(run_lathe("search " LATHE_SOURCE_DIR "/configs/experiments/tiny_ablation_greedy.yaml --output " +
                      pruned.string()).exit_code, 0);
  const std::filesystem::path alone = dir.path() / "alone";
  const RunResult one = run_lathe("search " + chained_experiment(dir, pruned, alone).string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const std::filesystem::path mpi = dir.path() / "mpi";
  const RunResult run = run_lathe_command(mpirun(3) + " search " + chained_experiment(dir, pruned, mpi).string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(journaled_results(mpi / "journal.lathe"), 4);
  EXPECT_EQ(comparable_results(mpi), comparable_results(alone));
}

// The tiny search with 1000-epoch fine-tunes (about 1 s each instead of 0.1 s): results
// then land far apart, so a kill aimed between them lands there even when the test's
// poll is held up by a machine busy with other tests.
std::string slower_tiny_experiment(const TempDir& dir) {
  std::string text = read_text(std::string(LATHE_SOURCE_DIR) + "/" + kTinyExperiment);
  const std::string from = "finetune: {epochs: 100,";
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << kTinyExperiment << " has no '" << from << "'";
  if (at != std::string::npos) text.replace(at, from.size(), "finetune: {epochs: 1000,");
  const std::filesystem::path path = dir.path() / "slower.yaml";
  std::ofstream(path) << text;
  return path.string();
}

TEST(SearchUnderMpi, KilledTwiceWithSigkillResumesToTheSameResults) {
  TempDir dir;
  const std::string experiment = slower_tiny_experiment(dir);
  const RunResult alone = run_lathe("search " + experiment + " --output " + (dir.path() / "alone").string());
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const std::filesystem::path out = dir.path() / "killed";
  const std::string command = mpirun(3) + " search " + experiment + " --output " + out.string();
  // Two kills: inside the first generation, then inside the second (after the candidates
  // in flight at the first kill have finished, so none counts as crashing twice). The
  // second comes at 5 of 8, not later: the last two results can land close together.
  // Each run keeps its own log, shown when a check fails (this test once failed under a
  // load of 8 with nothing left to say why).
  std::string logs;
  for (const int kill_after : {2, 5}) {
    const std::filesystem::path log = dir.path() / ("log-" + std::to_string(kill_after) + ".txt");
    const pid_t group = start_in_group(command, log.string());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
    while (journaled_results(out / "journal.lathe") < kill_after && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-group, SIGKILL);
    (void)wait_for(group);
    logs += "--- run killed after " + std::to_string(kill_after) + " results:\n" + read_text(log);
    ASSERT_GE(journaled_results(out / "journal.lathe"), kill_after) << logs;
    ASSERT_LT(journaled_results(out / "journal.lathe"), 8) << "the kill came after the search ended\n" << logs;
  }
  const RunResult resumed = run_lathe_command(command);
  ASSERT_EQ(resumed.exit_code, 0) << logs << "--- resumed run:\n" << resumed.output;
  EXPECT_NE(resumed.output.find("resuming"), std::string::npos) << resumed.output;
  EXPECT_EQ(comparable_results(out), comparable_results(dir.path() / "alone")) << logs << resumed.output;
}

TEST(SearchUnderMpi, SigtermStopsCleanlyAndTheRerunFinishes) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "stopped";
  const std::string command = mpirun(3) + " search " + kTinyExperiment + " --output " + out.string();
  const pid_t group = start_in_group(command, (dir.path() / "log.txt").string());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (journaled_results(out / "journal.lathe") < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(group, SIGTERM);  // mpirun forwards it to every rank
  const int status = wait_for(group);
  EXPECT_TRUE(WIFEXITED(status) || WIFSIGNALED(status));
  const RunResult resumed = run_lathe_command(command);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(comparable_results(out), one_process_results());
}

}  // namespace
}  // namespace lathe::test_support
