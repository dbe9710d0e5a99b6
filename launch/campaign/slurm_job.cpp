#include "campaign/slurm_job.h"

#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "campaign/campaign_folder.h"
#include "core/error.h"
#include "search/atomic_text_file.h"

namespace lathe::campaign {
namespace {

namespace fs = std::filesystem;

// A word for the shell, in single quotes.
std::string quoted(const std::string& word) {
  std::string text = "'";
  for (const char c : word) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return text + "'";
}

struct CommandResult {
  int exit_code = -1;  // 127: not on the PATH
  std::string output;  // stdout and stderr, trailing line breaks removed
};

CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  LATHE_CHECK(pipe != nullptr, "cannot run `", command, "`");
  std::array<char, 512> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!result.output.empty() && (result.output.back() == '\n' || result.output.back() == '\r')) {
    result.output.pop_back();
  }
  return result;
}

std::string numbered(const std::string& folder, int number, const std::string& suffix) {
  char name[64];
  std::snprintf(name, sizeof name, "array-%03d%s", number, suffix.c_str());
  return (fs::path(folder) / name).string();
}

}  // namespace

std::string array_indices(const std::vector<std::size_t>& indices, int max_running) {
  std::string text;
  for (std::size_t i = 0; i < indices.size();) {
    std::size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    text += (text.empty() ? "" : ",") + std::to_string(indices[i]) + (j > i ? "-" + std::to_string(indices[j]) : "");
    i = j + 1;
  }
  return max_running > 0 ? text + "%" + std::to_string(max_running) : text;
}

std::string batch_script_text(const Campaign& campaign, const std::vector<std::size_t>& indices,
                              const std::string& lathe_path, const std::string& snapshot_path,
                              const std::string& working_directory) {
  const SlurmSection& slurm = campaign.file.slurm;
  const std::string logs = fs::absolute(campaign_paths(campaign.file.output).slurm).lexically_normal().string();
  std::string script =
      "#!/bin/bash\n"
      "# Written by `lathe campaign` for campaign " + campaign.file.name + " (" + campaign.path + "): one array\n"
      "# task per unfinished task, each one search. A task stopped by its time limit, a\n"
      "# preemption or a lost node resumes from its journal when it is requeued or when the\n"
      "# campaign is submitted again (only unfinished tasks are submitted).\n"
      "#SBATCH --job-name=lathe-" + campaign.file.name + "\n"
      "#SBATCH --array=" + array_indices(indices, slurm.max_running) + "\n"
      "#SBATCH --ntasks=" + std::to_string(slurm.ranks) + "\n"
      "#SBATCH --cpus-per-task=" + std::to_string(slurm.cpus_per_rank) + "\n"
      "#SBATCH --time=" + std::to_string(static_cast<long long>(std::ceil(slurm.time_minutes))) + "\n";
  if (!slurm.partition.empty()) script += "#SBATCH --partition=" + slurm.partition + "\n";
  if (!slurm.account.empty()) script += "#SBATCH --account=" + slurm.account + "\n";
  if (slurm.gpus_per_task > 0) script += "#SBATCH --gres=gpu:" + std::to_string(slurm.gpus_per_task) + "\n";
  for (const std::string& option : slurm.options) script += "#SBATCH " + option + "\n";
  script += "#SBATCH --chdir=" + working_directory + "\n"
            "#SBATCH --output=" + logs + "/%A_%a.out\n"
            "#SBATCH --requeue\n"
            "set -euo pipefail\n";
  const std::string run_task = quoted(lathe_path) + " campaign run-task " + quoted(snapshot_path) +
                               " --task \"$SLURM_ARRAY_TASK_ID\"";
  // SIGTERM (the time limit, scancel) reaches the search, which stops cleanly.
  script += slurm.ranks > 1 ? "exec mpirun --bind-to none -np \"$SLURM_NTASKS\" " + run_task + "\n"
                            : "exec " + run_task + "\n";
  return script;
}

BatchScript write_batch_script(const Campaign& campaign, const std::vector<std::size_t>& indices,
                               const std::string& lathe_path) {
  const std::string folder = campaign_paths(campaign.file.output).slurm;
  fs::create_directories(folder);
  int number = 1;
  while (fs::exists(numbered(folder, number, ".sbatch"))) ++number;
  BatchScript script;
  script.snapshot = fs::absolute(numbered(folder, number, ".campaign.yaml")).lexically_normal().string();
  script.path = numbered(folder, number, ".sbatch");
  search::write_text_file_atomically(script.snapshot, campaign.yaml_text, "campaign snapshot");
  search::write_text_file_atomically(
      script.path, batch_script_text(campaign, indices, lathe_path, script.snapshot, fs::current_path().string()),
      "batch script");
  return script;
}

void remove_batch_script(const BatchScript& script) {
  std::error_code ignored;
  fs::remove(script.path, ignored);
  fs::remove(script.snapshot, ignored);
}

std::string submit_batch_script(const std::string& script_path) {
  const auto [exit_code, output] = run_command("sbatch --parsable " + quoted(script_path));
  LATHE_CHECK(exit_code != 127, script_path, ": sbatch is not on the PATH (submit from a SLURM login node, or run "
              "the campaign here with --local)");
  LATHE_CHECK(exit_code == 0, script_path, ": sbatch failed (exit status ", exit_code, "): ", output);
  // --parsable prints "JOBID" or "JOBID;CLUSTER" (after any warnings, on the last line).
  const std::size_t line = output.find_last_of('\n');
  std::string job = line == std::string::npos ? output : output.substr(line + 1);
  job = job.substr(0, job.find(';'));
  LATHE_CHECK(!job.empty() && job.find_first_not_of("0123456789") == std::string::npos, script_path,
              ": sbatch answered '", output, "', expected a job id");
  return job;
}

void record_submission(const Campaign& campaign, const std::string& job_id, const std::string& script_path,
                       const std::vector<std::size_t>& indices) {
  const std::string path = (fs::path(campaign_paths(campaign.file.output).slurm) / "jobs.txt").string();
  std::ofstream out(path, std::ios::app);
  out << job_id << " " << fs::path(script_path).filename().string() << " " << array_indices(indices, 0) << "\n";
  LATHE_CHECK(out.good(), path, ": cannot append the submitted job");
}

}  // namespace lathe::campaign

namespace lathe::campaign {

std::vector<std::size_t> array_elements(const std::string& squeue_output, const std::string& job_id) {
  std::vector<std::size_t> indices;
  std::istringstream in(squeue_output);
  const std::string prefix = job_id + "_";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    const std::string index = line.substr(prefix.size());
    if (!index.empty() && index.find_first_not_of("0123456789") == std::string::npos) {
      indices.push_back(static_cast<std::size_t>(std::stoull(index)));
    }
  }
  return indices;
}

std::set<std::string> queued_task_names(const Campaign& campaign) {
  const fs::path slurm(campaign_paths(campaign.file.output).slurm);
  std::set<std::string> names;
  std::ifstream jobs(slurm / "jobs.txt");
  for (std::string line; std::getline(jobs, line);) {
    std::istringstream fields(line);
    std::string job, script;
    if (!(fields >> job >> script) || job.find_first_not_of("0123456789") != std::string::npos) continue;
    // One job at a time: squeue refuses a whole list when one id in it has been purged.
    const auto [exit_code, output] = run_command("squeue -h -r -j " + job + " -o %i");
    if (exit_code != 0) continue;  // gone from the queue
    const std::vector<std::size_t> indices = array_elements(output, job);
    if (indices.empty()) continue;
    const fs::path snapshot = slurm / (fs::path(script).stem().string() + ".campaign.yaml");
    const Campaign submitted = load_campaign(snapshot.string(), Reading::matrix_only);
    for (const std::size_t index : indices) {
      if (index < submitted.tasks.size()) names.insert(submitted.tasks[index].name);
    }
  }
  return names;
}

}  // namespace lathe::campaign
