// `lathe campaign` as a user runs it, with --local (every task a real search, one after
// another in one process) on the shipped tiny campaign: every task finishes, the summary's
// numbers are the tasks' own, a rerun runs only what did not finish, the same campaign
// gives the same summary, and the summary page loads in a browser.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "campaign/file_lock.h"
#include "support/browser.h"
#include "support/campaign_runs.h"
#include "support/run_lathe.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

namespace fs = std::filesystem;

RunResult run_local(const TempDir& dir) { return run_lathe("campaign " + dir.file("tiny.yaml") + " --local"); }

std::map<std::string, std::map<std::string, std::string>> rows_by(const fs::path& csv, const std::string& key) {
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (auto& row : csv_rows(read_text(csv))) rows[row[key]] = row;
  return rows;
}

double number(const std::map<std::string, std::string>& row, const std::string& column) {
  const auto found = row.find(column);
  return found == row.end() || found->second.empty() ? NAN : std::stod(found->second);
}

TEST(CampaignCli, LocalRunFinishesEveryTaskAndTheSummaryHoldsTheTasksOwnResults) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir);
  const RunResult run = run_local(dir);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("tiny: 12 tasks: 0 finished, 0 started, 12 not started"), std::string::npos) << run.output;

  const auto tasks = rows_by(campaign / "tasks.csv", "task");
  ASSERT_EQ(tasks.size(), 12u);
  const std::vector<double> drops = {0.005, 0.01, 0.02};
  // Per (experiment, strategy): each seed's hypervolume and best sizes, computed here.
  std::map<std::string, std::vector<double>> volumes;
  std::map<std::string, std::vector<std::vector<double>>> bests;
  for (const auto& [name, row] : tasks) {
    EXPECT_EQ(row.at("state"), "finished") << name;
    const TaskResults results = task_results(campaign / name);
    const int planned = name.starts_with("tiny_per_layer-grid") ? 4 : 6;  // its grid has 4 points
    EXPECT_EQ(results.evaluations, planned) << name;
    EXPECT_EQ(journaled_results(campaign / name / "journal.lathe"), planned) << name;
    EXPECT_EQ(number(row, "evaluations"), planned) << name;
    ASSERT_GT(results.feasible.size(), 0u) << name;
    EXPECT_EQ(number(row, "reference_accuracy_drop"), 0.2) << "the experiments' own max_accuracy_drop";
    const double volume = front_hypervolume_here(results, 0.2);
    EXPECT_GT(volume, 0.0) << name;
    EXPECT_NEAR(number(row, "hypervolume"), volume, 1e-12) << name;
    const std::string group = row.at("experiment") + "/" + row.at("strategy");
    volumes[group].push_back(volume);
    std::vector<double> best_here;
    for (std::size_t d = 0; d < drops.size(); ++d) {
      double best = NAN;
      for (const auto& [size, accuracy] : results.feasible) {
        if (results.base_accuracy - accuracy <= drops[d] + 1e-12 && !(size >= best)) best = size;
      }
      const std::string column = "best_size_bytes_drop_" + std::string(d == 0 ? "0.005" : d == 1 ? "0.01" : "0.02");
      if (std::isnan(best)) {
        EXPECT_EQ(row.at(column), "") << name << " " << column;
      } else {
        EXPECT_EQ(number(row, column), best) << name << " " << column;
      }
      best_here.push_back(best);
    }
    bests[group].push_back(best_here);
  }

  const auto groups = csv_rows(read_text(campaign / "summary.csv"));
  ASSERT_EQ(groups.size(), 6u);
  for (const auto& row : groups) {
    const std::string group = row.at("experiment") + "/" + row.at("strategy");
    const std::vector<double>& v = volumes.at(group);
    ASSERT_EQ(v.size(), 2u) << group;
    EXPECT_EQ(row.at("finished"), "2");
    EXPECT_NEAR(number(row, "hypervolume_mean"), (v[0] + v[1]) / 2, 1e-12) << group;
    EXPECT_NEAR(number(row, "hypervolume_deviation"), std::fabs(v[0] - v[1]) / std::sqrt(2.0), 1e-12) << group;
    EXPECT_NEAR(number(row, "hypervolume_min"), std::min(v[0], v[1]), 1e-12) << group;
    EXPECT_NEAR(number(row, "hypervolume_max"), std::max(v[0], v[1]), 1e-12) << group;
    for (std::size_t d = 0; d < drops.size(); ++d) {
      const std::string column = "best_size_bytes_drop_" + std::string(d == 0 ? "0.005" : d == 1 ? "0.01" : "0.02");
      std::vector<double> found;
      for (const auto& seed : bests.at(group)) {
        if (!std::isnan(seed[d])) found.push_back(seed[d]);
      }
      EXPECT_EQ(number(row, column + "_found"), static_cast<double>(found.size())) << group << column;
      if (!found.empty()) {
        double sum = 0;
        for (const double s : found) sum += s;
        EXPECT_NEAR(number(row, column + "_mean"), sum / static_cast<double>(found.size()), 1e-9) << group << column;
        EXPECT_EQ(number(row, column + "_min"), *std::min_element(found.begin(), found.end())) << group << column;
      }
    }
    EXPECT_GT(number(row, "evaluations_per_hour_mean"), 0.0) << group;
    EXPECT_GT(number(row, "wall_seconds_total"), 0.0) << group;
  }

  // Summarising again from the journals gives the same files, byte for byte.
  const std::string csv = read_text(campaign / "summary.csv");
  const std::string html = read_text(campaign / "summary.html");
  const std::string table = read_text(campaign / "tasks.csv");
  const RunResult again = run_lathe("campaign summarize " + campaign.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(read_text(campaign / "summary.csv"), csv);
  EXPECT_EQ(read_text(campaign / "tasks.csv"), table);
  EXPECT_EQ(read_text(campaign / "summary.html"), html);
}

TEST(CampaignCli, RerunRunsOnlyTheUnfinishedTasksAndResumesAStartedOne) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir, {{"seeds: [1, 2]", "seeds: [1]"}});
  ASSERT_EQ(run_local(dir).exit_code, 0);
  const std::string summary = without_timings(read_text(campaign / "summary.csv"));
  const std::string cut_task = "tiny_synthetic-nsga2-seed1";
  const std::string removed_task = "tiny_per_layer-random-seed1";
  const std::string results_before = comparable_results(campaign / cut_task);
  // One task killed mid-way (its journal cut after its second result), one never run.
  {
    const fs::path journal = campaign / cut_task / "journal.lathe";
    std::istringstream in(read_text(journal));
    std::string kept, line;
    int results = 0;
    while (results < 2 && std::getline(in, line)) {
      kept += line + "\n";
      if (line.find("\"type\": \"result\"") != std::string::npos) ++results;
    }
    std::ofstream(journal, std::ios::binary | std::ios::trunc) << kept;
    ASSERT_EQ(journaled_results(journal), 2);
  }
  fs::remove_all(campaign / removed_task);
  std::map<std::string, std::string> untouched;
  for (const auto& entry : fs::directory_iterator(campaign)) {
    const fs::path journal = entry.path() / "journal.lathe";
    if (fs::exists(journal) && entry.path().filename() != cut_task) untouched[journal.string()] = read_text(journal);
  }
  ASSERT_EQ(untouched.size(), 4u);
  const std::string cut = read_text(campaign / cut_task / "journal.lathe");

  const RunResult rerun = run_local(dir);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_NE(rerun.output.find("tiny: 6 tasks: 4 finished, 1 started, 1 not started"), std::string::npos) << rerun.output;
  EXPECT_NE(rerun.output.find(cut_task + ", resuming"), std::string::npos) << rerun.output;
  EXPECT_NE(rerun.output.find(removed_task + ", starting"), std::string::npos) << rerun.output;
  EXPECT_NE(rerun.output.find("(2 of 2 to run)"), std::string::npos) << rerun.output;
  for (const auto& [journal, text] : untouched) EXPECT_EQ(read_text(journal), text) << journal << " was touched";
  const std::string resumed = read_text(campaign / cut_task / "journal.lathe");
  EXPECT_EQ(resumed.substr(0, cut.size()), cut) << "the resumed journal continues the cut one";
  EXPECT_EQ(journaled_results(campaign / cut_task / "journal.lathe"), 6);
  EXPECT_EQ(comparable_results(campaign / cut_task), results_before);
  EXPECT_EQ(without_timings(read_text(campaign / "summary.csv")), summary);
  for (const auto& row : csv_rows(read_text(campaign / "tasks.csv"))) EXPECT_EQ(row.at("state"), "finished");

  // Nothing left to run: nothing runs, and the summary is written again.
  const RunResult third = run_local(dir);
  ASSERT_EQ(third.exit_code, 0) << third.output;
  EXPECT_NE(third.output.find("tiny: 6 tasks: 6 finished, 0 started, 0 not started"), std::string::npos) << third.output;
  EXPECT_EQ(third.output.find("== tiny: task"), std::string::npos) << third.output;
}

TEST(CampaignCli, TheSameCampaignRunAgainGivesTheSameSummaryTimingsAside) {
  TempDir first;
  TempDir second;
  const fs::path a = tiny_campaign(first, {{"seeds: [1, 2]", "seeds: [2]"}, {"evaluations: 6", "evaluations: 4"}});
  const fs::path b = tiny_campaign(second, {{"seeds: [1, 2]", "seeds: [2]"}, {"evaluations: 6", "evaluations: 4"}});
  ASSERT_EQ(run_local(first).exit_code, 0);
  ASSERT_EQ(run_local(second).exit_code, 0);
  const std::string summary = without_timings(read_text(a / "summary.csv"));
  EXPECT_EQ(csv_rows(read_text(a / "summary.csv")).size(), 6u);
  EXPECT_EQ(summary, without_timings(read_text(b / "summary.csv")));
  EXPECT_EQ(without_timings(read_text(a / "tasks.csv")), without_timings(read_text(b / "tasks.csv")));
  EXPECT_NE(read_text(a / "summary.csv").find("wall_seconds_total"), std::string::npos);
}

TEST(CampaignCli, SummaryPageLoadsInChromiumWithOnePointPerExperimentAndStrategy) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir, {{"seeds: [1, 2]", "seeds: [1]"}, {"evaluations: 6", "evaluations: 3"}});
  ASSERT_EQ(run_local(dir).exit_code, 0);
  const std::string why = why_no_chromium();
  ASSERT_TRUE(why.empty()) << why;
  const BrowserRun dom = dump_dom((campaign / "summary.html").string(), (dir.path() / "profile").string());
  ASSERT_EQ(dom.exit_code, 0) << dom.log;
  // Each strategy-point names its experiment and strategy; count the distinct pairs.
  std::set<std::string> points;
  int circles = 0;
  const std::string mark = "<circle class=\"strategy-point\" ";
  for (std::size_t at = dom.output.find(mark); at != std::string::npos; at = dom.output.find(mark, at + 1)) {
    ++circles;
    points.insert(dom.output.substr(at + mark.size(), dom.output.find(" cx=", at) - at - mark.size()));
  }
  EXPECT_EQ(circles, 6) << "2 experiments x 3 strategies";
  EXPECT_EQ(points.size(), 6u) << "each (experiment, strategy) once";
  for (const std::string experiment : {"tiny_synthetic", "tiny_per_layer"}) {
    for (const std::string strategy : {"random", "grid", "nsga2"}) {
      EXPECT_TRUE(points.contains("data-experiment=\"" + experiment + "\" data-strategy=\"" + strategy + "\""))
          << experiment << " " << strategy;
    }
  }
  // Every task's row links to its own report, which exists.
  for (const auto& row : csv_rows(read_text(campaign / "tasks.csv"))) {
    EXPECT_NE(dom.output.find("href=\"" + row.at("task") + "/report.html\""), std::string::npos) << row.at("task");
    EXPECT_TRUE(fs::exists(campaign / row.at("task") / "report.html")) << row.at("task");
  }
}

TEST(CampaignCli, ATaskRunningElsewhereIsRefusedAndLeftAlone) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir);
  fs::create_directories(campaign / "locks");
  const auto held = campaign::FileLock::try_lock((campaign / "locks" / "tiny_synthetic-random-seed1.lock").string());
  ASSERT_TRUE(held);
  const RunResult run = run_lathe("campaign run-task " + dir.file("tiny.yaml") + " --task 0");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("task 0 (tiny_synthetic-random-seed1) is being run by another process"), std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(campaign / "tiny_synthetic-random-seed1" / "journal.lathe"));
}

TEST(CampaignCli, BadCampaignFailsWithOneMessageAndWritesNothing) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir, {{"seeds: [1, 2]", "seeds: [1, 2]\nretries: 3"}});
  const RunResult run = run_local(dir);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("tiny.yaml:15: retries: unknown key"), std::string::npos) << run.output;
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1) << run.output;
  EXPECT_FALSE(fs::exists(campaign));
  const RunResult task = run_lathe("campaign run-task " + dir.file("tiny.yaml"));
  EXPECT_EQ(task.exit_code, 1) << task.output;
  const RunResult usage = run_lathe("campaign");
  EXPECT_EQ(usage.exit_code, 1) << usage.output;
  EXPECT_NE(usage.output.find("expected 1 to 2 argument(s)"), std::string::npos) << usage.output;
}

TEST(CampaignCli, FolderHoldingSomethingElseIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir);
  fs::create_directories(campaign);
  std::ofstream(campaign / "notes.txt") << "mine";
  const RunResult run = run_local(dir);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("holds files but no campaign.yaml"), std::string::npos) << run.output;
  EXPECT_EQ(std::vector<fs::path>(fs::directory_iterator(campaign), fs::directory_iterator()).size(), 1u);
}

TEST(CampaignCli, SubmittingWithoutSlurmSaysSoAndLeavesNoScript) {
  TempDir dir;
  const fs::path campaign = tiny_campaign(dir);
  const RunResult run = run_lathe_command("env PATH=/nonexistent " LATHE_CLI_PATH " campaign " + dir.file("tiny.yaml"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("sbatch is not on the PATH"), std::string::npos) << run.output;
  EXPECT_TRUE(fs::is_empty(campaign / "slurm")) << "a failed submission leaves no script behind";
}

}  // namespace
}  // namespace lathe::test_support
