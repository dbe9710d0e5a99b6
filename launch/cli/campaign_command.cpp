// `lathe campaign CAMPAIGN.yaml`: a benchmark matrix of searches (experiments x bases x
// strategies x seeds). It submits the unfinished tasks as one SLURM job array, or with
// --local runs them here one after another; `lathe campaign run-task` is what one array
// task runs, and `lathe campaign summarize DIR` writes the summary. Each task is a real
// `lathe search` (the same run_search), in its own output folder, resumed from its journal
// when it had started.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>

#include "campaign/campaign_file.h"
#include "campaign/campaign_folder.h"
#include "campaign/file_lock.h"
#include "campaign/slurm_job.h"
#include "campaign/summary_files.h"
#include "campaign/task_experiment.h"
#include "campaign/task_state.h"
#include "cli/commands.h"
#include "cli/search_run.h"
#include "cli/search_setup.h"
#include "config/field_listing.h"
#include "core/error.h"
#include "search/mpi_transport.h"
#include "search/report_format.h"

namespace lathe::cli {
namespace {

namespace fs = std::filesystem;
using campaign::Campaign;
using campaign::CampaignTask;
using campaign::TaskProgress;
using campaign::TaskState;

// One task's search, here (alone, or as this rank under mpirun). Rank 0 holds the task's
// lock while the search runs (one journal, one writer), and prepares the base under the
// campaign's prepare lock, so tasks sharing a base that is still to be trained train it once.
int run_one_task(const Campaign& campaign, const CampaignTask& task, bool verbose) {
  std::optional<campaign::FileLock> running;
  const auto prepare = [&] {
    const std::string lock_path = campaign::task_lock_path(campaign, task);
    fs::create_directories(fs::path(lock_path).parent_path());
    running = campaign::FileLock::try_lock(lock_path);
    LATHE_CHECK(running, campaign::task_folder(campaign, task), ": task ", task.index, " (", task.name,
                ") is being run by another process (it holds ", lock_path, "); nothing was changed");
    const campaign::FileLock preparing = campaign::FileLock::wait_for(campaign::prepare_lock_path(campaign));
    return prepare_search(campaign::task_experiment(campaign, task));
  };
  return run_search({prepare, [&] { return campaign::task_experiment(campaign, task); }, verbose});
}

// Under mpirun every rank runs run-task; rank 0 alone speaks for it (before MPI starts,
// the rank is only in the launcher's environment).
bool speaks_for_the_job() {
  for (const char* variable : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const char* rank = std::getenv(variable)) return std::string(rank) == "0";
  }
  return true;
}

std::string progress_text(const TaskProgress& progress) {
  std::string text = campaign::task_state_name(progress.state);
  if (progress.state == TaskState::started) {
    text += " (" + std::to_string(progress.results) +
            (progress.planned > 0 ? "/" + std::to_string(progress.planned) : "") + " evaluations)";
  }
  return text;
}

void print_summary(const campaign::CampaignSummary& summary, const std::string& folder) {
  std::printf("\n%-28s %-16s %9s  %s\n", "experiment", "strategy", "finished", "hypervolume (mean ± deviation)");
  for (const campaign::GroupSummary& group : summary.groups) {
    const std::string experiment = group.experiment + (group.base.empty() ? "" : " on " + group.base);
    const std::string volume = group.finished == 0 ? "-"
                                                   : search::format_number(group.hypervolume.mean, 4) + " ± " +
                                                         search::format_number(group.hypervolume.deviation, 2);
    std::printf("%-28s %-16s %4d / %-2d  %s\n", experiment.c_str(), group.strategy.c_str(), group.finished,
                group.tasks, volume.c_str());
  }
  const campaign::CampaignPaths paths = campaign::campaign_paths(folder);
  std::printf("\nsummary: %s\n         %s\n         %s\n", paths.summary_csv.c_str(), paths.tasks_csv.c_str(),
              paths.summary_html.c_str());
}

int run_local(const Campaign& campaign, const std::vector<std::size_t>& unfinished,
              const std::vector<TaskProgress>& progress, bool verbose) {
  std::size_t done = 0;
  for (const std::size_t index : unfinished) {
    const CampaignTask& task = campaign.tasks[index];
    std::printf("\n== %s: task %zu (%zu of %zu to run): %s, %s\n", campaign.file.name.c_str(), index, ++done,
                unfinished.size(), task.name.c_str(),
                progress[index].state == TaskState::started ? "resuming" : "starting");
    std::fflush(stdout);
    const int status = run_one_task(campaign, task, verbose);
    if (status != 0) return status;  // stopped by a signal: the same command continues
  }
  print_summary(campaign::write_summary_files(campaign.file.output), campaign.file.output);
  return 0;
}

int submit(const Campaign& campaign, const std::vector<std::size_t>& not_finished) {
  // Tasks an earlier array still has queued or running are not submitted twice.
  const std::set<std::string> queued = campaign::queued_task_names(campaign);
  std::vector<std::size_t> unfinished;
  for (const std::size_t index : not_finished) {
    if (!queued.contains(campaign.tasks[index].name)) unfinished.push_back(index);
  }
  if (unfinished.size() < not_finished.size()) {
    std::printf("%zu unfinished tasks are still queued or running in earlier arrays (slurm/jobs.txt): not "
                "submitted again\n", not_finished.size() - unfinished.size());
  }
  if (unfinished.empty()) return 0;
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  const campaign::BatchScript script = campaign::write_batch_script(campaign, unfinished, self);
  std::string job;
  try {
    job = campaign::submit_batch_script(script.path);
  } catch (const Error&) {
    campaign::remove_batch_script(script);  // nothing was submitted: leave no script behind
    throw;
  }
  campaign::record_submission(campaign, job, script.path, unfinished);
  std::printf("submitted job %s: array %s of %s (%zu tasks)\n", job.c_str(),
              campaign::array_indices(unfinished, 0).c_str(), script.path.c_str(), unfinished.size());
  std::printf("when it has ended: lathe campaign summarize %s (or submit the campaign again for what did not "
              "finish)\n", campaign.file.output.c_str());
  return 0;
}

int run_campaign(const Arguments& arguments) {
  const bool local = arguments.flag("local");
  LATHE_CHECK(!arguments.value("task"), "lathe campaign: --task goes with run-task (lathe campaign run-task "
              "CAMPAIGN.yaml --task K)");
  LATHE_CHECK(!(local && search::launched_by_mpi()), "lathe campaign --local: runs its tasks one after another in "
              "one process; start it without mpirun (under SLURM, submit the campaign instead)");
  const Campaign campaign = campaign::load_campaign(arguments.positional(0));
  std::vector<TaskProgress> progress;
  for (const CampaignTask& task : campaign.tasks) {
    progress.push_back(campaign::read_task_progress(campaign::task_experiment(campaign, task)));
  }
  if (arguments.flag("check")) {
    std::printf("%s: valid; %zu tasks\n", campaign.path.c_str(), campaign.tasks.size());
    for (const CampaignTask& task : campaign.tasks) {
      std::printf("  %4zu  %-48s %s\n", task.index, task.name.c_str(), progress_text(progress[task.index]).c_str());
    }
    return 0;
  }
  campaign::open_campaign_folder(campaign);
  std::vector<std::size_t> unfinished;
  int finished = 0, started = 0;
  for (const CampaignTask& task : campaign.tasks) {
    if (progress[task.index].state == TaskState::finished) {
      ++finished;
    } else {
      started += progress[task.index].state == TaskState::started ? 1 : 0;
      unfinished.push_back(task.index);
    }
  }
  std::printf("%s: %zu tasks: %d finished, %d started, %zu not started\n", campaign.file.name.c_str(),
              campaign.tasks.size(), finished, started, unfinished.size() - static_cast<std::size_t>(started));
  if (unfinished.empty()) {
    print_summary(campaign::write_summary_files(campaign.file.output), campaign.file.output);
    return 0;
  }
  return local ? run_local(campaign, unfinished, progress, arguments.flag("verbose")) : submit(campaign, unfinished);
}

int run_task(const Arguments& arguments) {
  const Campaign campaign = campaign::load_campaign(arguments.positional(1));
  LATHE_CHECK(arguments.value("task"), "lathe campaign run-task: --task K is required (the task's index, 0 to ",
              campaign.tasks.size() - 1, ")");
  const auto index = static_cast<std::size_t>(
      arguments.integer("task", 0, 0, static_cast<long long>(campaign.tasks.size()) - 1));
  const CampaignTask& task = campaign.tasks[index];
  const TaskProgress progress = campaign::read_task_progress(campaign::task_experiment(campaign, task));
  const bool speak = speaks_for_the_job();
  if (progress.state == TaskState::finished) {
    if (speak) {
      std::printf("%s: task %zu (%s) has finished (%lld evaluations); nothing to do\n", campaign.file.name.c_str(),
                  index, task.name.c_str(), static_cast<long long>(progress.results));
    }
    return 0;
  }
  if (speak) {
    std::printf("%s: task %zu (%s), %s\n", campaign.file.name.c_str(), index, task.name.c_str(),
                progress.state == TaskState::started ? "resuming" : "starting");
    std::fflush(stdout);
  }
  return run_one_task(campaign, task, arguments.flag("verbose"));
}

int run_summarize(const Arguments& arguments) {
  const std::string folder = arguments.positional(1);
  print_summary(campaign::write_summary_files(folder), folder);
  return 0;
}

int run_campaign_command(const Arguments& arguments) {
  const std::string& first = arguments.positional(0);
  if (first == "run-task" || first == "summarize") {
    LATHE_CHECK(arguments.positional_count() == 2, "lathe campaign ", first, ": expected ",
                first == "run-task" ? "CAMPAIGN.yaml --task K" : "a campaign folder", " after it");
    LATHE_CHECK(!arguments.flag("local") && !arguments.flag("check"), "lathe campaign ", first,
                ": --local and --check go with `lathe campaign CAMPAIGN.yaml`");
    return first == "run-task" ? run_task(arguments) : run_summarize(arguments);
  }
  LATHE_CHECK(arguments.positional_count() == 1, "lathe campaign: expected one campaign file, or run-task or "
              "summarize before the second argument, got '", first, "' '", arguments.positional(1), "'");
  return run_campaign(arguments);
}

std::string campaign_keys(bool markdown) {
  auto rows = config::FieldListing::of(campaign::CampaignFile{});
  for (auto& row : config::FieldListing::of(campaign::StrategyEntry{}, "strategies[].")) rows.push_back(row);
  for (auto& row : config::FieldListing::of(campaign::BaseEntry{}, "bases[].")) rows.push_back(row);
  if (markdown) return config::format_markdown(rows);
  return "\ncampaign file keys:\n" + config::format_help(rows);
}

}  // namespace

const Command& campaign_command() {
  static const Command command{
      {"campaign",
       "lathe campaign CAMPAIGN.yaml [--local] [--check] | lathe campaign run-task CAMPAIGN.yaml --task K | "
       "lathe campaign summarize DIR",
       "run a benchmark matrix of searches (experiments x strategies x seeds) as a SLURM job array",
       "Every cell of the campaign's matrix is a task: the experiment file with the cell's strategy,\n"
       "seed (and base) in place of its own, searched in its own folder <output>/<task name>. Without\n"
       "--local the unfinished tasks are submitted as one SLURM job array (sbatch); with --local they\n"
       "run here, one after another. Running it again runs only the tasks that did not finish (a\n"
       "started one resumes from its journal). Then (also at the end of --local) the summary is\n"
       "written: summary.csv, tasks.csv and summary.html in the campaign folder.\n"
       "  run-task CAMPAIGN.yaml --task K   runs task K (what one array task runs)\n"
       "  summarize DIR                     (re)writes the summary of the campaign folder DIR",
       {"CAMPAIGN.yaml | run-task | summarize", "CAMPAIGN.yaml | DIR"},
       {{"local", "", "run the unfinished tasks here, one after another, instead of submitting them"},
        {"check", "", "only check the campaign and list its tasks with their state (nothing is written)"},
        {"task", "K", "with run-task: the task's index (the SLURM array index)"},
        {"verbose", "", "print every candidate's own progress lines"}},
       1},
      run_campaign_command,
      campaign_keys};
  return command;
}

}  // namespace lathe::cli
