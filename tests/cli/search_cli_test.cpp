// `lathe search`, `lathe results` and `lathe report` as a user runs them, in one process,
// with the real evaluator on the tiny synthetic experiment.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "search/protocol.h"
#include "support/browser.h"
#include "support/run_lathe.h"
#include "support/search_cli_files.h"
#include "support/search_runs.h"
#include "support/temp_dir.h"

namespace lathe::test_support {
namespace {

std::filesystem::path tiny_experiment_with(const TempDir& dir, const std::string& from, const std::string& to,
                                           const std::string& experiment = "tiny_synthetic") {
  return experiment_with(dir, {{from, to}}, experiment);
}

TEST(SearchCli, RunsASearchAndWritesJournalResultsArtifactsAndReport) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("8/8 done"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Pareto front"), std::string::npos) << run.output;
  for (const char* file : {"journal.lathe", "results.h5", "report.html", "experiment.yaml"}) {
    EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
  }
  EXPECT_EQ(journaled_results(out / "journal.lathe"), 8);
  // Every artifact left is a feasible candidate's and loads like any model.
  int artifacts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out / "artifacts")) {
    ++artifacts;
    const RunResult evaluated = run_lathe("evaluate " + entry.path().string());
    EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;
  }
  EXPECT_GT(artifacts, 0);

  const RunResult csv = run_lathe("results " + out.string() + " --csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.output;
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 9) << csv.output;  // header + 8
  const RunResult json = run_lathe("results " + out.string() + " --json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"evaluations\""), std::string::npos);

  std::filesystem::remove(out / "report.html");
  const RunResult report = run_lathe("report " + out.string());
  EXPECT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(std::filesystem::exists(out / "report.html"));
  // The real search's report in a real browser: one point per feasible evaluation, one
  // row per evaluation.
  const std::string why = why_no_chromium();
  ASSERT_TRUE(why.empty()) << why;
  const BrowserRun dom = dump_dom((out / "report.html").string(), (dir.path() / "profile").string());
  ASSERT_EQ(dom.exit_code, 0) << dom.log;
  const auto count = [&](const std::string& needle) {
    int n = 0;
    for (std::size_t at = dom.output.find(needle); at != std::string::npos; at = dom.output.find(needle, at + 1)) ++n;
    return n;
  };
  int feasible = 0;  // CSV rows "id,rung,ok,yes,..."
  for (std::size_t at = csv.output.find(",ok,yes,"); at != std::string::npos; at = csv.output.find(",ok,yes,", at + 1)) {
    ++feasible;
  }
  EXPECT_GT(feasible, 0);
  EXPECT_EQ(count("<circle class=\"point"), feasible);
  EXPECT_EQ(count("<tr id=\"eval-"), 8);

  // The same command again: the search is finished, nothing is evaluated again.
  const std::string before = comparable_results(out);
  const RunResult again = run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string());
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("resuming"), std::string::npos) << again.output;
  EXPECT_EQ(journaled_results(out / "journal.lathe"), 8);
  EXPECT_EQ(comparable_results(out), before);
}

TEST(SearchCli, RefusesAnOutputFolderOfAnotherExperiment) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "search";
  std::filesystem::create_directories(out);
  std::ofstream(out / "notes.txt") << "mine";
  const RunResult run = run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("no journal.lathe"), std::string::npos) << run.output;
  EXPECT_TRUE(std::filesystem::exists(out / "notes.txt"));
}

TEST(SearchCli, BadExperimentFailsBeforeAnyWorkWithOneMessage) {
  TempDir dir;
  // A range the prune step refuses: caught by probing the space against the base.
  const auto experiment = tiny_experiment_with(dir, "range: [0.2, 0.6]", "range: [0.2, 1.5]");
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe("search " + experiment.string() + " --output " + out.string());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("experiment.yaml: space (prune.ratio = 1.5"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("expected a number in [0, 1), got 1.5"), std::string::npos) << run.output;
  EXPECT_FALSE(std::filesystem::exists(out / "journal.lathe"));
}

TEST(SearchCli, CandidatesOverTheirTimeLimitAreRecordedAsTimeoutAndTheSearchGoesOn) {
  TempDir dir;
  const auto experiment = tiny_experiment_with(dir, "time_limit_seconds: 120", "time_limit_seconds: 0.02");
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe("search " + experiment.string() + " --output " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const RunResult csv = run_lathe("results " + out.string() + " --csv");
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 9) << csv.output;
  std::size_t timeouts = 0;
  for (std::size_t at = csv.output.find(",timeout,no,no,"); at != std::string::npos; at = csv.output.find(",timeout,no,no,", at + 1)) {
    ++timeouts;
  }
  EXPECT_EQ(timeouts, 8u) << csv.output;
  EXPECT_NE(csv.output.find("over its time limit of 0.02 s"), std::string::npos) << csv.output;
}

TEST(SearchCli, JournalCorruptInTheMiddleIsRefusedAndLeftAsItWas) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "search";
  ASSERT_EQ(run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string()).exit_code, 0);
  const std::filesystem::path journal = out / "journal.lathe";
  std::string text;
  {
    std::ifstream in(journal, std::ios::binary);
    text.assign((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  const std::size_t middle = text.find("\"type\": \"result\"");
  ASSERT_NE(middle, std::string::npos);
  text[middle + 20] = text[middle + 20] == 'x' ? 'y' : 'x';  // a flipped byte inside a record
  std::ofstream(journal, std::ios::binary) << text;
  const RunResult run = run_lathe(std::string("search ") + kTinyExperiment + " --output " + out.string());
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("journal.lathe"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("corruption inside the journal, not a torn last record; the journal was left untouched"),
            std::string::npos) << run.output;
  std::ifstream after(journal, std::ios::binary);
  const std::string unchanged((std::istreambuf_iterator<char>(after)), std::istreambuf_iterator<char>());
  EXPECT_EQ(unchanged, text);
}

TEST(SearchCli, OnePointIsEvaluatedAloneWithTheSeedOfItsId) {
  const RunResult dimensions = run_lathe(std::string("search ") + kTinyExperiment + " --dimensions");
  ASSERT_EQ(dimensions.exit_code, 0) << dimensions.output;
  EXPECT_NE(dimensions.output.find("{\"name\": \"finetune.lr\", \"kind\": \"log_real\""), std::string::npos)
      << dimensions.output;
  const std::string point =
      "'{\"prune.ratio\": 0.4, \"prune.present\": \"true\", \"quantize.weight_bits\": 3, "
      "\"quantize.act_bits\": \"8\", \"finetune.lr\": 0.01}'";
  const RunResult one = run_lathe(std::string("search ") + kTinyExperiment + " --point " + point + " --id 3");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_NE(one.output.find("\"status\": \"ok\""), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("\"seed\": " + std::to_string(search::candidate_seed(7, 3))), std::string::npos)
      << one.output;
  const RunResult bad = run_lathe(std::string("search ") + kTinyExperiment + " --point '{\"prune.ratio\": 2}'");
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("--point"), std::string::npos) << bad.output;
}

TEST(SearchCli, TrainingSweepTrainsEachPointWithItsKeysAndWritesLoadableCheckpoints) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "sweep";
  const RunResult run = run_lathe("search configs/experiments/tiny_sweep.yaml --output " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const RunResult csv = run_lathe("results " + out.string() + " --csv");
  EXPECT_EQ(std::count(csv.output.begin(), csv.output.end(), '\n'), 7) << csv.output;  // header + 6
  EXPECT_NE(csv.output.find("train.optimizer.lr"), std::string::npos) << csv.output;
  int artifacts = 0;
  std::set<std::string> configs;
  for (const auto& entry : std::filesystem::directory_iterator(out / "artifacts")) {
    ++artifacts;
    const RunResult evaluated = run_lathe("evaluate " + entry.path().string());
    EXPECT_EQ(evaluated.exit_code, 0) << evaluated.output;
    // The checkpoint holds the training config it was trained with, the point's keys in it.
    const RunResult dumped = run_lathe_command("h5dump -a /training/config " + entry.path().string());
    EXPECT_NE(dumped.output.find("momentum"), std::string::npos) << dumped.output.substr(0, 400);
    const auto start = dumped.output.find("DATA {");
    ASSERT_NE(start, std::string::npos) << dumped.output.substr(0, 400);
    configs.insert(dumped.output.substr(start));
  }
  EXPECT_EQ(artifacts, 6);
  // The base config names momentum too; what shows that each point's keys were applied is
  // that no two of the six stored configs are the same (each draws its own lr).
  EXPECT_EQ(configs.size(), 6U);
}

TEST(SearchCli, HalvingPromotionsContinueKeptStatesToTheNumbersOfRunsFromTheStart) {
  TempDir dir;
  const std::filesystem::path kept = dir.path() / "kept";
  const RunResult run = run_lathe("search " LATHE_SOURCE_DIR "/configs/experiments/tiny_halving.yaml --output " +
                                  kept.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<std::string> rungs = csv_column(kept, "rung");
  const std::vector<std::string> continued = csv_column(kept, "continued_steps");
  const std::vector<std::string> status = csv_column(kept, "status");
  EXPECT_EQ(rungs, (std::vector<std::string>{"0", "0", "0", "0", "1", "1", "2"}));
  for (std::size_t i = 0; i < rungs.size(); ++i) {
    // One process, one worker: every promotion finds its parent's state kept.
    if (rungs[i] != "0" && status[i] == "ok") {
      EXPECT_NE(continued[i], "0") << "row " << i;
    }
    if (rungs[i] == "0") {
      EXPECT_EQ(continued[i], "0") << "row " << i;
    }
  }
  // No state kept: every promotion trains from the base, to the same numbers.
  const std::filesystem::path fresh = dir.path() / "fresh";
  const std::filesystem::path experiment =
      tiny_experiment_with(dir, "candidate: {threads: 1,", "candidate: {kept_states: 0, threads: 1,", "tiny_halving");
  const RunResult again = run_lathe("search " + experiment.string() + " --output " + fresh.string());
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(comparable_results(fresh), comparable_results(kept));
  for (const std::string& steps : csv_column(fresh, "continued_steps")) EXPECT_EQ(steps, "0");
}

TEST(SearchCli, ResumingOnABaseWhoseContentsChangedIsRefusedAndTheJournalKept) {
  TempDir dir;
  const std::filesystem::path base = dir.path() / "base.h5";
  const std::filesystem::path trained = LATHE_SOURCE_DIR "/out/tests/tiny_cnn.h5";
  if (!std::filesystem::exists(trained)) {
    const RunResult train = run_lathe("train configs/tests/train_synthetic.yaml");
    ASSERT_EQ(train.exit_code, 0) << train.output;
  }
  std::filesystem::copy_file(trained, base);
  const std::filesystem::path experiment =
      tiny_experiment_with(dir, "base: out/tests/tiny_cnn.h5", "base: " + base.string());
  const std::filesystem::path out = dir.path() / "search";
  const RunResult first = run_lathe("search " + experiment.string() + " --output " + out.string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // The same path, other weights (a retrained base): the results would mix two models.
  const auto artifact = std::filesystem::directory_iterator(out / "artifacts")->path();
  std::filesystem::copy_file(artifact, base, std::filesystem::copy_options::overwrite_existing);
  const auto journal_size = std::filesystem::file_size(out / "journal.lathe");
  const RunResult again = run_lathe("search " + experiment.string() + " --output " + out.string());
  EXPECT_NE(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("its search ran on another base " + base.string()), std::string::npos) << again.output;
  EXPECT_EQ(std::filesystem::file_size(out / "journal.lathe"), journal_size);
}

TEST(SearchCli, FallbackAttemptFromTheBestCompressesThatAttemptsModelNotTheBase) {
  TempDir dir;
  // Attempt 0 prunes conv1 and stays 8-bit: too big for 160 bytes. Attempt 1, 4-bit with no
  // pruning, starts from attempt 0's model: pruned already, so it meets the target.
  const std::filesystem::path experiment = experiment_with(
      dir, {{"strategy: {name: nsga2, population: 4}",
             "strategy:\n  name: fallback\n  chain:\n"
             "    - {point: {prune.present: \"true\", prune.ratio: 0.6, quantize.weight_bits: 8}}\n"
             "    - {point: {prune.present: \"false\", quantize.weight_bits: 4}, start_from: best}\n"
             "    - {point: {quantize.weight_bits: 2}}\n"},
            {"constraints: {max_accuracy_drop: 0.2}", "constraints: {max_accuracy_drop: 0.2, max_size_bytes: 160}"}});
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe("search " + experiment.string() + " --output " + out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::vector<std::string> params = csv_column(out, "parameter_count");
  const std::vector<std::string> feasible = csv_column(out, "feasible");
  // Attempt 2 starts from the base, so it runs beside attempt 1 (on a free worker, or here
  // after it); the chain then ends, attempt 1 being the first to meet the target.
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(feasible[0], "no");
  EXPECT_EQ(feasible[1], "yes");
  EXPECT_EQ(params[1], params[0]) << "attempt 1 has attempt 0's pruned layers";
  const RunResult json = run_lathe("results " + out.string() + " --json");
  EXPECT_NE(json.output.find("# applied to the model of candidate 0 (artifacts/candidate-000000.h5)"), std::string::npos)
      << json.output;
}

TEST(SearchCli, AblationGreedyScoresEachRoundInShardsAndRemovesFromTheRoundModelUntilItFits) {
  TempDir dir;
  const std::filesystem::path out = dir.path() / "search";
  const RunResult run = run_lathe("search " LATHE_SOURCE_DIR "/configs/experiments/tiny_ablation_greedy.yaml --output " +
                                  out.string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Round 0: shards 0 and 1 score the base's 4 filters, candidate 2 removes one (952 bytes,
  // over the 900 limit); round 1 scores candidate 2's model and candidate 5 removes another.
  EXPECT_EQ(csv_column(out, "parameter_count"), (std::vector<std::string>{"308", "308", "232", "232", "232", "156"}));
  EXPECT_EQ(csv_column(out, "feasible"), (std::vector<std::string>{"no", "no", "no", "no", "no", "yes"}));
  const std::vector<std::string> violated = csv_column(out, "violated");
  EXPECT_NE(violated[3].find("scores ablation groups (not a model of its own)"), std::string::npos) << violated[3];
  for (const char* table : {"candidate-000000-scores.h5", "candidate-000004-scores.h5", "round-000-scores.h5",
                            "round-001-scores.h5"}) {
    EXPECT_TRUE(std::filesystem::exists(out / "ablation" / table)) << table;
  }
  // Round 0's model is kept although it misses the limit: round 1 starts from it.
  EXPECT_TRUE(std::filesystem::exists(out / "artifacts/candidate-000002.h5"));
  const RunResult json = run_lathe("results " + out.string() + " --json");
  EXPECT_NE(json.output.find("# applied to the model of candidate 2 (artifacts/candidate-000002.h5)"), std::string::npos)
      << json.output;

  // The shards' scores merged choose what one worker scoring every filter chooses: the
  // same recipe without rounds (strategy grid), with candidate 2's seed, gives candidate 2.
  const std::filesystem::path single = experiment_with(
      dir, {{"strategy: {name: ablation_greedy, shards: 2, rounds: 3}", "strategy: {name: grid}"}}, "tiny_ablation_greedy");
  const RunResult one = run_lathe("search " + single.string() + " --point '{}' --id 2");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  // Compared as numbers: the CSV writes a double's shortest exact form, the JSON 17 digits,
  // so the same value can read 0.2490336060523987 in one and 0.24903360605239869 in the other.
  const double loss = std::stod(csv_column(out, "validation_loss")[2]);
  EXPECT_EQ(YAML::Load(one.output)["record"]["metrics"]["validation_loss"].as<double>(), loss) << one.output;
}

TEST(SearchCli, AblationGreedyKilledAtAnyInstantResumesToTheSameResults) {
  TempDir dir;
  const std::filesystem::path whole = dir.path() / "whole";
  const std::string experiment = LATHE_SOURCE_DIR "/configs/experiments/tiny_ablation_greedy.yaml";
  ASSERT_EQ(run_lathe("search " + experiment + " --output " + whole.string()).exit_code, 0);
  const auto bytes = static_cast<double>(std::filesystem::file_size(whole / "journal.lathe"));
  // The folder as a kill -9 leaves it: every file a worker or the coordinator wrote, the
  // journal cut anywhere (inside round 0, between rounds, inside round 1).
  for (const double fraction : {0.3, 0.55, 0.8}) {
    const std::filesystem::path cut = dir.path() / ("cut-" + std::to_string(fraction));
    std::filesystem::copy(whole, cut, std::filesystem::copy_options::recursive);
    std::filesystem::resize_file(cut / "journal.lathe", static_cast<std::uintmax_t>(fraction * bytes));
    const RunResult resumed = run_lathe("search " + experiment + " --output " + cut.string());
    ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_EQ(comparable_results(cut), comparable_results(whole)) << "cut at " << fraction;
  }
}

TEST(SearchCli, ExperimentDocsMatchTheDeclarations) {
  const RunResult r = run_lathe("search --help --markdown");
  ASSERT_EQ(r.exit_code, 0);
  std::ifstream docs(LATHE_SOURCE_DIR "/docs/experiments.md");
  const std::string text((std::istreambuf_iterator<char>(docs)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(r.output), std::string::npos)
      << "docs/experiments.md is out of date: run scripts/update-docs.sh";
}

TEST(SearchCli, ShippedExperimentsAreValid) {
  for (const auto& entry : std::filesystem::directory_iterator(LATHE_SOURCE_DIR "/configs/experiments")) {
    const RunResult r = run_lathe("search --check " + entry.path().string());
    EXPECT_EQ(r.exit_code, 0) << entry.path() << ": " << r.output;
  }
}

}  // namespace
}  // namespace lathe::test_support
