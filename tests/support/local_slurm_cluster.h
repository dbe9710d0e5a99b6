// A real one-node SLURM cluster for one test (scripts/slurm/local-cluster.sh in the test's
// own state folder), and the few things the SLURM tests ask it: submit a batch job, read
// a job's state and restart count, wait for it to end, list a job step's task pids.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "support/run_lathe.h"

namespace lathe::test_support {

struct SlurmJob {
  std::string state;  // PENDING, RUNNING, COMPLETING, COMPLETED, FAILED, ... ("" when unknown)
  int restarts = 0;   // how many times SLURM requeued it
};

class LocalSlurmCluster {
 public:
  // Starts the cluster; `started()` and `start_output()` say whether and why not.
  explicit LocalSlurmCluster(std::filesystem::path state_dir) : state_dir_(std::move(state_dir)) {
    const RunResult start = run_lathe_command(script() + " start " + state_dir_.string());
    started_ = start.exit_code == 0;
    start_output_ = start.output;
  }
  LocalSlurmCluster(const LocalSlurmCluster&) = delete;
  LocalSlurmCluster& operator=(const LocalSlurmCluster&) = delete;
  ~LocalSlurmCluster() { (void)run_lathe_command(script() + " stop " + state_dir_.string()); }

  [[nodiscard]] bool started() const { return started_; }
  [[nodiscard]] const std::string& start_output() const { return start_output_; }

  // A command run against this cluster (SLURM_CONF set), from the source directory.
  [[nodiscard]] RunResult run(const std::string& command) const {
    return run_lathe_command(". " + (state_dir_ / "env").string() + " && " + command);
  }

  // sbatch ARGUMENTS; the job id, or nullopt (with sbatch's words in `why`).
  std::optional<std::string> submit(const std::string& arguments, std::string* why = nullptr) const {
    const RunResult sbatch = run("sbatch --parsable " + arguments);
    if (sbatch.exit_code != 0) {
      if (why != nullptr) *why = sbatch.output;
      return std::nullopt;
    }
    std::string id = sbatch.output.substr(0, sbatch.output.find_first_of(";\n"));
    return id;
  }

  [[nodiscard]] SlurmJob job(const std::string& id) const {
    const RunResult shown = run("scontrol -o show job " + id);
    SlurmJob job;
    job.state = field(shown.output, "JobState");
    const std::string restarts = field(shown.output, "Restarts");
    if (!restarts.empty()) job.restarts = std::stoi(restarts);
    return job;
  }

  // Waits until the job is in a final state (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...)
  // or `limit` passes; returns the last state seen.
  SlurmJob wait_until_finished(const std::string& id, std::chrono::seconds limit) const {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    SlurmJob last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = job(id);
      if (is_final(last.state)) return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return last;
  }

  // The pid of task `global_rank` of step `step` (scontrol listpids), or -1.
  [[nodiscard]] long task_pid(const std::string& id, const std::string& step, int global_rank) const {
    std::istringstream lines(run("scontrol listpids " + id).output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream words(line);
      std::string pid, job, step_id, local_id, global_id;
      if (words >> pid >> job >> step_id >> local_id >> global_id && step_id == step &&
          global_id == std::to_string(global_rank)) {
        return std::stol(pid);
      }
    }
    return -1;
  }

 private:
  static std::string script() { return LATHE_SOURCE_DIR "/scripts/slurm/local-cluster.sh"; }

  static bool is_final(const std::string& state) {
    for (const char* final_state : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                                    "BOOT_FAIL", "DEADLINE", "PREEMPTED"}) {
      if (state == final_state) return true;
    }
    return false;
  }

  // The value of `Key=value` in scontrol's one-line output ("" when absent).
  static std::string field(const std::string& text, const std::string& key) {
    const std::string needle = " " + key + "=";
    std::size_t at = text.find(needle);
    if (at == std::string::npos && text.rfind(key + "=", 0) == 0) at = 0;
    if (at == std::string::npos) return "";
    const std::size_t begin = text.find('=', at) + 1;
    return text.substr(begin, text.find_first_of(" \n", begin) - begin);
  }

  std::filesystem::path state_dir_;
  bool started_ = false;
  std::string start_output_;
};

}  // namespace lathe::test_support
