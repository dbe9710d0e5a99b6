// The campaign file: its matrix of tasks, each task's experiment (the named experiment
// with the cell's strategy, seed, base and budget in place of its own, its other lines
// where they were), and one clear message for every kind of bad input.
#include <gtest/gtest.h>

#include <filesystem>

#include "campaign/campaign_file.h"
#include "campaign/task_experiment.h"
#include "core/error.h"
#include "support/campaign_runs.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace lathe::campaign {
namespace {

using test_support::read_text;

const std::string kSynthetic = LATHE_SOURCE_DIR "/configs/experiments/tiny_synthetic.yaml";
const std::string kPerLayer = LATHE_SOURCE_DIR "/configs/experiments/tiny_per_layer.yaml";

// Line numbers matter to the messages below: name 1, output 2, experiments 3-5,
// strategies 6-8, seeds 9, budget 10, slurm 11.
std::string valid_campaign() {
  return "name: t\n"
         "output: out/campaigns/t\n"
         "experiments:\n"
         "  - " + kSynthetic + "\n"
         "  - " + kPerLayer + "\n"
         "strategies:\n"
         "  - {label: random, name: random, population: 3}\n"
         "  - {label: nsga2, name: nsga2, population: 3}\n"
         "seeds: [1, 2]\n"
         "budget: {evaluations: 6}\n"
         "slurm: {partition: lathe}\n";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(CampaignFile, MatrixIsExperimentsTimesStrategiesTimesSeedsWithReadableFolderNames) {
  const Campaign campaign = parse_campaign(valid_campaign(), "campaign.yaml");
  ASSERT_EQ(campaign.tasks.size(), 2u * 2u * 2u);
  const std::vector<std::string> names = {
      "tiny_synthetic-random-seed1", "tiny_synthetic-random-seed2", "tiny_synthetic-nsga2-seed1",
      "tiny_synthetic-nsga2-seed2",  "tiny_per_layer-random-seed1", "tiny_per_layer-random-seed2",
      "tiny_per_layer-nsga2-seed1",  "tiny_per_layer-nsga2-seed2"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(campaign.tasks[i].index, i);
    EXPECT_EQ(campaign.tasks[i].name, names[i]);
    EXPECT_EQ(task_folder(campaign, campaign.tasks[i]), "out/campaigns/t/" + names[i]);
  }
}

TEST(CampaignFile, BasesAddAnAxisAndReplaceTheExperimentsBase) {
  const Campaign campaign = parse_campaign(
      valid_campaign() + "bases:\n  - {label: big, base: out/tests/big.h5}\n"
                         "  - {label: small, base: out/tests/small.h5, train: configs/tests/train_synthetic.yaml}\n",
      "campaign.yaml");
  ASSERT_EQ(campaign.tasks.size(), 16u);
  EXPECT_EQ(campaign.tasks[0].name, "tiny_synthetic-big-random-seed1");
  EXPECT_EQ(campaign.tasks[4].name, "tiny_synthetic-small-random-seed1");
  const search::Experiment big = task_experiment(campaign, campaign.tasks[0]);
  EXPECT_EQ(big.file.base, "out/tests/big.h5");
  EXPECT_EQ(big.file.train, "") << "a base without a training config must not train the experiment's";
  const search::Experiment small = task_experiment(campaign, campaign.tasks[4]);
  EXPECT_EQ(small.file.base, "out/tests/small.h5");
  EXPECT_EQ(small.file.train, "configs/tests/train_synthetic.yaml");
}

TEST(CampaignFile, TaskExperimentReplacesItsKeysAndKeepsEveryOtherLineWhereItWas) {
  const Campaign campaign = parse_campaign(valid_campaign(), "campaign.yaml");
  const CampaignTask& task = campaign.tasks[3];  // tiny_synthetic, nsga2, seed 2
  const std::string text = task_experiment_text(campaign, task);
  const search::Experiment experiment = task_experiment(campaign, task);
  EXPECT_EQ(experiment.file.name, "tiny_synthetic-nsga2-seed2");
  EXPECT_EQ(experiment.file.seed, 2);
  EXPECT_EQ(experiment.file.output, "out/campaigns/t/tiny_synthetic-nsga2-seed2");
  EXPECT_EQ(experiment.file.strategy.name, "nsga2");
  EXPECT_EQ(experiment.file.strategy.population, 3);
  EXPECT_EQ(experiment.file.budget.evaluations, 6);
  EXPECT_EQ(experiment.path, kSynthetic);
  // Every line of the experiment file is still on its line: commented out ("#~ ") when
  // the campaign replaces its key, unchanged otherwise.
  std::istringstream original(read_text(kSynthetic));
  std::istringstream written(text);
  std::string want, got;
  int replaced_lines = 0;
  while (std::getline(original, want)) {
    ASSERT_TRUE(std::getline(written, got));
    if (got != want) {
      EXPECT_EQ(got, "#~ " + want);
      ++replaced_lines;
    }
  }
  EXPECT_EQ(replaced_lines, 5);  // name, seed, output, budget, strategy
  // The seed changes what is searched; the budget does not (a campaign's budget may grow).
  EXPECT_NE(task_experiment(campaign, campaign.tasks[2]).identity, experiment.identity);
  const Campaign larger = parse_campaign(replaced(valid_campaign(), "evaluations: 6", "evaluations: 9"), "c.yaml");
  EXPECT_EQ(task_experiment(larger, larger.tasks[3]).identity, experiment.identity);
}

TEST(CampaignFile, MatrixOnlyReadingNeedsNoExperimentFile) {
  const std::string text = replaced(valid_campaign(), kPerLayer, "/nowhere/other.yaml");
  const Campaign campaign = parse_campaign(text, "campaign.yaml", Reading::matrix_only);
  EXPECT_EQ(campaign.tasks.size(), 8u);
  EXPECT_EQ(campaign.tasks[4].name, "other-random-seed1");
}

struct BadCase {
  std::string what;
  std::string from;
  std::string to;
  std::vector<std::string> expected;  // each must be in the message
};

TEST(CampaignFile, BadInputNamesTheFileLineKeyWhatWasExpectedAndWhatWasFound) {
  // tiny_synthetic without its accuracy limit.
  test_support::TempDir dir;
  const std::string no_limit = dir.file("no_limit.yaml");
  dir.write("no_limit.yaml", replaced(read_text(kSynthetic), "constraints: {max_accuracy_drop: 0.2}\n", ""));
  const std::vector<BadCase> cases = {
      {"unknown key", "seeds: [1, 2]", "seed: [1, 2]",
       {"campaign.yaml:9: seed: unknown key", "did you mean 'seeds'?"}},
      {"unknown key in a strategy", "name: random, population: 3", "name: random, populaton: 3",
       {"campaign.yaml:7: strategies[0].populaton: unknown key", "did you mean 'population'?"}},
      {"seed not an integer", "seeds: [1, 2]", "seeds: [1, two]",
       {"campaign.yaml:9: seeds[1]: expected an integer in [0, 4.6e18]", "got 'two'"}},
      {"seed repeated", "seeds: [1, 2]", "seeds: [2, 2]", {"campaign.yaml:9: seeds[1]: seed 2 is named twice"}},
      {"out of range", "slurm: {partition: lathe}", "slurm: {partition: lathe, ranks: 0}",
       {"campaign.yaml:11: slurm.ranks: expected an integer in [1, 4096], got 0"}},
      {"wrong type", "slurm: {partition: lathe}", "slurm: {partition: lathe, time_minutes: soon}",
       {"campaign.yaml:11: slurm.time_minutes: expected a number greater than 0, got 'soon'"}},
      {"unknown strategy", "name: nsga2, population", "name: nsga3, population",
       {"campaign.yaml:8: strategies[1].name: expected one of nsga2, random, grid", "got 'nsga3'",
        "did you mean 'nsga2'?"}},
      {"label repeated", "label: nsga2", "label: random",
       {"campaign.yaml:8: strategies[1].label: 'random' is named twice"}},
      {"label with a dash", "label: nsga2", "label: nsga-2",
       {"campaign.yaml:8: strategies[1].label: expected letters, digits and _ only", "got 'nsga-2'"}},
      {"label missing", "label: nsga2, ", "", {"campaign.yaml:8: strategies[1].label: required key is missing"}},
      {"no strategies",
       "strategies:\n  - {label: random, name: random, population: 3}\n  - {label: nsga2, name: nsga2, population: 3}\n",
       "strategies: []\n", {"campaign.yaml:6: strategies: expected a non-empty list of strategy entries", "got an empty list"}},
      {"strategies not a list",
       "strategies:\n  - {label: random, name: random, population: 3}\n  - {label: nsga2, name: nsga2, population: 3}\n",
       "strategies: nsga2\n", {"campaign.yaml:6: strategies: expected a non-empty list", "got 'nsga2'"}},
      {"missing experiment", kPerLayer, "/nowhere/missing.yaml",
       {"campaign.yaml:5: experiments[1]: /nowhere/missing.yaml: no such file"}},
      {"experiment named twice", kPerLayer, kSynthetic,
       {"campaign.yaml:5: experiments[1] (the file's name): 'tiny_synthetic' is named twice"}},
      {"not an experiment file", kPerLayer, "/nowhere/runs.txt",
       {"campaign.yaml:5: experiments[1]: expected an experiment file ending in .yaml", "got '/nowhere/runs.txt'"}},
      {"strategy breaks a rule of the experiment", "{label: nsga2, name: nsga2, population: 3}",
       "{label: nsga2, name: nsga2, population: 3, sensitivity_seeds: 5}",
       {"campaign.yaml:8: strategies[1] (nsga2) on " + kSynthetic,
        "strategy.sensitivity_seeds: expected at most strategy.population (3) seeds, got 5"}},
      {"no reference for the hypervolume", kPerLayer, no_limit,
       {"campaign.yaml: summary.reference_accuracy_drop: " + no_limit + " has no constraints.max_accuracy_drop"}},
      {"budget without an end", "budget: {evaluations: 6}", "budget: {evaluations: 0}",
       {"campaign.yaml:10: budget: expected evaluations or wall_minutes greater than 0"}},
      {"name missing", "name: t\n", "", {"campaign.yaml:1: name: required key is missing"}},
      {"bad sbatch option", "slurm: {partition: lathe}", "slurm: {partition: lathe, options: [qos=debug]}",
       {"campaign.yaml:11: slurm.options[0]: expected an sbatch option `--name=value`, got 'qos=debug'"}},
      {"drop out of range", "budget: {evaluations: 6}", "budget: {evaluations: 6}\nsummary: {accuracy_drops: [0.01, 2]}",
       {"campaign.yaml:11: summary.accuracy_drops: expected a number in [0, 1], got 2"}},
      {"not YAML", "seeds: [1, 2]", "seeds: [1, 2", {"campaign.yaml:", "not valid YAML"}},
  };
  for (const BadCase& bad : cases) {
    const std::string text = replaced(valid_campaign(), bad.from, bad.to);
    try {
      (void)parse_campaign(text, "campaign.yaml");
      ADD_FAILURE() << bad.what << ": accepted";
    } catch (const Error& e) {
      for (const std::string& part : bad.expected) {
        EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
            << bad.what << ": expected '" << part << "' in: " << e.what();
      }
    }
  }
}

TEST(CampaignFile, ShippedCampaignsAreValid) {
  int campaigns = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LATHE_SOURCE_DIR "/configs/campaigns")) {
    ++campaigns;
    const test_support::RunResult r = test_support::run_lathe("campaign " + entry.path().string() + " --check");
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.output;
    EXPECT_NE(r.output.find("valid;"), std::string::npos) << r.output;
  }
  EXPECT_GE(campaigns, 2);
}

TEST(CampaignFile, DocsMatchTheDeclarations) {
  const test_support::RunResult r = test_support::run_lathe("campaign --help --markdown");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(read_text(LATHE_SOURCE_DIR "/docs/campaign-files.md").find(r.output), std::string::npos)
      << "docs/campaign-files.md is out of date: run scripts/update-docs.sh";
}

}  // namespace
}  // namespace lathe::campaign
