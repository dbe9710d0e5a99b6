#include "compress/ablate/ablation_step.h"

#include <gtest/gtest.h>

#include "ablation_test_models.h"
#include "compress/ablate/ablation_table_file.h"
#include "config/field_listing.h"
#include "nn/trainer.h"
#include "support/temp_dir.h"

namespace lathe::compress::ablate {
namespace {

const StepSource kSource{"recipe.yaml:4", "steps[1].prune"};

std::unique_ptr<CompressionStep> step_from(const std::string& yaml) {
  return make_ablation_step(YAML::Load(yaml), kSource);
}

AblationStep& as_ablation(CompressionStep& step) { return dynamic_cast<AblationStep&>(step); }

struct Context {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  data::DataSplits data;
  io::Checkpoint base;
  CompressionContext context{*backend, data, base, 1, 4};
};

TEST(AblationStep, RejectsBadKeysAndValues) {
  const auto message = [](const std::string& yaml) { return test::error_of([&] { (void)step_from(yaml); }); };
  EXPECT_EQ(message("{method: ablation, groups: layers, remove: 0}"),
            "recipe.yaml:4:1: steps[1].prune.remove: expected an integer at least 1, got 0");
  EXPECT_NE(message("{method: ablation, groups: heads, remove: 1}").find("steps[1].prune.groups"), std::string::npos);
  EXPECT_NE(message("{method: ablation, groups: heads, remove: 1}").find("one of filters, units, layers, blocks"),
            std::string::npos);
  EXPECT_NE(message("{method: ablation, remove: 1, scores: kl}").find("steps[1].prune.scores: unknown key"),
            std::string::npos);
  EXPECT_EQ(message("{method: ablation, remove: 1, threshold: 0.1}"),
            "recipe.yaml:4: steps[1].prune: give remove (the k lowest-scoring groups) or threshold, not both");
  EXPECT_EQ(message("{method: ablation, groups: layers}"),
            "recipe.yaml:4: steps[1].prune: expected remove (the k lowest-scoring groups) or threshold (every group "
            "below it), or write_table to score the groups only");
  EXPECT_EQ(message("{method: ablation, remove: 1, shards: 2}"),
            "recipe.yaml:4: steps[1].prune.shards: a slice of the groups can only be scored (write_table, no "
            "remove, threshold or table), got shards 2");
  EXPECT_EQ(message("{method: ablation, write_table: t.h5, shard: 2, shards: 2}"),
            "recipe.yaml:4: steps[1].prune.shard: expected less than shards (2), got 2");
  EXPECT_EQ(message("{method: ablation, table: t.h5}"),
            "recipe.yaml:4: steps[1].prune: table given but neither remove nor threshold: nothing would be "
            "selected from it");
}

TEST(AblationStep, RejectsRemovingMoreGroupsThanTheModelHas) {
  const nn::Model model = test::tiny_resnet();
  EXPECT_EQ(test::error_of([&] { step_from("{groups: blocks, remove: 3}")->validate(model); }),
            "recipe.yaml:4: steps[1].prune.remove: expected at most 2 (model 'tiny_resnet' has 2 blocks groups), got 3");
  // 3 + 4 filters in two channel spaces: one of each stays.
  EXPECT_EQ(test::error_of([&] { step_from("{groups: filters, remove: 6}")->validate(model); }),
            "recipe.yaml:4: steps[1].prune.remove: expected at most 5 (model 'tiny_resnet' has 7 filters groups; one "
            "filter of each layer always stays), got 6");
  EXPECT_NO_THROW(step_from("{groups: filters, remove: 5}")->validate(model));
}

TEST(AblationStep, BypassedLayersLeaveThePhysicallySmallerModel) {
  nn::Model model = test::identity_linear_model();
  Context c;
  c.data.validation = test::two_items();
  const auto step = step_from("{method: ablation, groups: layers, remove: 1}");
  step->validate(model);
  const std::int64_t before = model.trainable_parameter_count();
  step->apply(model, c.context);
  EXPECT_FALSE(model.find_layer("hidden").has_value());
  EXPECT_EQ(model.trainable_parameter_count(), before - 6);
  EXPECT_EQ(step->hook(), nullptr);  // nothing left to keep at zero
  const AblationStep& ablation = as_ablation(*step);
  ASSERT_EQ(ablation.selected().size(), 1U);
  EXPECT_EQ(ablation.selected()[0].removal, Removal::bypassed);
  EXPECT_NEAR(model.forward(*c.backend, c.data.validation.images, {})[0], 2.0F, 1e-6F);  // still the identity
}

TEST(AblationStep, RemovedFiltersStayZeroWhileFineTuningAndAreListed) {
  nn::Model model = test::tiny_resnet();
  Context c;
  c.data.validation = test::random_images(8, 1, 4, 4, 3, 9);
  c.data.train = test::random_images(16, 1, 4, 4, 3, 10);
  const auto step = step_from("{groups: filters, remove: 2, score: kl, batches: 1}");
  step->apply(model, c.context);
  const AblationStep& ablation = as_ablation(*step);
  ASSERT_EQ(ablation.selected().size(), 2U);
  EXPECT_EQ(ablation.table().entries.size(), 7U);
  EXPECT_EQ(ablation.removed_filters().size(), 4U);  // each group zeroes one channel in two producers
  ASSERT_NE(step->hook(), nullptr);

  nn::TrainingOptions options;
  options.epochs = 1;
  options.batch_size = 8;
  nn::TrainingHook* hooks[] = {step->hook()};
  (void)nn::train_model(model, *c.backend, c.data.train, c.data.validation, options, hooks);
  for (const FilterRef& filter : ablation.removed_filters()) {
    for (const nn::NamedParameter& p : model.named_parameters()) {
      if (p.name != filter.layer + "/weight") continue;
      const std::int64_t per_channel = p.parameter->value.size() / p.parameter->value.shape()[0];
      for (std::int64_t i = 0; i < per_channel; ++i) {
        ASSERT_EQ(p.parameter->value[filter.channel * per_channel + i], 0.0F) << p.name << " " << filter.channel;
      }
    }
  }
}

TEST(AblationStep, SelectsFromAPrecomputedTableWithoutEvaluating) {
  nn::Model model = test::tiny_resnet();
  const test_support::TempDir dir;
  AblationTable table;
  table.entries = {{"b_add", GroupKind::blocks, "b_add", -1, Removal::zeroed, 1.0, 0.01},
                   {"a_add", GroupKind::blocks, "a_add", -1, Removal::bypassed, 2.0, 0.5}};
  write_ablation_table(dir.file("blocks.h5"), table);
  Context c;  // no validation data: evaluating would fail
  const auto step = step_from("{groups: blocks, remove: 1, table: " + dir.file("blocks.h5") + "}");
  step->validate(model);
  step->apply(model, c.context);
  EXPECT_FALSE(model.find_layer("b_add").has_value());
  EXPECT_FALSE(model.find_layer("b_conv").has_value());
  EXPECT_TRUE(model.find_layer("a_add").has_value());

  const auto wrong_kind = step_from("{groups: layers, remove: 1, table: " + dir.file("blocks.h5") + "}");
  EXPECT_EQ(test::error_of([&] { wrong_kind->validate(test::tiny_resnet()); }),
            "recipe.yaml:4: steps[1].prune.table: " + dir.file("blocks.h5") +
                ": expected layers groups (groups: layers), found blocks group 'b_add'");
}

TEST(AblationStep, WritesTheTableItComputed) {
  nn::Model model = test::tiny_resnet();
  const test_support::TempDir dir;
  Context c;
  c.data.validation = test::random_images(4, 1, 4, 4, 3, 1);
  const auto step = step_from("{groups: layers, threshold: -1000, write_table: " + dir.file("t.h5") + "}");
  step->apply(model, c.context);
  EXPECT_TRUE(as_ablation(*step).selected().empty());
  EXPECT_EQ(read_ablation_table(dir.file("t.h5")).entries.size(), 4U);
}

TEST(AblationStep, ScoringOnlyWritesTheTableAndLeavesTheModelAsItIs) {
  nn::Model model = test::tiny_resnet();
  nn::Model before = test::tiny_resnet();
  const test_support::TempDir dir;
  Context c;
  c.data.validation = test::random_images(4, 1, 4, 4, 3, 1);
  const auto step = step_from("{groups: filters, write_table: " + dir.file("t.h5") + "}");
  step->validate(model);
  step->apply(model, c.context);
  EXPECT_TRUE(as_ablation(*step).scores_only());
  EXPECT_TRUE(as_ablation(*step).selected().empty());
  EXPECT_EQ(step->hook(), nullptr);
  EXPECT_EQ(read_ablation_table(dir.file("t.h5")).entries.size(), 7U);
  const auto params = model.named_parameters();
  const auto original = before.named_parameters();  // the same weights: tiny_resnet is seeded
  ASSERT_EQ(params.size(), original.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    for (std::int64_t j = 0; j < params[i].parameter->value.size(); ++j) {
      ASSERT_EQ(params[i].parameter->value[j], original[i].parameter->value[j]) << params[i].name;
    }
  }
}

TEST(AblationStep, ShardTablesMergedEqualTheTableOfAllGroups) {
  const test_support::TempDir dir;
  Context c;
  c.data.validation = test::random_images(8, 1, 4, 4, 3, 5);
  nn::Model whole_model = test::tiny_resnet();
  const auto whole = step_from("{groups: filters, score: kl, write_table: " + dir.file("all.h5") + "}");
  whole->apply(whole_model, c.context);
  // 7 groups in 3 slices of 2, 2 and 3; and more shards than groups leaves some empty.
  for (const int shards : {3, 9}) {
    std::vector<AblationTable> tables;
    for (int shard = 0; shard < shards; ++shard) {
      nn::Model model = test::tiny_resnet();
      const std::string path = dir.file("s" + std::to_string(shard) + ".h5");
      const auto part = step_from("{groups: filters, score: kl, shard: " + std::to_string(shard) +
                                  ", shards: " + std::to_string(shards) + ", write_table: " + path + "}");
      part->apply(model, c.context);
      tables.push_back(read_ablation_table(path));
    }
    const AblationTable merged = merge_ablation_tables(tables, "round");
    const AblationTable all = read_ablation_table(dir.file("all.h5"));
    EXPECT_EQ(merged.reference_loss, all.reference_loss);
    ASSERT_EQ(merged.entries.size(), all.entries.size()) << shards << " shards";
    for (std::size_t i = 0; i < all.entries.size(); ++i) {
      EXPECT_EQ(merged.entries[i].group, all.entries[i].group) << i;
      EXPECT_EQ(merged.entries[i].score, all.entries[i].score) << i;
    }
  }
}

TEST(AblationStep, MergingTablesThatNameAGroupTwiceIsAClearError) {
  AblationTable table;
  table.entries = {{"a_add", GroupKind::blocks, "a_add", -1, Removal::bypassed, 2.0, 0.5}};
  EXPECT_EQ(test::error_of([&] { (void)merge_ablation_tables({table, table}, "round-000.h5"); }),
            "round-000.h5: group 'a_add' is in two shards");
}

TEST(AblationStep, KeysAreListedForTheDocs) {
  std::vector<std::string> keys;
  for (const config::FieldRow& row : config::FieldListing::of(AblationParams{})) keys.push_back(row.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"method", "groups", "remove", "threshold", "score", "batches", "table",
                                            "write_table", "shard", "shards", "bypass"}));
}

}  // namespace
}  // namespace lathe::compress::ablate
