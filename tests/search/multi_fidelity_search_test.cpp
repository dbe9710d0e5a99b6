// Successive halving and ASHA through the real coordinator, transports and journal with
// the analytic runner: promotions run the rung's longer recipe with their rung-0
// ancestor's seed, go to the worker that keeps their parent's state, give the same
// results with any number of workers and after a kill; and the experiment checks that
// the space can be run in rungs.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "core/error.h"
#include "search/same_results_across_workers.h"
#include "search/synthetic_search.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

using test_support::comparable_rows;
using test_support::run_synthetic_search;
using test_support::synthetic_experiment_yaml;
using test_support::SearchRun;

Experiment rung_experiment_in(const std::filesystem::path& folder, const std::string& strategy,
                              const std::string& mode = "reproducible", int evaluations = 27) {
  return parse_experiment(synthetic_experiment_yaml((folder / "out").string(), mode, evaluations, strategy),
                          (folder / "experiment.yaml").string());
}

int finetune_epochs(const std::string& recipe) {
  int epochs = 0;
  for (const YAML::Node& step : YAML::Load(recipe)) {
    if (step["finetune"]) epochs += step["finetune"]["epochs"].as<int>();
  }
  return epochs;
}

TEST(MultiFidelitySearch, SuccessiveHalvingPromotesWithLongerRecipesAndTheAncestorsSeed) {
  lathe::test_support::TempDir dir;
  const SearchRun run = run_synthetic_search(rung_experiment_in(dir.path(), "successive_halving"), 2);
  ASSERT_EQ(run.outcome.evaluations.size(), 27u);
  std::map<int, int> per_rung;
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    ++per_rung[record.rung];
    // Rungs 1, 3 and 9 epochs (eta 3, min_epochs 1, max_epochs 9).
    const int expected_epochs = record.rung == 0 ? 1 : record.rung == 1 ? 3 : 9;
    if (record.metrics.status == recipe::CandidateStatus::ok) {
      EXPECT_EQ(finetune_epochs(record.recipe_yaml), expected_epochs) << record.recipe_yaml;
    }
  }
  // Brackets of 6 -> 2 -> 1, three of them.
  EXPECT_EQ(per_rung[0], 18);
  EXPECT_EQ(per_rung[1], 6);
  EXPECT_EQ(per_rung[2], 3);
  // A promotion extends the recipe of a rung-below candidate with the same point, and runs
  // with the seed of the rung-0 candidate it descends from.
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    if (record.rung == 0) {
      EXPECT_EQ(record.metrics.seed, candidate_seed(5, record.id));
      continue;
    }
    const EvaluationRecord* parent = nullptr;
    for (const EvaluationRecord& other : run.outcome.evaluations) {
      if (other.rung == record.rung - 1 && other.point_json == record.point_json && other.id < record.id) parent = &other;
    }
    ASSERT_NE(parent, nullptr) << "candidate " << record.id;
    EXPECT_GT(record.recipe_yaml.size(), parent->recipe_yaml.size());
    EXPECT_EQ(record.recipe_yaml.compare(0, parent->recipe_yaml.size(), parent->recipe_yaml), 0)
        << record.recipe_yaml << "\ndoes not extend\n" << parent->recipe_yaml;
    EXPECT_EQ(record.metrics.seed, parent->metrics.seed);
  }
}

TEST(MultiFidelitySearch, PromotionsContinueTheStateTheirParentsWorkerKept) {
  lathe::test_support::TempDir dir;
  const SearchRun run = run_synthetic_search(rung_experiment_in(dir.path(), "successive_halving"), 3);
  int promotions = 0;
  int continued = 0;
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    if (record.rung == 0 || record.metrics.status != recipe::CandidateStatus::ok) continue;
    ++promotions;
    if (record.metrics.continued_steps > 0) ++continued;
  }
  ASSERT_GT(promotions, 0);
  // The coordinator sends a promotion to the worker keeping its parent's state; only a
  // worker keeping several at once hands some over (they then run from the start).
  EXPECT_GE(continued * 2, promotions) << continued << " of " << promotions << " continued";
}

TEST(MultiFidelitySearch, WorkersDropTheStatesOfCandidatesARungDidNotPromote) {
  lathe::test_support::TempDir dir;
  test_support::released_states = 0;
  const SearchRun run = run_synthetic_search(rung_experiment_in(dir.path(), "successive_halving"), 2);
  // A release of a state the worker does not keep fails the candidate (synthetic runner).
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    EXPECT_EQ(record.metrics.message.find("told to release"), std::string::npos) << record.metrics.message;
  }
  // 3 brackets of 6 -> 2 -> 1: 4 rung-0 and 1 rung-1 candidates of each are not promoted;
  // those of the last bracket's rungs are decided after the last task was sent.
  EXPECT_GT(test_support::released_states.load(), 0);
  EXPECT_LE(test_support::released_states.load(), 3 * 5);
}

TEST(MultiFidelitySearch, SuccessiveHalvingGivesTheSameResultsWithOneTwoAndFourWorkers) {
  test_support::expect_same_results_across_workers(
      [](const std::filesystem::path& folder) { return rung_experiment_in(folder, "successive_halving"); },
      {1, 2, 4}, 27);
}

TEST(MultiFidelitySearch, SuccessiveHalvingStoppedMidRungResumesToTheSameResults) {
  lathe::test_support::TempDir whole_dir;
  const SearchRun whole = run_synthetic_search(rung_experiment_in(whole_dir.path(), "successive_halving"), 2);
  lathe::test_support::TempDir dir;
  const Experiment experiment = rung_experiment_in(dir.path(), "successive_halving");
  const SearchRun first = run_synthetic_search(experiment, 2, /*stop_after=*/7);
  EXPECT_TRUE(first.interrupted);
  // A new run keeps no state of the first: its promotions run from the start.
  const SearchRun second = run_synthetic_search(experiment, 3);
  EXPECT_EQ(comparable_rows(second.outcome), comparable_rows(whole.outcome));
}

TEST(MultiFidelitySearch, AshaInAsynchronousModeReachesTheTopRungAndResumes) {
  lathe::test_support::TempDir dir;
  const Experiment experiment = rung_experiment_in(dir.path(), "asha", "asynchronous", 40);
  const SearchRun first = run_synthetic_search(experiment, 3, /*stop_after=*/15);
  EXPECT_TRUE(first.interrupted);
  const SearchRun second = run_synthetic_search(experiment, 3);
  ASSERT_EQ(second.outcome.evaluations.size(), 40u);
  std::map<int, int> per_rung;
  for (const EvaluationRecord& record : second.outcome.evaluations) ++per_rung[record.rung];
  EXPECT_GT(per_rung[1], 0);
  EXPECT_GT(per_rung[2], 0);
  EXPECT_GT(per_rung[0], per_rung[1]);
  for (const EvaluationRecord& record : first.outcome.evaluations) {
    EXPECT_EQ(record.recipe_yaml, second.outcome.evaluations[static_cast<std::size_t>(record.id)].recipe_yaml);
  }
}

std::string rung_space_error(const std::string& space, const std::string& strategy_extra = "") {
  const std::string yaml = "name: s\nbase: base.h5\noutput: out\nbudget: {evaluations: 9}\n"
                           "objectives:\n  - {metric: size_bytes, goal: minimize}\n"
                           "  - {metric: validation_accuracy, goal: maximize}\n"
                           "strategy: {name: successive_halving" + strategy_extra + "}\nspace:\n  steps:\n" + space;
  try {
    parse_experiment(yaml, "exp.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "accepted";
}

TEST(MultiFidelitySearch, ExperimentsWhoseRecipesCannotRunInRungsAreRefusedUpFront) {
  const std::string last_not_finetune = rung_space_error(
      "    - finetune: {epochs: 1}\n    - quantize: {weight_bits: {int_range: [2, 8]}}\n");
  EXPECT_NE(last_not_finetune.find("every recipe must end with a finetune step"), std::string::npos)
      << last_not_finetune;
  EXPECT_NE(last_not_finetune.find("ends with quantize"), std::string::npos) << last_not_finetune;

  const std::string optional_finetune = rung_space_error(
      "    - quantize: {weight_bits: {int_range: [2, 8]}}\n    - finetune: {optional: true, epochs: 1}\n");
  EXPECT_NE(optional_finetune.find("ends with quantize"), std::string::npos) << optional_finetune;

  const std::string searched_epochs = rung_space_error(
      "    - quantize: {weight_bits: {int_range: [2, 8]}}\n    - finetune: {epochs: {choice: [1, 2]}}\n");
  EXPECT_NE(searched_epochs.find("exp.yaml:"), std::string::npos) << searched_epochs;
  EXPECT_NE(searched_epochs.find("finetune.epochs: searched"), std::string::npos) << searched_epochs;

  const std::string inverted = rung_space_error(
      "    - quantize: {weight_bits: {int_range: [2, 8]}}\n    - finetune: {epochs: 1}\n",
      ", min_epochs: 4, max_epochs: 2");
  EXPECT_NE(inverted.find("exp.yaml: strategy.max_epochs: expected at least strategy.min_epochs (4), got 2"),
            std::string::npos)
      << inverted;

  EXPECT_EQ(rung_space_error("    - quantize: {weight_bits: {int_range: [2, 8]}}\n    - finetune: {epochs: 1}\n"),
            "accepted");
}

}  // namespace
}  // namespace lathe::search
