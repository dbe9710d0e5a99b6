// The SLURM job array a campaign submits: one array task per unfinished task, each running
// `lathe campaign run-task SNAPSHOT --task $SLURM_ARRAY_TASK_ID` (one search, resumed from
// its journal when it had started). Every submission writes, in the campaign's slurm/
// folder, array-NNN.campaign.yaml (the campaign as submitted: its array indices keep
// their meaning when the campaign file is edited later), array-NNN.sbatch and a line in
// jobs.txt; the jobs' output goes to slurm/JOBID_INDEX.out.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign_file.h"

namespace lathe::campaign {

// SLURM's array syntax for ascending `indices`: "0-3,5,7-8", with "%N" when at most
// `max_running` may run at once (0: no limit).
std::string array_indices(const std::vector<std::size_t>& indices, int max_running);

// The batch script's text. `lathe_path`, `snapshot_path` and `working_directory` are
// absolute: the job runs this executable on this snapshot from the directory the
// campaign's relative paths are relative to.
std::string batch_script_text(const Campaign& campaign, const std::vector<std::size_t>& indices,
                              const std::string& lathe_path, const std::string& snapshot_path,
                              const std::string& working_directory);

struct BatchScript {
  std::string path;      // slurm/array-NNN.sbatch
  std::string snapshot;  // slurm/array-NNN.campaign.yaml
};

// Writes the snapshot and the script for `indices` (the next free NNN).
BatchScript write_batch_script(const Campaign& campaign, const std::vector<std::size_t>& indices,
                               const std::string& lathe_path);
// Removes both (a submission that failed leaves nothing behind).
void remove_batch_script(const BatchScript& script);

// `sbatch --parsable SCRIPT`; returns the job id. Throws lathe::Error with sbatch's own
// words when it fails, or when there is no sbatch on the PATH.
std::string submit_batch_script(const std::string& script_path);

// The tasks the campaign's earlier arrays (slurm/jobs.txt) still have pending or running,
// by name (an array index means the task of the snapshot it was submitted with), as
// squeue lists them; none when squeue is missing or knows none of the jobs.
std::set<std::string> queued_task_names(const Campaign& campaign);
// The array indices of `job_id` in `squeue -h -r -o %i` output ("123_4" lines).
std::vector<std::size_t> array_elements(const std::string& squeue_output, const std::string& job_id);

// Appends "JOBID SCRIPT INDICES" to slurm/jobs.txt.
void record_submission(const Campaign& campaign, const std::string& job_id, const std::string& script_path,
                       const std::vector<std::size_t>& indices);

}  // namespace lathe::campaign
