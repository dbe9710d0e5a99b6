// `base_search`: a search that starts from the smallest feasible model of an earlier one
// (pruning, then quantisation), judged against the earlier search's base.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_lathe.h"
#include "support/search_cli_files.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

// The base as `lathe results --json` gives it.
std::string base_json(const std::filesystem::path& out) {
  const RunResult json = run_lathe("results " + out.string() + " --json");
  const std::size_t at = json.output.find("\"base\": {");
  return at == std::string::npos ? "" : json.output.substr(at, json.output.find('}', at) - at);
}

TEST(ChainedSearch, StartsFromTheEarlierSearchsSmallestFeasibleModelAndJudgesAgainstItsBase) {
  TempDir dir;
  const std::filesystem::path pruned = dir.path() / "pruned";
  ASSERT_EQ(run_lathe("search " LATHE_SOURCE_DIR "/configs/experiments/tiny_ablation_greedy.yaml --output " +
                      pruned.string()).exit_code, 0);
  const std::filesystem::path out = dir.path() / "quantised";
  const std::filesystem::path experiment = chained_experiment(dir, pruned, out);
  const RunResult run = run_lathe("search " + experiment.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("candidate-000005.h5, the smallest feasible model of"), std::string::npos) << run.output;
  // Candidate 5, the ablation search's one feasible model, has 156 parameters; quantising
  // keeps them all.
  EXPECT_EQ(csv_column(out, "parameter_count"), (std::vector<std::string>(4, "156")));
  const std::string base = base_json(pruned);
  ASSERT_FALSE(base.empty());
  EXPECT_EQ(base_json(out), base) << "constraints and sizes are measured against the first search's base";
  // Run again: the same search, resumed, changes nothing.
  const std::string before = comparable_results(out);
  const RunResult again = run_lathe("search " + experiment.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(comparable_results(out), before);
}

TEST(ChainedSearch, RefusesAnEarlierFolderWithoutASearchOrWithoutAFeasibleModel) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "quantised";
  const RunResult none = run_lathe("search " + chained_experiment(dir, dir.path() / "nothing", out).string());
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.output.find("chained.yaml: base_search: " + (dir.path() / "nothing").string() +
                             ": no search there (no journal.lathe); run that search first"),
            std::string::npos)
      << none.output;
  const RunResult check = run_lathe("search --check " + chained_experiment(dir, dir.path() / "nothing", out).string());
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("not run yet, space not probed"), std::string::npos) << check.output;

  const std::filesystem::path pruned = dir.path() / "pruned";
  ASSERT_EQ(run_lathe("search " LATHE_SOURCE_DIR "/configs/experiments/tiny_ablation_greedy.yaml --output " +
                      pruned.string()).exit_code, 0);
  std::filesystem::remove_all(pruned / "artifacts");
  const RunResult lost = run_lathe("search " + chained_experiment(dir, pruned, out).string());
  EXPECT_NE(lost.exit_code, 0);
  EXPECT_NE(lost.output.find("none of its 6 evaluations is a feasible model with its artifact"), std::string::npos)
      << lost.output;
  EXPECT_FALSE(std::filesystem::exists(out)) << "nothing is written before the base is known";
}

TEST(ChainedSearch, RefusesABaseOrTrainingConfigBesideTheEarlierSearch) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "quantised";
  const RunResult both = run_lathe(
      "search " + chained_experiment(dir, dir.path() / "pruned", out, "base: out/tests/tiny_cnn.h5\n").string());
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.output.find("base_search: give it instead of base, not with it"), std::string::npos) << both.output;
  const RunResult train = run_lathe("search " + chained_experiment(dir, dir.path() / "pruned", out,
                                                                   "train: configs/tests/train_synthetic.yaml\n")
                                                    .string());
  EXPECT_NE(train.exit_code, 0);
  EXPECT_NE(train.output.find("base_search: give it instead of train"), std::string::npos) << train.output;
}

}  // namespace
}  // namespace lathe::test_support
