// When a campaign's task counts as finished: its search ended with its budget spent, read
// from what its journal holds (every asked candidate has its result, and the results
// reach the budget, the end of a grid, or the wall-time budget).
#include <gtest/gtest.h>

#include "campaign/campaign_file.h"
#include "campaign/task_experiment.h"
#include "campaign/task_state.h"

namespace lathe::campaign {
namespace {

// tiny_per_layer (two per-layer bit widths: a 4-point grid with grid_points 2) with
// `strategy` and `budget`.
search::Experiment task_with(const std::string& strategy, const std::string& budget) {
  const std::string text = "name: t\noutput: out/campaigns/t\nexperiments: [" LATHE_SOURCE_DIR
                           "/configs/experiments/tiny_per_layer.yaml]\nstrategies: [" + strategy +
                           "]\nseeds: [1]\nbudget: " + budget + "\n";
  const Campaign campaign = parse_campaign(text, "campaign.yaml");
  return task_experiment(campaign, campaign.tasks.front());
}

// A journal's history: the base measured, `asked` candidates asked, the first `results`
// of them finished, `seconds` of search time.
search::SearchHistory history(int asked, int results, double seconds = 10.0) {
  search::SearchHistory h;
  h.identity = "x";
  h.base = recipe::CandidateMetrics{};
  for (int id = 0; id < asked; ++id) h.asked[id] = {0, "{}"};
  for (int id = 0; id < results; ++id) {
    search::EvaluationRecord record;
    record.id = id;
    h.results[id] = record;
  }
  h.elapsed_seconds = seconds;
  return h;
}

TEST(TaskState, FinishedWhenEveryAskedCandidateHasItsResultAndTheBudgetIsSpent) {
  const search::Experiment e = task_with("{label: random, name: random, population: 3}", "{evaluations: 6}");
  EXPECT_EQ(task_progress(e, history(6, 6)).state, TaskState::finished);
  const TaskProgress progress = task_progress(e, history(6, 6));
  EXPECT_EQ(progress.results, 6);
  EXPECT_EQ(progress.planned, 6);
  EXPECT_EQ(task_progress(e, history(6, 5)).state, TaskState::started) << "one candidate still in flight";
  EXPECT_EQ(task_progress(e, history(3, 3)).state, TaskState::started) << "half the budget";
  search::SearchHistory no_base = history(6, 6);
  no_base.base.reset();
  EXPECT_EQ(task_progress(e, no_base).state, TaskState::started);
}

TEST(TaskState, AGrownBudgetMakesAFinishedTaskUnfinished) {
  const search::Experiment grown = task_with("{label: random, name: random, population: 3}", "{evaluations: 9}");
  EXPECT_EQ(task_progress(grown, history(6, 6)).state, TaskState::started);
}

TEST(TaskState, AGridFinishesAtItsLastPointBeforeTheBudget) {
  const search::Experiment grid =
      task_with("{label: grid, name: grid, population: 3, grid_points: 2}", "{evaluations: 6}");
  const TaskProgress progress = task_progress(grid, history(4, 4));
  EXPECT_EQ(progress.planned, 4);
  EXPECT_EQ(progress.state, TaskState::finished);
  EXPECT_EQ(task_progress(grid, history(4, 3)).state, TaskState::started);
}

TEST(TaskState, AWallTimeBudgetFinishesOnceTheSearchTimeReachesIt) {
  const search::Experiment timed = task_with("{label: random, name: random, population: 3}", "{wall_minutes: 1}");
  EXPECT_EQ(task_progress(timed, history(9, 9, 61.0)).state, TaskState::finished);
  EXPECT_EQ(task_progress(timed, history(9, 9, 59.0)).state, TaskState::started);
  EXPECT_EQ(task_progress(timed, history(9, 8, 61.0)).state, TaskState::started);
}

TEST(TaskState, NoJournalIsNotStarted) {
  const search::Experiment e = task_with("{label: random, name: random, population: 3}", "{evaluations: 6}");
  search::Experiment elsewhere = e;
  elsewhere.file.output = "/nonexistent/lathe-task";
  EXPECT_EQ(read_task_progress(elsewhere).state, TaskState::not_started);
  EXPECT_STREQ(task_state_name(TaskState::not_started), "not started");
}

}  // namespace
}  // namespace lathe::campaign
