// The coordinator's side of a stop that pauses candidates (over the in-memory transport,
// with the analytic evaluator): each candidate in flight at the interrupt answers paused,
// the journal records its state file, and the next run sends it again with that state, in
// either mode; a reproducible search ends with the results of one never stopped.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "search/journal.h"
#include "search/synthetic_search.h"
#include "support/temp_dir.h"

namespace lathe::search {
namespace {

using test_support::comparable_rows;
using test_support::run_synthetic_search;
using test_support::synthetic_experiment_yaml;

Experiment experiment_in(const std::filesystem::path& folder, const std::string& mode) {
  return parse_experiment(synthetic_experiment_yaml((folder / "out").string(), mode, 18),
                          (folder / "experiment.yaml").string());
}

// The ids of the journal's records of `type` that contain `text`.
std::set<std::int64_t> ids_of(const Experiment& experiment, const std::string& type, const std::string& text = "") {
  std::set<std::int64_t> ids;
  for (const std::string& payload : read_journal(search_paths(experiment.file.output).journal).payloads) {
    if (payload.find("\"type\": \"" + type + "\"") == std::string::npos) continue;
    if (payload.find(text) == std::string::npos) continue;
    const std::size_t at = payload.find("\"id\": ");
    if (at != std::string::npos) ids.insert(std::stoll(payload.substr(at + 6)));
  }
  return ids;
}

class PausedCandidates : public testing::TestWithParam<const char*> {};

TEST_P(PausedCandidates, AreJournaledWithTheirStateAndSentWithItOnTheNextRunToTheSameResults) {
  lathe::test_support::TempDir whole_dir;
  const auto whole = run_synthetic_search(experiment_in(whole_dir.path(), GetParam()), 2);
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path(), GetParam());
  // Candidates of 20-30 ms on 2 workers: at the 5th result the other worker is busy.
  const auto first = run_synthetic_search(experiment, 2, /*stop_after=*/5, false, 20, 30, /*pause_in_flight=*/true);
  EXPECT_TRUE(first.interrupted);
  const std::set<std::int64_t> paused = ids_of(experiment, "paused", "\"state\": \"paused/candidate-");
  ASSERT_FALSE(paused.empty());
  for (const EvaluationRecord& record : first.outcome.evaluations) EXPECT_FALSE(paused.contains(record.id)) << record.id;

  const auto second = run_synthetic_search(experiment, 3);
  EXPECT_FALSE(second.interrupted);
  for (const std::int64_t id : paused) {
    EXPECT_TRUE(ids_of(experiment, "dispatched", "\"continues_paused\": \"paused/candidate-" + std::to_string(id) + ".h5\"")
                    .contains(id))
        << id;
  }
  // The asynchronous mode's results depend on the order results arrive in: only its budget.
  if (std::string(GetParam()) == "reproducible") {
    EXPECT_EQ(comparable_rows(second.outcome), comparable_rows(whole.outcome));
  } else {
    EXPECT_EQ(second.outcome.evaluations.size(), whole.outcome.evaluations.size());
  }
}

TEST(PausedCandidatesRules, APauseOfOneWorkerAloneSendsItsCandidateToAnotherAndTheSearchGoesOn) {
  lathe::test_support::TempDir whole_dir;
  const auto whole = run_synthetic_search(experiment_in(whole_dir.path(), "reproducible"), 2);
  lathe::test_support::TempDir dir;
  const Experiment experiment = experiment_in(dir.path(), "reproducible");
  const auto run = run_synthetic_search(experiment, 2, 0, false, 0, 0, false, /*stopping_rank=*/1);
  EXPECT_FALSE(run.interrupted);
  const std::set<std::int64_t> paused = ids_of(experiment, "paused");
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_TRUE(ids_of(experiment, "dispatched", "\"rank\": 2, \"continues_paused\"").contains(*paused.begin()));
  EXPECT_EQ(comparable_rows(run.outcome), comparable_rows(whole.outcome));
}

INSTANTIATE_TEST_SUITE_P(BothModes, PausedCandidates, testing::Values("reproducible", "asynchronous"));

}  // namespace
}  // namespace lathe::search
