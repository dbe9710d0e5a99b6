// The coordinator's protocol over the in-memory transport with an analytic evaluator:
// reproducibility across worker counts, resume after a stop or a kill at any instant,
// failing and crashed candidates, hard constraints, refused output folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "search/journal.h"
#include "search/same_results_across_workers.h"
#include "search/synthetic_search.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

using test_support::comparable_rows;
using test_support::run_synthetic_search;
using test_support::synthetic_experiment_yaml;
using test_support::SearchRun;

Experiment experiment_in(const std::filesystem::path& folder, const std::string& mode = "reproducible",
                         int evaluations = 24) {
  return parse_experiment(synthetic_experiment_yaml((folder / "out").string(), mode, evaluations),
                          (folder / "experiment.yaml").string());
}

TEST(Coordinator, ReproducibleSearchGivesTheSameResultsWithOneTwoFourAndEightWorkers) {
  test_support::expect_same_results_across_workers(
      [](const std::filesystem::path& folder) { return experiment_in(folder); }, {1, 2, 4, 8}, 24);
}

TEST(Coordinator, EveryCandidateSeedComesFromTheExperimentSeedAndItsId) {
  lathe::test_support::TempDir dir;
  const SearchRun run = run_synthetic_search(experiment_in(dir.path()), 3);
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    // A reused result keeps the seed it was evaluated with (its message says whose).
    if (record.metrics.message.find("its result is reused") != std::string::npos) continue;
    EXPECT_EQ(record.metrics.seed, candidate_seed(5, record.id));
    EXPECT_EQ(record.metrics.candidate_id, record.id);
    EXPECT_GE(record.metrics.rank, 1);
    EXPECT_FALSE(record.metrics.host.empty());
  }
}

TEST(Coordinator, StoppedSearchResumesToTheSameResults) {
  lathe::test_support::TempDir whole_dir;
  const SearchRun whole = run_synthetic_search(experiment_in(whole_dir.path()), 2);
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path());
  const SearchRun first = run_synthetic_search(experiment, 2, /*stop_after=*/7);
  EXPECT_TRUE(first.interrupted);
  EXPECT_LT(first.outcome.evaluations.size(), 24u);
  const SearchRun second = run_synthetic_search(experiment, 3);
  EXPECT_FALSE(second.interrupted);
  EXPECT_EQ(comparable_rows(second.outcome), comparable_rows(whole.outcome));
}

TEST(Coordinator, KilledAtAnyInstantResumesToTheSameResults) {
  lathe::test_support::TempDir whole_dir;
  const SearchRun whole = run_synthetic_search(experiment_in(whole_dir.path()), 2);
  const std::string journal = (whole_dir.path() / "out" / "journal.lathe").string();
  const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(journal));
  // A kill -9 leaves the journal cut anywhere: at a record boundary or inside a record.
  for (const double fraction : {0.05, 0.21, 0.37, 0.5, 0.66, 0.83, 0.97}) {
    lathe::test_support::TempDir dir;
    const Experiment experiment = experiment_in(dir.path());
    std::filesystem::create_directories(dir.path() / "out");
    std::filesystem::copy_file(journal, dir.path() / "out" / "journal.lathe");
    std::filesystem::resize_file(dir.path() / "out" / "journal.lathe",
                                 static_cast<std::uintmax_t>(fraction * static_cast<double>(bytes)));
    const SearchRun resumed = run_synthetic_search(experiment, 2);
    EXPECT_EQ(comparable_rows(resumed.outcome), comparable_rows(whole.outcome)) << "cut at " << fraction;
  }
}

TEST(Coordinator, FailingCandidatesAreRecordedWithTheirStatusAndTheSearchGoesOn) {
  lathe::test_support::TempDir dir;
  const SearchRun run = run_synthetic_search(experiment_in(dir.path(), "reproducible", 36), 2);
  int failed = 0;
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    if (record.metrics.status != recipe::CandidateStatus::failed) continue;
    ++failed;
    EXPECT_FALSE(record.feasible);
    EXPECT_NE(record.metrics.message.find("lr too high"), std::string::npos);
  }
  EXPECT_GT(failed, 0) << "the space's lr range reaches the failing values";
  EXPECT_EQ(run.outcome.evaluations.size(), 36u);
}

TEST(Coordinator, InfeasibleCandidatesNeverEnterTheFront) {
  lathe::test_support::TempDir dir;
  const SearchRun run = run_synthetic_search(experiment_in(dir.path()), 2);
  ASSERT_FALSE(run.outcome.pareto_ids.empty());
  int infeasible = 0;
  for (const EvaluationRecord& record : run.outcome.evaluations) {
    const bool on_front = std::find(run.outcome.pareto_ids.begin(), run.outcome.pareto_ids.end(),
                                    record.id) != run.outcome.pareto_ids.end();
    if (!record.feasible) ++infeasible;
    if (on_front) {
      EXPECT_TRUE(record.feasible) << record.id;
      EXPECT_GE(record.metrics.validation_accuracy, 0.9 - 0.1 - 1e-12) << record.id;
    }
  }
  EXPECT_GT(infeasible, 0) << "the space reaches past the accuracy limit";
}

TEST(Coordinator, CandidateInFlightAtTwoDeathsIsRecordedAsCrashed) {
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path(), "reproducible", 6);
  // Two runs that died with candidate 2 dispatched and no result (as a segfaulting
  // candidate leaves the journal), then a resume.
  (void)open_search_output(experiment);
  {
    JournalWriter journal((dir.path() / "out" / "journal.lathe").string());
    recipe::CandidateMetrics base;
    base.size_bytes = 40000;
    base.validation_accuracy = 0.9;
    journal.append(run_event(1, 2));
    journal.append(base_event(base, ""));
    journal.append(dispatched_event(2, 1, 1));
    journal.append(run_event(2, 2));
    journal.append(dispatched_event(2, 2, 1));
  }
  const SearchRun run = run_synthetic_search(experiment, 2);
  ASSERT_EQ(run.outcome.evaluations.size(), 6u);
  EXPECT_EQ(run.outcome.evaluations[2].metrics.status, recipe::CandidateStatus::crashed);
  EXPECT_NE(run.outcome.evaluations[2].metrics.message.find("died"), std::string::npos);
  EXPECT_EQ(run.outcome.evaluations[1].metrics.status, recipe::CandidateStatus::ok);
}

TEST(Coordinator, AsynchronousSearchReachesItsBudgetAndResumes) {
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path(), "asynchronous", 20);
  const SearchRun first = run_synthetic_search(experiment, 3, /*stop_after=*/8);
  EXPECT_TRUE(first.interrupted);
  const SearchRun second = run_synthetic_search(experiment, 3);
  EXPECT_EQ(second.outcome.evaluations.size(), 20u);
  for (std::size_t i = 0; i < second.outcome.evaluations.size(); ++i) {
    EXPECT_EQ(second.outcome.evaluations[i].id, static_cast<std::int64_t>(i));
  }
  // What the first run finished is kept as it was.
  for (const EvaluationRecord& record : first.outcome.evaluations) {
    EXPECT_EQ(record.recipe_yaml, second.outcome.evaluations[static_cast<std::size_t>(record.id)].recipe_yaml);
  }
}

TEST(Coordinator, FinishedSearchRerunAddsNothing) {
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path());
  const SearchRun first = run_synthetic_search(experiment, 2);
  const SearchRun again = run_synthetic_search(experiment, 2);
  EXPECT_EQ(comparable_rows(again.outcome), comparable_rows(first.outcome));
}

TEST(Coordinator, RepeatedRecipeReusesTheEarlierResultTheSameWayForAnyWorkerCount) {
  std::vector<std::string> reference;
  for (const int workers : {1, 3}) {
    lathe::test_support::TempDir dir;
    std::string yaml = synthetic_experiment_yaml((dir.path() / "out").string(), "reproducible", 18, "random");
    // Four recipes in all: repeats are certain in 18 random draws.
    yaml.replace(yaml.find("ratio: {range: [0.1, 0.9]}"), 26, "ratio: 0.5");
    yaml.replace(yaml.find("{int_range: [2, 8]}"), 19, "{choice: [4, 8]}");
    yaml.replace(yaml.find("lr: {log_range: [0.001, 0.1]}"), 29, "lr: 0.01");
    yaml.replace(yaml.find("optional: true, "), 16, "");
    const SearchRun run = run_synthetic_search(parse_experiment(yaml, "exp.yaml"), workers);
    ASSERT_EQ(run.outcome.evaluations.size(), 18u);
    int reused = 0;
    for (const EvaluationRecord& record : run.outcome.evaluations) {
      if (record.metrics.message.find("its result is reused") != std::string::npos) ++reused;
    }
    EXPECT_GE(reused, 6) << "at most 4 distinct recipes per generation of 6 are evaluated after the first";
    if (reference.empty()) {
      reference = comparable_rows(run.outcome);
    } else {
      EXPECT_EQ(comparable_rows(run.outcome), reference);
    }
  }
}

Experiment seeded_experiment_in(const std::filesystem::path& folder) {
  std::string yaml = synthetic_experiment_yaml((folder / "out").string(), "reproducible", 18);
  yaml.replace(yaml.find("{int_range: [2, 8]}"), 19, "{int_range: [2, 8], per_layer: [conv1, fc1], default: 8}");
  yaml.replace(yaml.find("population: 6}"), 14, "population: 6, sensitivity_seeds: 3}");
  return parse_experiment(yaml, (folder / "experiment.yaml").string());
}

TEST(Coordinator, SensitivityProbesSeedTheFirstGenerationTheSameWayOnEveryRun) {
  lathe::test_support::TempDir whole_dir;
  const Experiment experiment = seeded_experiment_in(whole_dir.path());
  const SearchRun whole = run_synthetic_search(experiment, 2);
  const SearchHistory history = read_search_history((whole_dir.path() / "out" / "journal.lathe").string());
  ASSERT_EQ(history.probes.size(), 2u);  // one per layer of quantize.weight_bits
  EXPECT_TRUE(history.probes.contains("quantize.weight_bits.conv1"));
  // The first candidates are the seeds: the middle of every range but the probed bits.
  EXPECT_NE(whole.outcome.evaluations[0].point_json.find("\"prune.ratio\": 0.5"), std::string::npos)
      << whole.outcome.evaluations[0].point_json;
  for (const int workers : {1, 3}) {
    lathe::test_support::TempDir dir;
    EXPECT_EQ(comparable_rows(run_synthetic_search(seeded_experiment_in(dir.path()), workers).outcome),
              comparable_rows(whole.outcome));
  }
  // Killed among the probes (the journal cut just after the first): same results.
  lathe::test_support::TempDir cut_dir;
  std::filesystem::create_directories(cut_dir.path() / "out");
  const std::filesystem::path journal = cut_dir.path() / "out" / "journal.lathe";
  std::filesystem::copy_file(whole_dir.path() / "out" / "journal.lathe", journal);
  std::ifstream in(journal);
  std::string line;
  std::uintmax_t keep = 0;
  while (std::getline(in, line)) {
    keep += line.size() + 1;
    if (line.find("\"type\": \"probe\"") != std::string::npos) break;
  }
  in.close();
  std::filesystem::resize_file(journal, keep);
  EXPECT_EQ(comparable_rows(run_synthetic_search(seeded_experiment_in(cut_dir.path()), 2).outcome),
            comparable_rows(whole.outcome));
}

std::string fallback_experiment_yaml(const std::filesystem::path& folder, const std::string& chain) {
  std::string yaml = test_support::synthetic_experiment_yaml((folder / "out").string());
  const std::string strategy = "strategy: {name: nsga2, population: 6}\n";
  yaml.replace(yaml.find(strategy), strategy.size(), "strategy:\n  name: fallback\n  chain:\n" + chain);
  return yaml;
}

TEST(Coordinator, FallbackChainStopsAtTheFirstAttemptThatMeetsTheConstraints) {
  lathe::test_support::TempDir dir;
  // Attempt 0 (ratio 0.9, 2 bits) loses too much accuracy; attempt 1 (ratio 0.2, 8 bits)
  // meets the target; attempt 2 would start from the best, so it is never asked.
  const Experiment experiment = parse_experiment(
      fallback_experiment_yaml(dir.path(),
                               "    - {point: {prune.present: \"true\", prune.ratio: 0.9, quantize.weight_bits: 2,"
                               " finetune.lr: 0.01}}\n"
                               "    - {point: {prune.ratio: 0.2, quantize.weight_bits: 8, finetune.lr: 0.01}}\n"
                               "    - {point: {quantize.weight_bits: 3}, start_from: best}\n"),
      (dir.path() / "experiment.yaml").string());
  const SearchRun run = run_synthetic_search(experiment, 2);
  ASSERT_EQ(run.outcome.evaluations.size(), 2u);
  EXPECT_FALSE(run.outcome.evaluations[0].feasible);
  EXPECT_TRUE(run.outcome.evaluations[1].feasible);
}

TEST(Coordinator, FallbackAttemptFromTheBestStartsFromItsArtifactAndSaysSo) {
  lathe::test_support::TempDir dir;
  const Experiment experiment = parse_experiment(
      fallback_experiment_yaml(dir.path(),
                               "    - {point: {prune.ratio: 0.9, quantize.weight_bits: 2, finetune.lr: 0.01}}\n"
                               "    - {point: {prune.ratio: 0.8, quantize.weight_bits: 2, finetune.lr: 0.01}}\n"
                               "    - {point: {quantize.weight_bits: 3, finetune.lr: 0.01}, start_from: best}\n"),
      (dir.path() / "experiment.yaml").string());
  const SearchRun run = run_synthetic_search(experiment, 2);
  ASSERT_EQ(run.outcome.evaluations.size(), 3u);
  const std::string& recipe = run.outcome.evaluations[2].recipe_yaml;
  // Attempt 1 (ratio 0.8) loses less accuracy than attempt 0: it is the best so far.
  EXPECT_EQ(recipe.rfind("# applied to the model of candidate 1 (artifacts/candidate-000001.h5), not to the base\n", 0),
            0u)
      << recipe;
}

TEST(SearchOutput, RefusesAFolderHoldingAnotherExperiment) {
  lathe::test_support::TempDir dir;
  (void)run_synthetic_search(experiment_in(dir.path(), "reproducible", 6), 1);
  const std::string journal = (dir.path() / "out" / "journal.lathe").string();
  const auto before = std::filesystem::file_size(journal);
  std::string other_yaml = synthetic_experiment_yaml((dir.path() / "out").string(), "reproducible", 6);
  other_yaml.replace(other_yaml.find("seed: 5"), 7, "seed: 6");
  const Experiment other = parse_experiment(other_yaml, "other.yaml");
  try {
    (void)open_search_output(other);
    FAIL() << "expected the folder to be refused";
  } catch (const lathe::Error& e) {
    EXPECT_NE(std::string(e.what()).find("holds the search of experiment 'synthetic'"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(journal), before);
}

TEST(SearchOutput, RefusesAFolderWithFilesButNoJournal) {
  lathe::test_support::TempDir dir;
  std::filesystem::create_directories(dir.path() / "out");
  std::ofstream(dir.path() / "out" / "precious.txt") << "keep me";
  EXPECT_THROW((void)open_search_output(experiment_in(dir.path())), lathe::Error);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "out" / "precious.txt"));
}

TEST(SearchOutput, LargerBudgetContinuesAFinishedSearch) {
  lathe::test_support::TempDir dir;
  (void)run_synthetic_search(experiment_in(dir.path(), "reproducible", 12), 2);
  const SearchRun more = run_synthetic_search(experiment_in(dir.path(), "reproducible", 18), 2);
  EXPECT_EQ(more.outcome.evaluations.size(), 18u);
}

}  // namespace
}  // namespace lathe::search
