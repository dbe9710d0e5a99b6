// `lathe compress`, `lathe evaluate` on its output and `lathe fallback`, end to end on a
// small model trained on synthetic data, and the recipe errors a user meets first.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/int8_support.h"
#endif
#include "nn/layers/integer_layer.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using lathe::test_support::RunResult;
using lathe::test_support::TempDir;
using lathe::test_support::run_lathe;

// One trained base for every test in this file (training takes about a second).
class CompressCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    dir_->write("train.yaml",
                "model: configs/tests/small_cnn.yaml\n"
                "data: {format: synthetic, validation_fraction: 0.2, synthetic: {classes: 4, "
                "channels: 1, height: 8, width: 8, train_size: 800, test_size: 200, noise: 0.3}}\n"
                "optimizer: {kind: sgd, lr: 0.05, momentum: 0.9}\n"
                "epochs: 3\nbatch_size: 32\nseed: 3\nthreads: 1\noutput: " + dir_->file("base.h5") + "\n");
    const RunResult r = run_lathe("train " + dir_->file("train.yaml"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string base() { return dir_->file("base.h5"); }
  static RunResult compress(const std::string& name, const std::string& recipe) {
    dir_->write(name + ".yaml", recipe);
    return run_lathe("compress " + base() + " " + dir_->file(name + ".yaml") + " -o " +
                     dir_->file(name + ".h5") + " --threads 1 --batch-size 32 --no-latency");
  }
  static TempDir* dir_;
};

TempDir* CompressCli::dir_ = nullptr;

TEST_F(CompressCli, EveryMethodInOneRecipeGivesASmallerModelThatEvaluateLoads) {
  const RunResult r = compress(
      "all", "- prune: {method: filter, saliency: l1, select: ratio, ratio: 0.5, layers: [conv1, fc1]}\n"
             "- quantize: {method: qat, weight_bits: 4, act_bits: 8}\n"
             "- distill: {kind: logits, temperature: 4, alpha: 0.5}\n"
             "- finetune: {epochs: 1, lr: 0.01}\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("stored bytes"), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(dir_->file("all.h5")));
  const RunResult e = run_lathe("evaluate " + dir_->file("all.h5") + " --json");
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("\"size_bytes\""), std::string::npos) << e.output;
}

TEST_F(CompressCli, SharedWeightsArtifactLoadsAndIsSmaller) {
  const RunResult r = compress(
      "share", "- share: {components: 8, min_members: 2}\n- finetune: {epochs: 1, lr: 0.01}\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const RunResult e = run_lathe("evaluate " + dir_->file("share.h5"));
  EXPECT_EQ(e.exit_code, 0) << e.output;
}

TEST_F(CompressCli, PostTrainingQuantizationNeedsNoFinetune) {
  const RunResult r = compress("ptq", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8}\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
}

// `lathe evaluate` says where a quantised artifact's layers ran: on int8 kernels, or on
// the simulated path and why (a build without oneDNN, a CPU without int8 kernels).
TEST_F(CompressCli, EvaluateSaysWhichQuantisedLayersRanOnInt8Kernels) {
  // small_cnn has four quantised layers: conv1, conv2, fc1, fc.
  const RunResult r = compress("ptq4", "- quantize: {method: ptq, weight_bits: 4, act_bits: 8}\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const RunResult text = run_lathe("evaluate " + dir_->file("ptq4.h5") + " --threads 1");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  const RunResult json = run_lathe("evaluate " + dir_->file("ptq4.h5") + " --threads 1 --json");
  ASSERT_EQ(json.exit_code, 0) << json.output;
  const std::string why_not = lathe::nn::why_no_integer_kernels();
  if (why_not.empty()) {
    EXPECT_NE(text.output.find("quantised layers: 4 on int8 kernels, 0 on the simulated path"),
              std::string::npos)
        << text.output;
    EXPECT_NE(json.output.find("\"int8_layers\": 4, \"simulated_layers\": 0}"), std::string::npos)
        << json.output;
  } else {
    EXPECT_NE(text.output.find("quantised layers: 0 on int8 kernels, 4 on the simulated path"),
              std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find(why_not), std::string::npos) << text.output;
  }
  // 8-bit weights against 8-bit codes: on a CPU whose int8 sums saturate in pairs (no
  // VNNI: IntegerPathWithoutVnni runs this test held to AVX2) they keep the simulated path.
  ASSERT_EQ(compress("ptq8", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8}\n").exit_code, 0);
  const RunResult eight = run_lathe("evaluate " + dir_->file("ptq8.h5") + " --threads 1");
  ASSERT_EQ(eight.exit_code, 0) << eight.output;
#ifdef LATHE_HAVE_ONEDNN
  if (why_not.empty() && lathe::onednn::int8_sums_saturate_in_pairs()) {
    EXPECT_NE(eight.output.find("quantised layers: 0 on int8 kernels, 4 on the simulated path"),
              std::string::npos)
        << eight.output;
    EXPECT_NE(eight.output.find("  simulated: conv1: its weight levels reach +-127"), std::string::npos)
        << eight.output;
  } else if (why_not.empty()) {
    EXPECT_NE(eight.output.find("quantised layers: 4 on int8 kernels"), std::string::npos) << eight.output;
  }
#endif
  // A float model has no quantised layers to report.
  const RunResult float_base = run_lathe("evaluate " + base() + " --threads 1");
  ASSERT_EQ(float_base.exit_code, 0) << float_base.output;
  EXPECT_EQ(float_base.output.find("quantised layers"), std::string::npos) << float_base.output;
}

struct BadRecipe {
  const char* recipe;
  const char* message;
};

TEST_F(CompressCli, BadStepsFailBeforeTrainingNamingTheStepAndKey) {
  const BadRecipe cases[] = {
      {"- prune: {method: fliter}\n", "steps[0].prune.method"},
      {"- prune: {method: filter, layers: [conv9]}\n", "conv9"},
      {"- prune: {method: filter, select: ratio, ratio: 1.0}\n", "steps[0].prune.ratio"},
      {"- finetune: {epochs: 1}\n- quantize: {method: qat, weight_bits: 9}\n",
       "steps[1].quantize.weight_bits"},
      {"- quantize: {method: qat, weight_bits: {default: 4, conv7: 8}}\n", "conv7"},
      {"- distill: {kind: hint, student_layer: relu9, teacher_layer: relu1}\n", "relu9"},
      {"- share: {components: 1}\n", "steps[0].share.components"},
      {"- finetune: {epochs: 0}\n", "steps[0].finetune.epochs"},
      {"- quantize: {method: ptq}\n- share: {}\n", "steps[0].quantize and steps[1].share both take"},
  };
  int index = 0;
  for (const BadRecipe& bad : cases) {
    const std::string name = "bad" + std::to_string(index++);
    const RunResult r = compress(name, bad.recipe);
    EXPECT_EQ(r.exit_code, 1) << bad.recipe << r.output;
    EXPECT_NE(r.output.find(bad.message), std::string::npos) << bad.recipe << r.output;
    EXPECT_NE(r.output.find(dir_->file(name + ".yaml")), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find(" epoch 1:"), std::string::npos) << "trained before failing: " << r.output;
    EXPECT_FALSE(fs::exists(dir_->file(name + ".h5")));
  }
}

TEST_F(CompressCli, FallbackStopsAtTheFirstAttemptMeetingTheTarget) {
  dir_->write("chain.yaml",
              "target: {max_size_bytes: 100000000}\n"
              "attempts:\n"
              "  - {name: first, recipe: [{quantize: {method: ptq, weight_bits: 8}}]}\n"
              "  - {name: never, recipe: [{finetune: {epochs: 1}}]}\n");
  const RunResult r = run_lathe("fallback " + base() + " " + dir_->file("chain.yaml") + " -o " +
                                dir_->file("chosen.h5") + " --threads 1 --no-latency");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("target met"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("attempt 1"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir_->file("chosen.h5")));
  EXPECT_TRUE(fs::exists(dir_->file("chosen.h5.attempts.csv")));
}

TEST_F(CompressCli, FallbackThatMissesTheTargetKeepsTheBestAndSaysSo) {
  dir_->write("chain2.yaml",
              "target: {max_size_bytes: 10}\n"
              "attempts:\n"
              "  - {name: ptq8, recipe: [{quantize: {method: ptq, weight_bits: 8}}]}\n"
              "  - {name: ptq4, recipe: [{quantize: {method: ptq, weight_bits: 4}}]}\n");
  const RunResult r = run_lathe("fallback " + base() + " " + dir_->file("chain2.yaml") + " -o " +
                                dir_->file("best.h5") + " --threads 1 --no-latency");
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("target NOT met"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir_->file("best.h5")));
}

TEST_F(CompressCli, AblateWritesATableThatARecipeRemovesTheLeastImportantFrom) {
  const RunResult a = run_lathe("ablate " + base() + " --groups filters -o " + dir_->file("table.h5") +
                                " --threads 1 --batches 2");
  ASSERT_EQ(a.exit_code, 0) << a.output;
  EXPECT_NE(a.output.find("conv1[0]"), std::string::npos) << a.output;
  EXPECT_NE(a.output.find("method: ablation"), std::string::npos) << a.output;
  const RunResult r = compress("from_table", "- prune: {method: ablation, groups: filters, table: " +
                                                 dir_->file("table.h5") + ", remove: 3}\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Three filters or units fewer, physically: the stored model has fewer parameters.
  const auto parameters = [](const std::string& checkpoint) {
    const RunResult e = run_lathe("evaluate " + checkpoint + " --json");
    const auto at = e.output.find("\"parameters\": ");
    return at == std::string::npos ? -1LL : std::stoll(e.output.substr(at + 14));
  };
  EXPECT_LT(parameters(dir_->file("from_table.h5")), parameters(base()));
  EXPECT_GT(parameters(dir_->file("from_table.h5")), 0);
  const RunResult bad = run_lathe("ablate " + base() + " --groups rows");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("--groups"), std::string::npos) << bad.output;
}

}  // namespace
