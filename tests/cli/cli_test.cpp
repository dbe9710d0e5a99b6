// The `lathe` executable as a user meets it: help, exit codes, one-line errors that
// name the file and key, and a real train-then-evaluate run on synthetic data.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using lathe::test_support::RunResult;
using lathe::test_support::TempDir;
using lathe::test_support::run_lathe;

const char* kSyntheticConfig =
    "model: configs/tests/tiny_cnn.yaml\n"
    "data: {format: synthetic, synthetic: {classes: 4, channels: 1, height: 8, width: 8, train_size: 400, test_size: 100, noise: 0.3}}\n"
    "epochs: 1\nbatch_size: 32\nthreads: 1\n";

TEST(Cli, HelpListsTheCommands) {
  const RunResult r = run_lathe("--help");
  EXPECT_EQ(r.exit_code, 0);
  // Each command as its own line of the list under "commands:" (the name, then its
  // summary), not merely somewhere in the text: "Lathe trains ..." contains "train" too.
  const auto list = r.output.find("\ncommands:\n");
  ASSERT_NE(list, std::string::npos) << r.output;
  const std::string commands = r.output.substr(list);
  for (const char* name : {"train", "evaluate", "compress", "ablate", "fallback", "search", "results", "report"}) {
    const auto line = commands.find(std::string("\n  ") + name + " ");
    ASSERT_NE(line, std::string::npos) << name << " is not in the command list:\n" << r.output;
    const std::string rest = commands.substr(line + 3 + std::string(name).size());
    EXPECT_GT(rest.find_first_not_of(' '), 1U) << name << ": no gap before its summary";
    EXPECT_NE(rest.substr(0, rest.find('\n')).find_first_not_of(' '), std::string::npos) << name << ": no summary";
  }
}

TEST(Cli, TrainHelpListsEveryConfigKeyWithItsRange) {
  const RunResult r = run_lathe("train --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("optimizer.lr  number in (0, 10] (default 0.05)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("data.validation_fraction"), std::string::npos);
}

TEST(Cli, UnknownCommandExitsWithUsageError) {
  const RunResult r = run_lathe("trian");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown command 'trian'"), std::string::npos);
}

TEST(Cli, UnknownOptionSuggestsTheNearestOne) {
  const RunResult r = run_lathe("evaluate x.h5 --thread 2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown option --thread (did you mean --threads?)"), std::string::npos) << r.output;
}

TEST(Cli, UnknownConfigKeyNamesFileLineAndKey) {
  TempDir dir;
  dir.write("bad.yaml", std::string(kSyntheticConfig) + "output: " + dir.file("m.h5") + "\noptimiser: {lr: 0.1}\n");
  const RunResult r = run_lathe("train " + dir.file("bad.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(dir.file("bad.yaml") + ":7: optimiser: unknown key (did you mean 'optimizer'?)"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir.file("m.h5")));
}

TEST(Cli, OutOfRangeValueNamesTheKeyAndTheRange) {
  TempDir dir;
  dir.write("bad.yaml", std::string(kSyntheticConfig) + "output: x.h5\noptimizer: {momentum: 1.5}\n");
  const RunResult r = run_lathe("train " + dir.file("bad.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("optimizer.momentum: expected a number in [0, 1), got 1.5"), std::string::npos) << r.output;
}

TEST(Cli, MissingConfigFileIsOneClearError) {
  const RunResult r = run_lathe("train /nonexistent/config.yaml");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent/config.yaml: no such file"), std::string::npos) << r.output;
}

TEST(Cli, MissingDataFileNamesTheFile) {
  TempDir dir;
  dir.write("bad.yaml", "model: configs/tests/tiny_cnn.yaml\noutput: x.h5\n"
                        "data: {format: idx, train_images: /nonexistent/train-images.gz}\n");
  const RunResult r = run_lathe("train " + dir.file("bad.yaml"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("/nonexistent/train-images.gz"), std::string::npos) << r.output;
}

TEST(Cli, EvaluateRejectsAFileThatIsNotACheckpoint) {
  TempDir dir;
  dir.write("notes.h5", "just text\n");
  const RunResult r = run_lathe("evaluate " + dir.file("notes.h5"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(dir.file("notes.h5")), std::string::npos) << r.output;
}

TEST(Cli, TrainWritesACheckpointThatEvaluateReadsBack) {
  TempDir dir;
  dir.write("ok.yaml", std::string(kSyntheticConfig) + "output: " + dir.file("sub/m.h5") + "\n");
  const RunResult trained = run_lathe("train " + dir.file("ok.yaml") + " --epochs 3");
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("epoch   3"), std::string::npos) << trained.output;
  ASSERT_TRUE(fs::exists(dir.file("sub/m.h5")));
  for (const auto& entry : fs::directory_iterator(dir.file("sub"))) {
    EXPECT_EQ(entry.path().filename(), "m.h5") << "left behind: " << entry.path();
  }
  const RunResult evaluated = run_lathe("evaluate " + dir.file("sub/m.h5") + " --json");
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const auto at = evaluated.output.find("\"accuracy\": ");
  ASSERT_NE(at, std::string::npos) << evaluated.output;
  // The synthetic classes are easy: three epochs must learn them well beyond chance (25%).
  EXPECT_GT(std::stod(evaluated.output.substr(at + 12)), 0.8) << evaluated.output;
}

}  // namespace

namespace {

TEST(Cli, ConfigurationDocsMatchTheDeclarations) {
  const RunResult r = run_lathe("train --help --markdown");
  ASSERT_EQ(r.exit_code, 0);
  std::ifstream docs(LATHE_SOURCE_DIR "/docs/configuration.md");
  const std::string text((std::istreambuf_iterator<char>(docs)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(r.output), std::string::npos)
      << "docs/configuration.md is out of date: run scripts/update-docs.sh";
}

TEST(Cli, RecipeDocsMatchTheDeclarations) {
  const RunResult r = run_lathe("compress --help --markdown");
  ASSERT_EQ(r.exit_code, 0);
  std::ifstream docs(LATHE_SOURCE_DIR "/docs/recipes.md");
  const std::string text((std::istreambuf_iterator<char>(docs)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find(r.output), std::string::npos)
      << "docs/recipes.md is out of date: run scripts/update-docs.sh";
}

}  // namespace
