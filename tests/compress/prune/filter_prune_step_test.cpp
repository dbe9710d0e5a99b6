#include "compress/prune/filter_prune_step.h"

#include <gtest/gtest.h>

#include "compress/prune/prune_method.h"
#include "config/field_listing.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "prune_test_support.h"

namespace lathe::compress {
namespace {

using test::error_of;

const StepSource kSource{"r.yaml:3", "steps[0].prune"};

// As the recipe's step factory does: the method first, then the filter pruner's keys.
std::unique_ptr<CompressionStep> step_from(const std::string& yaml) {
  const YAML::Node params = YAML::Load(yaml);
  (void)read_prune_method(params, kSource);
  return make_filter_prune_step(params, kSource);
}

FilterPruneStep& as_filter(CompressionStep& step) { return dynamic_cast<FilterPruneStep&>(step); }

// A model whose first conv has a single channel.
const char* kOneChannelSpec = R"(name: narrow
input: {channels: 1, height: 4, width: 4}
layers:
  - {name: thin, type: conv2d, out_channels: 1, kernel: 3, padding: 1}
  - {name: relu, type: relu}
  - {name: wide, type: conv2d, out_channels: 4, kernel: 3, padding: 1}
  - {name: gap, type: global_avgpool}
  - {name: fc, type: linear, out_features: 3}
)";

struct Fixture {
  data::DataSplits splits = test::synthetic_splits(2, 3);
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  io::Checkpoint base;
  CompressionContext context_for(nn::Model& model) {
    base = nn::make_checkpoint(model);
    return CompressionContext{*backend, splits, base, 3, 32};
  }
};

TEST(FilterPruneStep, PrunesMasksFineTunesAndCompactsToTheSameFunction) {
  for (const std::string rule : {"l1", "l2", "taylor", "removal"}) {
    SCOPED_TRACE(rule);
    Fixture f;
    nn::Model model(test::spec_of(test::kFlattenSpec), 5);
    test::randomise_state(model, 6);
    CompressionContext context = f.context_for(model);
    const auto step = step_from("{method: filter, saliency: " + rule + ", batches: 2}");
    step->validate(model);
    step->apply(model, context);
    const std::vector<PrunedGroup>& pruned = as_filter(*step).pruned_groups();
    ASSERT_EQ(pruned.size(), 2U);  // conv and fc1; fc2 holds the logits
    for (const PrunedGroup& group : pruned) {
      EXPECT_GE(group.pruned.size(), 1U);
      EXPECT_LT(group.pruned.size(), static_cast<std::size_t>(group.channels));
      EXPECT_EQ(group.saliencies.size(), static_cast<std::size_t>(group.channels));
    }
    ASSERT_NE(step->hook(), nullptr);
    nn::TrainingOptions options;
    options.epochs = 1;
    options.batch_size = 32;
    nn::TrainingHook* hooks[] = {step->hook()};
    nn::train_model(model, *f.backend, f.splits.train, f.splits.validation, options, hooks);

    const Tensor images = test::random_images(4, model.input_item_shape(), 2);
    const Tensor masked_logits = model.forward(*f.backend, images, nn::RunMode{false, 0});
    const std::int64_t masked_parameters = model.trainable_parameter_count();
    const std::int64_t masked_macs = model.macs_per_item();
    step->finalize(model, context);
    EXPECT_LT(test::max_abs_difference(masked_logits, model.forward(*f.backend, images, nn::RunMode{false, 0})),
              1e-4F);
    EXPECT_LT(model.trainable_parameter_count(), masked_parameters);
    EXPECT_LT(model.macs_per_item(), masked_macs);
  }
}

TEST(FilterPruneStep, L1PrunesTheWeakestFiltersAtTheKnee) {
  Fixture f;
  nn::Model model(test::spec_of(test::kFlattenSpec), 5);
  // Filters 1 and 3 of conv are a hundred times weaker than the rest.
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (named.name != "conv/weight") continue;
    const std::int64_t filter = named.parameter->value.size() / 5;
    for (std::int64_t c : {1, 3}) {
      for (std::int64_t i = c * filter; i < (c + 1) * filter; ++i) named.parameter->value[i] *= 0.01F;
    }
  }
  CompressionContext context = f.context_for(model);
  const auto step = step_from("{layers: [conv]}");
  step->apply(model, context);
  ASSERT_EQ(as_filter(*step).pruned_groups().size(), 1U);
  EXPECT_EQ(as_filter(*step).pruned_groups()[0].pruned, (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(as_filter(*step).selections()[0].layer, "conv");
}

TEST(FilterPruneStep, RatioAndThresholdSetTheCountPerGroup) {
  Fixture f;
  nn::Model model(test::model_config("resnet8"), 5);
  CompressionContext context = f.context_for(model);
  const auto ratio = step_from("{select: ratio, ratio: 0.25, layers: [s1a_bn2, s2a_conv1]}");
  ratio->apply(model, context);
  const auto& groups = as_filter(*ratio).pruned_groups();
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].layers, "stem_conv + s1a_conv2");
  EXPECT_EQ(groups[0].pruned.size(), 4U);  // floor(0.25 * 16)
  EXPECT_EQ(groups[1].pruned.size(), 8U);  // floor(0.25 * 32)

  nn::Model other(test::model_config("resnet8"), 5);
  const auto threshold = step_from("{select: threshold, threshold: 0.0, min_channels: 30, layers: [s2a_conv1]}");
  threshold->apply(other, context);
  // Nothing lies below 0: still one pruned (claim 3).
  EXPECT_EQ(as_filter(*threshold).pruned_groups()[0].pruned.size(), 1U);
  const auto capped = step_from("{select: threshold, threshold: 0.999, min_channels: 30, layers: [s2a_conv1]}");
  nn::Model third(test::model_config("resnet8"), 5);
  capped->apply(third, context);
  // All but the largest lie below 0.999, min_channels keeps 30 of the 32.
  EXPECT_EQ(as_filter(*capped).pruned_groups()[0].pruned.size(), 2U);
}

TEST(FilterPruneStep, ApplyZeroesThePrunedChannelsAndTheirReaders) {
  Fixture f;
  nn::Model model(test::model_config("lenet5"), 5);
  CompressionContext context = f.context_for(model);
  const auto step = step_from("{select: ratio, ratio: 0.5, layers: [conv2]}");
  step->apply(model, context);
  const std::vector<std::int64_t> pruned = as_filter(*step).pruned_groups()[0].pruned;
  ASSERT_EQ(pruned.size(), 8U);
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const Tensor& v = named.parameter->value;
    for (std::int64_t c : pruned) {
      if (named.name == "conv2/weight") {
        for (std::int64_t i = c * 150; i < (c + 1) * 150; ++i) EXPECT_EQ(v[i], 0.0F);
      } else if (named.name == "fc1/weight") {
        for (std::int64_t row = 0; row < 120; ++row) {
          for (std::int64_t k = 0; k < 25; ++k) EXPECT_EQ(v[row * 400 + c * 25 + k], 0.0F);
        }
      }
    }
  }
}

TEST(FilterPruneStep, BadKeysAreClearErrors) {
  EXPECT_NE(error_of([] { (void)step_from("{ratio: 1.0}"); })
                .find("steps[0].prune.ratio: expected a number in [0, 1), got 1.0"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)step_from("{ratio: -0.1}"); }).find("steps[0].prune.ratio: expected"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)step_from("{saliency: l3}"); })
                .find("steps[0].prune.saliency: expected one of l1, l2, taylor, removal, got 'l3'"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)step_from("{ratoi: 0.5}"); }).find("did you mean 'ratio'"),
            std::string::npos);
  EXPECT_EQ(error_of([] { (void)step_from("{method: filters}"); }),
            "r.yaml:3: steps[0].prune.method: expected one of filter, ablation, got 'filters' (did "
            "you mean 'filter'?)");
  EXPECT_NE(error_of([] { (void)make_filter_prune_step(YAML::Load("{method: ablation}"), kSource); })
                .find("steps[0].prune.method: 'ablation' is not the filter pruner (known methods: "
                      "one of filter, ablation"),
            std::string::npos);
  EXPECT_EQ(read_prune_method(YAML::Load("{ratio: 0.5}"), kSource), "filter");
  EXPECT_EQ(read_prune_method(YAML::Load("{method: ablation, whatever: 1}"), kSource), "ablation");
}

TEST(FilterPruneStep, ValidateNamesUnknownUnprunableAndLogitsLayers) {
  const nn::Model model(test::model_config("lenet5"), 1);
  EXPECT_EQ(error_of([&] { step_from("{layers: [conv1, conv9]}")->validate(model); }),
            "r.yaml:3: steps[0].prune.layers: no layer named 'conv9' in model 'lenet5' (did you "
            "mean 'conv1'?); prunable layers: conv1, conv2, fc1, fc2");
  EXPECT_NE(error_of([&] { step_from("{layers: [fc3]}")->validate(model); })
                .find("r.yaml:3: steps[0].prune.layers: layer 'fc3' cannot be pruned: its channels "
                      "are the logits (layer 'fc3')"),
            std::string::npos);
  EXPECT_NE(error_of([&] { step_from("{layers: [relu2]}")->validate(model); })
                .find("steps[0].prune.layers: layer 'relu2' is a relu layer"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { step_from("{layers: [conv1, conv2, fc1]}")->validate(model); }), "");
}

TEST(FilterPruneStep, PruningEveryChannelIsAnErrorBeforeTraining) {
  nn::Model model(test::spec_of(kOneChannelSpec), 1);
  EXPECT_EQ(error_of([&] { step_from("{select: ratio, ratio: 0.5, layers: [thin]}")->validate(model); }),
            "r.yaml:3: steps[0].prune.ratio: 0.5 would prune all 1 channel(s) of layer 'thin' (at "
            "least one is pruned, and one must stay)");
  EXPECT_EQ(error_of([&] { step_from("{layers: [thin]}")->validate(model); }),
            "r.yaml:3: steps[0].prune.min_channels: layer 'thin' has 1 channel(s); pruning at "
            "least one would leave fewer than 1");
  EXPECT_NE(error_of([&] { step_from("{min_channels: 4, layers: [wide]}")->validate(model); })
                .find("steps[0].prune.min_channels: layer 'wide' has 4 channel(s)"),
            std::string::npos);
  // By default only groups that can lose a channel are chosen: thin is skipped.
  EXPECT_EQ(error_of([&] { step_from("{}")->validate(model); }), "");
  // A threshold no score reaches would prune everything: validate() says so, before any
  // data is read (docs/recipes.md), with the layers named or not.
  nn::Model wide(test::spec_of(kOneChannelSpec), 1);
  for (const std::string layers : {"", ", layers: [wide]"}) {
    EXPECT_EQ(error_of([&] { step_from("{select: threshold, threshold: 1.5" + layers + "}")->validate(wide); }),
              "r.yaml:3: steps[0].prune.threshold: 1.5 would prune every channel of each group (saliencies "
              "divided by the group's largest are at most 1; one must stay); expected at most 1")
        << layers;
  }
  EXPECT_EQ(error_of([&] { step_from("{select: threshold, threshold: 1, layers: [wide]}")->validate(wide); }), "");
  EXPECT_EQ(error_of([&] { step_from("{min_channels: 9}")->validate(wide); }),
            "r.yaml:3: steps[0].prune.layers: model 'narrow' has no prunable group with more than "
            "min_channels = 9 channels (prunable layers: thin, wide)");
}

TEST(FilterPruneStep, RatioMappingPrunesEachLayerByItsOwnRatio) {
  Fixture f;
  nn::Model model(test::model_config("lenet5"), 5);
  CompressionContext context = f.context_for(model);
  const auto step = step_from("{select: ratio, ratio: {default: 0.5, conv2: 0.25, fc1: 0.1}}");
  step->validate(model);
  step->apply(model, context);
  const auto& groups = as_filter(*step).pruned_groups();
  ASSERT_EQ(groups.size(), 4U);  // conv1, conv2, fc1, fc2; fc3 holds the logits
  EXPECT_EQ(groups[0].pruned.size(), 3U);   // conv1: default floor(0.5 * 6)
  EXPECT_EQ(groups[1].pruned.size(), 4U);   // conv2: floor(0.25 * 16)
  EXPECT_EQ(groups[2].pruned.size(), 12U);  // fc1: floor(0.1 * 120)
  EXPECT_EQ(groups[3].pruned.size(), 42U);  // fc2: default floor(0.5 * 84)

  // Without `default` the unnamed layers take the step's default ratio (0.5); a layer
  // stands for its whole group, whichever of its layers is named.
  nn::Model residual(test::model_config("resnet8"), 5);
  const auto named = step_from("{select: ratio, ratio: {s1a_conv2: 0.25}, layers: [s1a_bn2, s2a_conv1]}");
  named->validate(residual);
  named->apply(residual, context);
  const auto& residual_groups = as_filter(*named).pruned_groups();
  ASSERT_EQ(residual_groups.size(), 2U);
  EXPECT_EQ(residual_groups[0].layers, "stem_conv + s1a_conv2");
  EXPECT_EQ(residual_groups[0].pruned.size(), 4U);   // floor(0.25 * 16)
  EXPECT_EQ(residual_groups[1].pruned.size(), 16U);  // floor(0.5 * 32)
}

TEST(FilterPruneStep, RatioMappingErrorsNameTheFileTheStepAndTheKey) {
  const nn::Model model(test::model_config("lenet5"), 1);
  EXPECT_EQ(error_of([&] { step_from("{select: ratio, ratio: {default: 0.5, conv9: 0.3}}")->validate(model); }),
            "r.yaml:3: steps[0].prune.ratio.conv9: no layer named 'conv9' in model 'lenet5' (did "
            "you mean 'conv1'?); prunable layers: conv1, conv2, fc1, fc2");
  EXPECT_NE(error_of([&] { step_from("{select: ratio, ratio: {relu2: 0.3}}")->validate(model); })
                .find("r.yaml:3: steps[0].prune.ratio.relu2: layer 'relu2' is a relu layer"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { step_from("{select: ratio, ratio: {conv2: 0.3}, layers: [conv1]}")->validate(model); }),
            "r.yaml:3: steps[0].prune.ratio.conv2: layer 'conv2' is not in a group this step "
            "prunes (its groups: conv1)");
  // Values are checked against the range the number form declares.
  EXPECT_NE(error_of([] { (void)step_from("{ratio: {default: 0.5, conv2: 1.5}}"); })
                .find("r.yaml:3:1: steps[0].prune.ratio.conv2: expected a number in [0, 1), got 1.5"),
            std::string::npos);
  EXPECT_NE(error_of([] { (void)step_from("{ratio: {conv2: }}"); })
                .find("steps[0].prune.ratio.conv2: expected a number in [0, 1), got nothing"),
            std::string::npos);
  // The other keys are still checked.
  EXPECT_NE(error_of([] { (void)step_from("{ratio: {conv2: 0.5}, selct: ratio}"); })
                .find("steps[0].prune.selct: unknown key (did you mean 'select'?)"),
            std::string::npos);
  // Two layers of one group cannot ask for different ratios.
  const nn::Model residual(test::model_config("resnet8"), 1);
  EXPECT_NE(error_of([&] {
              step_from("{select: ratio, ratio: {stem_conv: 0.25, s1a_conv2: 0.5}}")->validate(residual);
            }).find("steps[0].prune.ratio.stem_conv: layer 'stem_conv' is in the group stem_conv + "
                    "s1a_conv2 whose ratio is already 0.5"),
            std::string::npos);
  // A mapped ratio that would empty a listed one-channel layer is refused up front too.
  const nn::Model narrow(test::spec_of(kOneChannelSpec), 1);
  EXPECT_EQ(error_of([&] { step_from("{select: ratio, ratio: {thin: 0.9}, layers: [thin]}")->validate(narrow); }),
            "r.yaml:3: steps[0].prune.ratio: 0.9 would prune all 1 channel(s) of layer 'thin' (at "
            "least one is pruned, and one must stay)");
}

TEST(FilterPruneStep, ParamsListEveryKeyWithItsDefault) {
  const std::vector<config::FieldRow> rows = config::FieldListing::of(FilterPruneParams{}, "prune.");
  std::vector<std::string> keys;
  for (const config::FieldRow& row : rows) keys.push_back(row.key + "=" + row.fallback);
  EXPECT_EQ(keys, (std::vector<std::string>{"prune.method=filter", "prune.saliency=l1",
                                            "prune.select=knee", "prune.ratio=0.5",
                                            "prune.threshold=0.1", "prune.layers=[]",
                                            "prune.batches=4", "prune.min_channels=1"}));
}

}  // namespace
}  // namespace lathe::compress
