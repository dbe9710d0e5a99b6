// `lathe search` stopped by SIGTERM in the middle of a candidate's fine-tune (as a
// preemption stops it), then run again: the candidate continues from the state it saved
// and the search ends with the results of one never stopped; also when the stop comes
// inside an epoch (the last one, of 6400 steps). A damaged state file makes that candidate
// run from its start instead, with a message, to the same results.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "support/read_text.h"
#include "support/run_lathe.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

// tiny_synthetic with 2 candidates of `epochs`-epoch fine-tunes in batches of `batch_size`
// (200 epochs of 32: a second or two each): long enough to be stopped inside one.
std::filesystem::path long_candidates(const TempDir& dir, const std::string& epochs = "200",
                                      const std::string& batch_size = "32") {
  const std::string shipped = read_text(std::filesystem::path(LATHE_SOURCE_DIR) / kTinyExperiment);
  const std::string text = std::regex_replace(
      std::regex_replace(std::regex_replace(shipped, std::regex("evaluations: 8"), "evaluations: 2"),
                         std::regex("epochs: 100"), "epochs: " + epochs),
      std::regex("batch_size: 32"), "batch_size: " + batch_size);
  EXPECT_NE(text, shipped);
  const std::filesystem::path path = dir.path() / "experiment.yaml";
  std::ofstream(path) << text;
  return path;
}

// The same with 2-epoch fine-tunes of single-image steps on a base of ten times the
// training images (6400 steps an epoch, half a second here): a stop sent once epoch 1 is
// reported comes inside the last epoch, far from its validation.
std::filesystem::path long_epochs(const TempDir& dir) {
  const std::filesystem::path train = dir.path() / "train_large.yaml";
  const std::filesystem::path base = dir.path() / "large_base.h5";
  std::ofstream(train) << std::regex_replace(
      std::regex_replace(read_text(std::filesystem::path(LATHE_SOURCE_DIR) / "configs/tests/train_synthetic.yaml"),
                         std::regex("train_size: 800"), "train_size: 8000"),
      std::regex("output: .*"), "output: " + base.string());
  const std::filesystem::path path = long_candidates(dir, "2", "1");
  const std::string text = std::regex_replace(
      std::regex_replace(read_text(path), std::regex("base: .*"), "base: " + base.string()), std::regex("train: .*"),
      "train: " + train.string());
  std::ofstream(path) << text;
  return path;
}

class PreemptedSearch : public testing::Test {
 protected:
  PreemptedSearch() : experiment_(long_candidates(dir_)) {}
  explicit PreemptedSearch(std::filesystem::path (*write_experiment)(const TempDir&))
      : experiment_(write_experiment(dir_)) {}

  std::string search_command(const std::filesystem::path& output) const {
    return std::string(LATHE_CLI_PATH) + " search " + experiment_.string() + " --output " + output.string() +
           " --verbose";
  }

  // Runs the search and sends SIGTERM once a candidate has reported `epoch_line` of its
  // fine-tune; returns the exit status and leaves the log in `log`.
  int run_stopped_mid_candidate(const std::filesystem::path& log,
                                const std::string& epoch_line = "finetune epoch 50:") const {
    const pid_t group = start_in_group(search_command(output_), log.string());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (read_text(log).find(epoch_line) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(group, SIGTERM);
    const int status = wait_for(group);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string uninterrupted_results() const {
    const std::filesystem::path reference = dir_.path() / "reference";
    const RunResult run = run_lathe_command(search_command(reference));
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return comparable_results(reference);
  }

  [[nodiscard]] std::string journal() const { return read_text(output_ / "journal.lathe"); }

  TempDir dir_;  // declared first: the constructors write the experiment into it
  std::filesystem::path experiment_;
  std::filesystem::path output_ = dir_.path() / "search";
};

// The stop comes inside the last epoch of a fine-tune, which no longer runs to its end first.
class PreemptedMidEpoch : public PreemptedSearch {
 protected:
  PreemptedMidEpoch() : PreemptedSearch(long_epochs) {}
};

TEST_F(PreemptedSearch, ACandidateStoppedMidFinetuneContinuesFromItsSavedStateToTheSameResults) {
  const std::filesystem::path first_log = dir_.path() / "first.log";
  ASSERT_EQ(run_stopped_mid_candidate(first_log), 128 + SIGTERM) << read_text(first_log);
  const std::string stopped = journal();
  ASSERT_NE(stopped.find("\"type\": \"paused\""), std::string::npos) << stopped;
  EXPECT_NE(read_text(first_log).find("paused in steps[2].finetune (step 3 of the recipe) after epoch"),
            std::string::npos)
      << read_text(first_log);
  ASSERT_TRUE(std::filesystem::exists(output_ / "paused")) << stopped;
  ASSERT_FALSE(std::filesystem::is_empty(output_ / "paused"));

  const RunResult resumed = run_lathe_command(search_command(output_));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("continues from its saved state paused/candidate-"), std::string::npos)
      << resumed.output;
  EXPECT_NE(journal().find("\"continues_paused\": \"paused/candidate-"), std::string::npos) << journal();
  EXPECT_EQ(journaled_results(output_ / "journal.lathe"), 2);
  // The state is removed once its candidate's result is journaled.
  EXPECT_TRUE(std::filesystem::is_empty(output_ / "paused"));
  EXPECT_EQ(comparable_results(output_), uninterrupted_results());
}

TEST_F(PreemptedSearch, ADamagedStateFileMakesTheCandidateRunFromItsStartWithAMessage) {
  const std::filesystem::path first_log = dir_.path() / "first.log";
  ASSERT_EQ(run_stopped_mid_candidate(first_log), 128 + SIGTERM) << read_text(first_log);
  ASSERT_TRUE(std::filesystem::exists(output_ / "paused")) << journal();
  for (const auto& entry : std::filesystem::directory_iterator(output_ / "paused")) {
    std::filesystem::resize_file(entry.path(), std::filesystem::file_size(entry.path()) / 2);
  }
  const RunResult resumed = run_lathe_command(search_command(output_));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("its saved state cannot be used"), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("running it from the start"), std::string::npos) << resumed.output;
  EXPECT_EQ(comparable_results(output_), uninterrupted_results());
}

TEST_F(PreemptedMidEpoch, ACandidateStoppedMidEpochContinuesFromThatStepToTheSameResults) {
  const std::filesystem::path first_log = dir_.path() / "first.log";
  ASSERT_EQ(run_stopped_mid_candidate(first_log, "finetune epoch 1:"), 128 + SIGTERM) << read_text(first_log);
  EXPECT_NE(read_text(first_log).find("paused in steps[2].finetune (step 3 of the recipe) after epoch 1 and step "),
            std::string::npos)
      << read_text(first_log);
  ASSERT_NE(journal().find("\"type\": \"paused\""), std::string::npos) << journal();

  const RunResult resumed = run_lathe_command(search_command(output_));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("continues from its saved state paused/candidate-"), std::string::npos)
      << resumed.output;
  EXPECT_EQ(journaled_results(output_ / "journal.lathe"), 2);
  EXPECT_EQ(comparable_results(output_), uninterrupted_results());
}

}  // namespace
}  // namespace lathe::test_support
