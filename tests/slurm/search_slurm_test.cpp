// `lathe search` as a SLURM batch job (ctest label slurm): scripts/slurm/search.sbatch
// submitted to a real one-node cluster (scripts/slurm/local-cluster.sh, started and
// stopped by each test in its own folder). A finished job, a job requeued at a random
// instant, one requeued by its time limit's warning and one that lost a worker rank all
// end with the results of the same experiment run once, uninterrupted, under mpirun; a
// candidate in flight at the time limit's warning is paused and continued by the requeue.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "support/local_slurm_cluster.h"
#include "support/read_text.h"
#include "support/run_lathe.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

using std::chrono::seconds;

// A job of one worker and the coordinator: the long searches take wall time (instants to
// interrupt them at) on one core, and the mpirun reference runs beside them on the other.
constexpr const char* kOneWorker = "--ntasks-per-node=1";
constexpr int kLongEvaluations = 16;

int count_of(const std::string& text, const std::string& needle) {
  int count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

// tiny_synthetic with another budget and fine-tune length (longer candidates give a job
// instants to be interrupted at); everything else, the seed included, as in the file.
std::string tiny_experiment_text(int evaluations, int finetune_epochs) {
  std::string text = read_text(std::filesystem::path(LATHE_SOURCE_DIR) / kTinyExperiment);
  const auto replace = [&text](const std::string& from, const std::string& to) {
    const std::size_t at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
  };
  replace("evaluations: 8", "evaluations: " + std::to_string(evaluations));
  replace("epochs: 100", "epochs: " + std::to_string(finetune_epochs));
  return text;
}

class SearchUnderSlurm : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<LocalSlurmCluster>(dir_.path() / "slurm");
    ASSERT_TRUE(cluster_->started())
        << "the local SLURM cluster did not start; the SLURM tests need root and the Debian packages slurmctld "
           "slurmd slurm-client munge (scripts/setup.sh installs them):\n"
        << cluster_->start_output();
    // The base, trained before any search of it starts: two searches training it at once
    // would write two checkpoints (their provenance times differ), and a resume refuses a
    // base that changed under its journal.
    if (!std::filesystem::exists(LATHE_SOURCE_DIR "/out/tests/tiny_cnn.h5")) {
      const RunResult train = run_lathe("train configs/tests/train_synthetic.yaml");
      ASSERT_EQ(train.exit_code, 0) << train.output;
    }
  }

  // Writes the experiment into the test's folder and returns its path.
  std::string experiment(const std::string& name, int evaluations, int finetune_epochs) const {
    dir_.write(name, tiny_experiment_text(evaluations, finetune_epochs));
    return dir_.file(name);
  }

  // sbatch [OPTIONS] search.sbatch SCRIPT_ARGUMENTS, run from the source folder (the
  // experiment's relative paths start there), its log in the test's folder.
  std::optional<std::string> sbatch_search(const std::string& options, const std::string& script_arguments,
                                           std::string* why) const {
    return cluster_->submit("--chdir=" LATHE_SOURCE_DIR " --output=" + log_path().string() +
                                " --export=ALL,LATHE_BIN=" LATHE_CLI_PATH " " + options +
                                " " LATHE_SOURCE_DIR "/scripts/slurm/search.sbatch " + script_arguments,
                            why);
  }

  std::string submit_search(const std::string& experiment_path, const std::filesystem::path& output,
                            const std::string& options = "") const {
    std::string why;
    const std::optional<std::string> id = sbatch_search(options, experiment_path + " " + output.string(), &why);
    EXPECT_TRUE(id.has_value()) << "sbatch failed: " << why;
    return id.value_or("none");
  }

  [[nodiscard]] std::filesystem::path log_path() const { return dir_.path() / "job.log"; }
  [[nodiscard]] std::string job_log() const { return read_text(log_path()); }

  // The long search the interrupting tests use: 16 candidates of 400-epoch fine-tunes in
  // a one-worker job (33 s under srun on this 2-core machine at a load average of 14),
  // with or without its mpirun reference beside it.
  std::string submit_long_search(const std::string& extra_options = "", bool with_reference = true) {
    const std::string exp = experiment("tiny.yaml", kLongEvaluations, 400);
    if (with_reference) start_mpirun_reference(exp);
    return submit_search(exp, output(), std::string(kOneWorker) + " " + extra_options);
  }

  [[nodiscard]] std::filesystem::path output() const { return dir_.path() / "search"; }
  [[nodiscard]] std::string journal() const { return read_text(output() / "journal.lathe"); }
  [[nodiscard]] int results_journaled() const { return journaled_results(output() / "journal.lathe"); }

  // Waits until the journal holds `count` records of `type` ("run", "result"); false after
  // `limit`.
  bool wait_for_journal(const std::string& type, int count, std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (count_of(journal(), "\"type\": \"" + type + "\"") < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }

  // A cancelled job is CANCELLED while its batch shell still waits for srun: wait for the
  // script's last words too.
  bool wait_for_log(const std::string& text, std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (job_log().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
  }

  // The same experiment run once under mpirun (1 coordinator, 2 workers), in the
  // background while the SLURM job runs: the results every job of it must end with.
  void start_mpirun_reference(const std::string& experiment_path) {
    const std::string command =
        mpirun(3) + " search " + experiment_path + " --output " + (dir_.path() / "mpirun").string();
    reference_ = std::async(std::launch::async, [command] { return run_lathe_command(command); });
  }

  std::string mpirun_results() {
    const RunResult run = reference_.get();
    EXPECT_EQ(run.exit_code, 0) << run.output;
    return comparable_results(dir_.path() / "mpirun");
  }

  // When slurmctld last checked time limits (seconds since the epoch): a probe job with
  // a warning due at once writes the instant its SIGUSR1 came. nullopt after 60 s.
  std::optional<double> time_limit_check_instant() const {
    const std::string instant = dir_.file("probe-instant.txt");
    std::string why;
    const std::optional<std::string> probe = cluster_->submit(
        "--time=1 --signal=B:USR1@60 --output=" + dir_.file("probe.log") +
            " --wrap='trap \"date +%s.%N >" + instant + "; exit 0\" USR1; while :; do sleep 1 & wait; done'",
        &why);
    EXPECT_TRUE(probe.has_value()) << why;
    const auto deadline = std::chrono::steady_clock::now() + seconds(60);
    while (probe && std::chrono::steady_clock::now() < deadline) {
      const std::string text = read_text(instant);
      if (!text.empty() && text.back() == '\n') return std::stod(text);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::nullopt;
  }

  static void sleep_until_epoch(double seconds_since_epoch) {
    const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (seconds_since_epoch > now) {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds_since_epoch - now));
    }
  }

  TempDir dir_;  // outlives the cluster, whose state lives in it
  std::unique_ptr<LocalSlurmCluster> cluster_;
  std::future<RunResult> reference_;
};

TEST_F(SearchUnderSlurm, BatchJobGivesTheResultsOfMpirun) {
  const std::string exp = experiment("tiny.yaml", 8, 100);
  const std::filesystem::path out = output();
  start_mpirun_reference(exp);
  const std::string id = submit_search(exp, out);  // the script's own layout: 2 workers
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(180));
  ASSERT_EQ(job.state, "COMPLETED") << job_log();
  EXPECT_EQ(job.restarts, 0);
  EXPECT_EQ(journaled_results(out / "journal.lathe"), 8) << job_log();
  EXPECT_NE(job_log().find("the search is finished"), std::string::npos) << job_log();
  EXPECT_EQ(comparable_results(out), mpirun_results());
}

TEST_F(SearchUnderSlurm, ResubmittedJobContinuesTheSearchWithALargerBudget) {
  const std::filesystem::path out = output();
  const std::string first = submit_search(experiment("tiny8.yaml", 8, 100), out);
  ASSERT_EQ(cluster_->wait_until_finished(first, seconds(180)).state, "COMPLETED") << job_log();
  // The same experiment with a larger budget (the one key besides output and name that
  // may change between runs), submitted by hand into the same output folder.
  const std::string larger = experiment("tiny12.yaml", 12, 100);
  start_mpirun_reference(larger);
  const std::string second = submit_search(larger, out);
  ASSERT_EQ(cluster_->wait_until_finished(second, seconds(180)).state, "COMPLETED") << job_log();
  EXPECT_NE(job_log().find("resuming from " + (out / "journal.lathe").string() + " (8 evaluations journaled)"),
            std::string::npos)
      << job_log();
  EXPECT_EQ(journaled_results(out / "journal.lathe"), 12);
  EXPECT_EQ(comparable_results(out), mpirun_results());
}

TEST_F(SearchUnderSlurm, RequeueAtARandomInstantResumesToTheSameResults) {
  const std::string id = submit_long_search();
  // The instant: once lathe has journaled its run, 0 to 4 s later.
  ASSERT_TRUE(wait_for_journal("run", 1, seconds(60))) << job_log();
  std::random_device random;
  const int delay_ms = std::uniform_int_distribution<int>(0, 4000)(random);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  const int finished_before = results_journaled();
  const RunResult requeue = cluster_->run("scontrol requeue " + id);
  ASSERT_EQ(requeue.exit_code, 0) << requeue.output;
  ASSERT_LT(finished_before, kLongEvaluations) << "the requeue " << delay_ms << " ms in came after the search ended";
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(180));
  ASSERT_EQ(job.state, "COMPLETED") << job_log();
  EXPECT_GE(job.restarts, 1);
  EXPECT_GE(count_of(journal(), "\"type\": \"run\""), 2) << "requeued " << delay_ms << " ms in: one run only";
  EXPECT_EQ(results_journaled(), kLongEvaluations);
  EXPECT_EQ(comparable_results(output()), mpirun_results()) << "requeued " << delay_ms << " ms in";
}

TEST_F(SearchUnderSlurm, TimeLimitWarningRequeuesTheJobUntilTheSearchFinishes) {
  // SLURM checks time limits every 30 s and sends the warning at the first check within
  // the lead time (+30 s) of the limit: with a 1-minute limit and a 60 s lead, at the
  // first check after the job starts. The job is started 20 s after a check (seen by a
  // probe job), so its first run gets the warning about 10 s in, before the search ends;
  // later runs get it every 30 s.
  const std::optional<double> check = time_limit_check_instant();
  ASSERT_TRUE(check.has_value()) << "the probe job got no warning in 60 s:\n" << read_text(dir_.file("probe.log"));
  sleep_until_epoch(*check + 20.0);
  const std::string id = submit_long_search("--time=1 --signal=B:USR1@60");
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(300));
  ASSERT_EQ(job.state, "COMPLETED") << job_log();
  EXPECT_GE(job.restarts, 1);
  EXPECT_NE(job_log().find("requeueing: the time limit is near (SIGUSR1)"), std::string::npos) << job_log();
  EXPECT_NE(job_log().find("stopped by signal 15"), std::string::npos) << job_log();
  EXPECT_EQ(results_journaled(), kLongEvaluations);
  EXPECT_EQ(comparable_results(output()), mpirun_results());
}

TEST_F(SearchUnderSlurm, TimeLimitWarningDuringACandidatePausesItAndTheRequeuedJobContinuesIt) {
  // One candidate of six 1000-epoch fine-tunes (about 18 s with oneDNN on a quiet 2-core
  // machine, 40 s on a loaded one), in a job started 20 s after a time-limit check (as
  // above): the warning comes about 10 s in, during a fine-tune, and the requeue's SIGTERM
  // pauses it. A requeued run has about 30 s before the next check; one that does not
  // finish by then is paused and requeued again, and continues again.
  const std::optional<double> check = time_limit_check_instant();
  ASSERT_TRUE(check.has_value()) << "the probe job got no warning in 60 s:\n" << read_text(dir_.file("probe.log"));
  std::string text = tiny_experiment_text(1, 1000);
  for (const char* label : {"second", "third", "fourth", "fifth", "sixth"}) {
    text += std::string("    - finetune: {epochs: 1000, lr: 0.005, label: ") + label + "_finetune}\n";
  }
  dir_.write("one.yaml", text);
  const std::string exp = dir_.file("one.yaml");
  start_mpirun_reference(exp);
  sleep_until_epoch(*check + 20.0);
  const std::string id = submit_search(exp, output(), std::string(kOneWorker) + " --time=1 --signal=B:USR1@60");
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(300));
  ASSERT_EQ(job.state, "COMPLETED") << job_log();
  EXPECT_GE(job.restarts, 1);
  EXPECT_NE(job_log().find("requeueing: the time limit is near (SIGUSR1)"), std::string::npos) << job_log();
  EXPECT_NE(journal().find("\"type\": \"paused\", \"id\": 0, \"run\": 1, \"state\": \"paused/candidate-000000.h5\""),
            std::string::npos)
      << journal();
  EXPECT_NE(journal().find("\"continues_paused\": \"paused/candidate-000000.h5\""), std::string::npos) << journal();
  EXPECT_NE(job_log().find("lathe: candidate 0 continues from its saved state paused/candidate-000000.h5"),
            std::string::npos)
      << job_log();
  EXPECT_EQ(results_journaled(), 1);
  EXPECT_EQ(comparable_results(output()), mpirun_results());
}

TEST_F(SearchUnderSlurm, LostWorkerRankRequeuesTheJobAndKeepsWhatWasFinished) {
  const std::string id = submit_long_search();
  ASSERT_TRUE(wait_for_journal("result", 2, seconds(120))) << job_log();
  // What was journaled before the kill (complete lines only: the last may be mid-write).
  std::string before = journal();
  before.resize(before.rfind('\n') + 1);
  const int finished_before = results_journaled();
  const long worker = cluster_->task_pid(id, "0", 1);  // step 0, rank 1: the worker
  ASSERT_GT(worker, 0) << cluster_->run("scontrol listpids " + id).output;
  ASSERT_EQ(::kill(static_cast<pid_t>(worker), SIGKILL), 0);
  ASSERT_LT(finished_before, kLongEvaluations) << "the kill came after the search ended";
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(180));
  ASSERT_EQ(job.state, "COMPLETED") << job_log();
  EXPECT_EQ(job.restarts, 1);
  EXPECT_NE(job_log().find("requeueing: a rank died"), std::string::npos) << job_log();
  EXPECT_NE(read_text(output() / "slurm-requeues.txt").find("a rank died (srun exit 137); requeued"),
            std::string::npos);
  EXPECT_NE(job_log().find("resuming from " + (output() / "journal.lathe").string()), std::string::npos) << job_log();
  EXPECT_EQ(journal().substr(0, before.size()), before) << "records journaled before the kill changed";
  EXPECT_EQ(results_journaled(), kLongEvaluations);
  EXPECT_EQ(comparable_results(output()), mpirun_results());
}

TEST_F(SearchUnderSlurm, LostRankPastTheCrashRequeueLimitEndsTheJob) {
  const std::string id = submit_long_search(
      "--export=ALL,LATHE_BIN=" LATHE_CLI_PATH ",LATHE_SLURM_MAX_CRASH_REQUEUES=0", /*with_reference=*/false);
  ASSERT_TRUE(wait_for_journal("result", 1, seconds(120))) << job_log();
  const long worker = cluster_->task_pid(id, "0", 1);
  ASSERT_GT(worker, 0) << cluster_->run("scontrol listpids " + id).output;
  ASSERT_EQ(::kill(static_cast<pid_t>(worker), SIGKILL), 0);
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(60));
  EXPECT_EQ(job.state, "FAILED") << job_log();
  EXPECT_EQ(job.restarts, 0);
  EXPECT_NE(job_log().find("requeued 0 times after a rank died (LATHE_SLURM_MAX_CRASH_REQUEUES), not again"),
            std::string::npos)
      << job_log();
  EXPECT_FALSE(std::filesystem::exists(output() / "slurm-requeues.txt"));
}

TEST_F(SearchUnderSlurm, ScancelStopsTheSearchCleanlyWithoutRequeue) {
  const std::string id = submit_long_search("", /*with_reference=*/false);
  ASSERT_TRUE(wait_for_journal("run", 1, seconds(60))) << job_log();
  ASSERT_EQ(cluster_->run("scancel " + id).exit_code, 0);
  const SlurmJob job = cluster_->wait_until_finished(id, seconds(60));
  EXPECT_EQ(job.state, "CANCELLED") << job_log();
  EXPECT_EQ(job.restarts, 0);
  ASSERT_TRUE(wait_for_log("srun exited with 143", seconds(30))) << job_log();
  EXPECT_NE(job_log().find("stopped by signal 15"), std::string::npos) << job_log();
  EXPECT_EQ(count_of(journal(), "\"type\": \"interrupted\""), 1);
  EXPECT_LT(results_journaled(), kLongEvaluations);
}

TEST_F(SearchUnderSlurm, BadArgumentsOrSettingsFailTheJobWithoutRequeue) {
  const std::string exp = experiment("tiny.yaml", 8, 100);
  const struct {
    std::string options;
    std::string arguments;
    std::string message;
  } cases[] = {
      {"", "", "expected the experiment and the output folder"},
      {"", dir_.file("absent.yaml") + " " + dir_.file("out"), dir_.file("absent.yaml") + ": no such experiment file"},
      {"--export=ALL,LATHE_BIN=" LATHE_CLI_PATH ",LATHE_SLURM_MAX_CRASH_REQUEUES=many", exp + " " + dir_.file("out"),
       "LATHE_SLURM_MAX_CRASH_REQUEUES: expected a whole number >= 0, got 'many'"},
      {"--export=ALL,LATHE_BIN=" + dir_.file("no-lathe"), exp + " " + dir_.file("out"),
       dir_.file("no-lathe") + ": no lathe executable here"},
  };
  for (const auto& bad : cases) {
    std::string why;
    const std::optional<std::string> id = sbatch_search(bad.options, bad.arguments, &why);
    ASSERT_TRUE(id.has_value()) << why;
    const SlurmJob job = cluster_->wait_until_finished(*id, seconds(60));
    EXPECT_EQ(job.state, "FAILED") << job_log();
    EXPECT_EQ(job.restarts, 0);
    EXPECT_NE(job_log().find(bad.message), std::string::npos) << job_log();
  }
  EXPECT_FALSE(std::filesystem::exists(dir_.file("out")));
}

}  // namespace
}  // namespace lathe::test_support
