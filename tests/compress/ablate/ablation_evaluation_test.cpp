#include "compress/ablate/ablation_evaluation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "ablation_test_models.h"
#include "compress/ablate/ablation_table.h"

namespace lathe::compress::ablate {
namespace {

// Cross-entropy of logits (a, b) for label 0 or 1.
double cross_entropy(double a, double b, int label) {
  const double top = std::max(a, b);
  return top + std::log(std::exp(a - top) + std::exp(b - top)) - (label == 0 ? a : b);
}

// The identity model's logits are its input: (2, 0) for label 0, (0, 1) for label 1.
const double kReferenceLoss = (cross_entropy(2, 0, 0) + cross_entropy(0, 1, 1)) / 2;

TEST(AblationLoss, ImportanceIsTheLossIncreaseOfZeroingAUnit) {
  nn::Model model = test::identity_linear_model();
  const data::Dataset data = test::two_items();
  const auto backend = make_cpu_backend(1);
  const std::vector<AblationGroup> units = enumerate_groups(model, GroupKind::filters);
  ASSERT_EQ(units.size(), 2U);  // hidden[0], hidden[1]; the logits layer is not a group

  // Without unit 0 the logits are (0, 0) and (0, 1); without unit 1, (2, 0) and (0, 0).
  const double without_0 = (cross_entropy(0, 0, 0) + cross_entropy(0, 1, 1)) / 2;
  const double without_1 = (cross_entropy(2, 0, 0) + cross_entropy(0, 0, 1)) / 2;
  EXPECT_NEAR(ablation_loss(model, units[0], data, *backend, 2, 1), without_0, 1e-6);
  EXPECT_NEAR(ablation_loss(model, units[1], data, *backend, 2, 1), without_1, 1e-6);

  const AblationTable table = run_ablation(model, data, *backend, {GroupKind::filters, ScoreKind::loss_increase, 2, 1, true});
  EXPECT_NEAR(table.reference_loss, kReferenceLoss, 1e-6);
  ASSERT_EQ(table.entries.size(), 2U);
  // Unit 1 carries less of the loss: it comes first (ascending importance).
  EXPECT_EQ(table.entries[0].group, "hidden[1]");
  EXPECT_EQ(table.entries[0].index, 1);
  EXPECT_NEAR(table.entries[0].score, without_1 - kReferenceLoss, 1e-6);
  EXPECT_NEAR(table.entries[0].test_loss, without_1, 1e-6);
  EXPECT_NEAR(table.entries[1].score, without_0 - kReferenceLoss, 1e-6);
}

TEST(AblationLoss, BypassingAnIdentityLayerCostsNothingAndZeroingItLeavesTheBias) {
  nn::Model model = test::identity_linear_model();
  const data::Dataset data = test::two_items();
  const auto backend = make_cpu_backend(1);
  const AblationTable bypassed = run_ablation(model, data, *backend, {GroupKind::layers, ScoreKind::loss_increase, 2, 0, true});
  ASSERT_EQ(bypassed.entries.size(), 1U);
  EXPECT_EQ(bypassed.entries[0].removal, Removal::bypassed);
  EXPECT_EQ(bypassed.entries[0].score, 0.0);

  const AblationTable zeroed = run_ablation(model, data, *backend, {GroupKind::layers, ScoreKind::loss_increase, 2, 0, false});
  EXPECT_EQ(zeroed.entries[0].removal, Removal::zeroed);
  EXPECT_NEAR(zeroed.entries[0].test_loss, std::log(2.0), 1e-6);  // zero bias: logits (0, 0)
}

TEST(AblationLoss, UsesOnlyTheFirstBatches) {
  nn::Model model = test::identity_linear_model();
  const data::Dataset data = test::two_items();
  const auto backend = make_cpu_backend(1);
  const EvaluationBatches first(data, 1, 1);
  EXPECT_EQ(first.items(), 1);
  EXPECT_NEAR(model_outputs(model, first, *backend).loss, cross_entropy(2, 0, 0), 1e-6);
}

TEST(AblationKl, IsZeroForAnUnchangedModel) {
  nn::Model model = test::identity_linear_model();
  const data::Dataset data = test::two_items();
  const auto backend = make_cpu_backend(1);
  const EvaluationBatches batches(data, 2, 0);
  const ModelOutputs reference = model_outputs(model, batches, *backend);
  EXPECT_EQ(mean_kl_divergence(reference, model_outputs(model, batches, *backend)), 0.0);
  // A group that is already zero changes nothing: its KL score is exactly 0.
  AblationGroup nothing;
  nothing.name = "zero bias";
  nothing.edits = {{"hidden/bias", -1, ParameterEdit::Action::zero}};
  EXPECT_EQ(score_group(model, nothing, reference, batches, *backend, ScoreKind::kl).score, 0.0);
}

TEST(AblationKl, IsNonNegativeForEveryGroupAndPositiveWhereOutputsChange) {
  nn::Model model = test::tiny_resnet();
  const data::Dataset data = test::random_images(10, 1, 4, 4, 3, 5);
  const auto backend = make_cpu_backend(1);
  for (const GroupKind kind : {GroupKind::filters, GroupKind::layers, GroupKind::blocks}) {
    const AblationTable table = run_ablation(model, data, *backend, {kind, ScoreKind::kl, 4, 0, true});
    EXPECT_EQ(table.score_kind, ScoreKind::kl);
    for (const AblationEntry& e : table.entries) EXPECT_GE(e.score, 0.0) << e.group;
    EXPECT_GT(table.entries.back().score, 0.0);
    for (std::size_t i = 1; i < table.entries.size(); ++i) EXPECT_LE(table.entries[i - 1].score, table.entries[i].score);
  }
}

TEST(AblationLoss, EmptyDataIsAClearError) {
  nn::Model model = test::identity_linear_model();
  data::Dataset empty;
  empty.source = "validation split";
  const auto backend = make_cpu_backend(1);
  EXPECT_EQ(test::error_of([&] {
              (void)run_ablation(model, empty, *backend, {GroupKind::filters, ScoreKind::kl, 4, 0, true});
            }),
            "validation split: the data set is empty, no data to score the groups on");
}

}  // namespace
}  // namespace lathe::compress::ablate
