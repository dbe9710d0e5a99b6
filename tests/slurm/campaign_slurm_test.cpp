// A campaign submitted as a SLURM job array to a real one-node cluster (ctest label
// slurm): scripts/slurm/local-cluster.sh starts slurmctld and slurmd in the test's own
// state folder (partition `lathe`), `lathe campaign` submits the tiny campaign with
// sbatch, and once the array has ended every task has finished and the summary equals the
// one of the same campaign run with --local; submitting again runs only what is missing,
// and nothing an earlier array still has queued.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

#include "support/campaign_runs.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

namespace fs = std::filesystem;

const std::string kClusterScript = LATHE_SOURCE_DIR "/scripts/slurm/local-cluster.sh";

// The cluster of one test: started in `state`, stopped (only the daemons it started) when
// the test ends, whatever happened.
class LocalCluster {
 public:
  explicit LocalCluster(const fs::path& state) : state_(state) {
    start_ = run_lathe_command("bash '" + kClusterScript + "' start '" + state_.string() + "'");
  }
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;
  ~LocalCluster() { (void)run_lathe_command("bash '" + kClusterScript + "' stop '" + state_.string() + "'"); }

  [[nodiscard]] const RunResult& start() const { return start_; }
  // `command` with the cluster's environment (SLURM_CONF) in front.
  [[nodiscard]] RunResult run(const std::string& command) const {
    return run_lathe_command(". '" + (state_ / "env").string() + "' && " + command);
  }

 private:
  fs::path state_;
  RunResult start_;
};

std::string submitted_job(const std::string& output) {
  std::smatch match;
  return std::regex_search(output, match, std::regex("submitted job ([0-9]+)")) ? match[1].str() : "";
}

// Waits until squeue no longer lists the job (all its array tasks ended); false after
// `limit`.
bool wait_for_job(const LocalCluster& cluster, const std::string& job, std::chrono::minutes limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    const RunResult queue = cluster.run("squeue -h -j " + job + " -o %i");
    // An ended job leaves the queue; once purged, squeue calls its id invalid.
    if (queue.exit_code != 0 || queue.output.find_first_not_of(" \n") == std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  return false;
}

std::string job_logs(const fs::path& campaign) {
  std::string logs;
  if (!fs::exists(campaign / "slurm")) return "(no slurm folder)";
  for (const auto& entry : fs::directory_iterator(campaign / "slurm")) {
    if (entry.path().extension() == ".out") logs += "--- " + entry.path().string() + "\n" + read_text(entry.path());
  }
  return logs;
}

TEST(CampaignUnderSlurm, JobArrayFinishesEveryTaskWithTheSummaryOfALocalRun) {
  ASSERT_TRUE(fs::exists(kClusterScript))
      << kClusterScript << " is missing: it starts the one-node SLURM cluster this test submits to "
      << "(scripts/slurm/local-cluster.sh start|stop STATE_DIR, written with the SLURM batch scripts)";
  TempDir state;
  TempDir submitted;
  TempDir local;
  const std::vector<std::pair<std::string, std::string>> smaller = {{"seeds: [1, 2]", "seeds: [1]"}};
  const fs::path campaign = tiny_campaign(submitted, smaller);
  const fs::path reference = tiny_campaign(local, smaller);

  const LocalCluster cluster(state.path() / "cluster");
  ASSERT_EQ(cluster.start().exit_code, 0) << cluster.start().output;
  const std::string submit = std::string(LATHE_CLI_PATH) + " campaign " + submitted.file("tiny.yaml");
  const RunResult first = cluster.run(submit);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("array 0-5"), std::string::npos) << first.output;
  const std::string job = submitted_job(first.output);
  ASSERT_FALSE(job.empty()) << first.output;
  // Submitted again while the array runs: its tasks are not submitted twice.
  const RunResult while_running = cluster.run(submit);
  ASSERT_EQ(while_running.exit_code, 0) << while_running.output;
  EXPECT_NE(while_running.output.find("6 unfinished tasks are still queued or running"), std::string::npos)
      << while_running.output;
  EXPECT_EQ(submitted_job(while_running.output), "") << while_running.output;
  ASSERT_TRUE(wait_for_job(cluster, job, std::chrono::minutes(10))) << "job " << job << " still queued\n"
                                                                    << job_logs(campaign);
  EXPECT_NE(read_text(campaign / "slurm" / "jobs.txt").find(job + " array-001.sbatch 0-5"), std::string::npos);
  for (int task = 0; task < 6; ++task) {
    EXPECT_TRUE(fs::exists(campaign / "slurm" / (job + "_" + std::to_string(task) + ".out"))) << task;
  }

  const RunResult summarized = run_lathe("campaign summarize " + campaign.string());
  ASSERT_EQ(summarized.exit_code, 0) << summarized.output;
  const auto tasks = csv_rows(read_text(campaign / "tasks.csv"));
  ASSERT_EQ(tasks.size(), 6u);
  for (const auto& row : tasks) EXPECT_EQ(row.at("state"), "finished") << row.at("task") << "\n" << job_logs(campaign);

  const RunResult here = run_lathe("campaign " + local.file("tiny.yaml") + " --local");
  ASSERT_EQ(here.exit_code, 0) << here.output;
  EXPECT_EQ(without_timings(read_text(campaign / "summary.csv")), without_timings(read_text(reference / "summary.csv")));
  EXPECT_EQ(without_timings(read_text(campaign / "tasks.csv")), without_timings(read_text(reference / "tasks.csv")));

  // One task lost: submitting again runs that one alone, to the same summary.
  fs::remove_all(campaign / "tiny_per_layer-random-seed1");
  const RunResult second = cluster.run(submit);
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("5 finished, 0 started, 1 not started"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find(": array 3 of"), std::string::npos) << second.output;
  const std::string again = submitted_job(second.output);
  ASSERT_FALSE(again.empty()) << second.output;
  ASSERT_TRUE(wait_for_job(cluster, again, std::chrono::minutes(5))) << job_logs(campaign);
  ASSERT_EQ(run_lathe("campaign summarize " + campaign.string()).exit_code, 0);
  EXPECT_EQ(without_timings(read_text(campaign / "summary.csv")), without_timings(read_text(reference / "summary.csv")));

  // Nothing unfinished: nothing is submitted.
  const RunResult third = cluster.run(submit);
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("6 finished"), std::string::npos) << third.output;
  EXPECT_EQ(submitted_job(third.output), "") << third.output;
}

}  // namespace
}  // namespace lathe::test_support
