#include "recipe/recipe.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "recipe/finetune_step.h"

namespace lathe::recipe {
namespace {

std::string error_of(const std::string& text) {
  try {
    (void)parse_recipe(text, "r.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Recipe, ParsesStepsInOrderWithTheirKeysAndSourceLines) {
  const Recipe recipe = parse_recipe(
      "- prune: {method: filter, saliency: l1, layers: [conv1, conv2]}\n"
      "- quantize: {method: qat, weight_bits: {default: 4, conv1: 8}}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n",
      "r.yaml");
  ASSERT_EQ(recipe.steps.size(), 3U);
  EXPECT_EQ(recipe.steps[0].kind, "prune");
  EXPECT_EQ(recipe.steps[1].kind, "quantize");
  EXPECT_EQ(recipe.steps[2].kind, "finetune");
  EXPECT_EQ(recipe.steps[0].params["saliency"].as<std::string>(), "l1");
  EXPECT_EQ(recipe.steps[1].source.where, "r.yaml");
  EXPECT_EQ(recipe.steps[1].params.Mark().line + 1, 2);
  EXPECT_EQ(recipe.steps[1].source.label, "steps[1].quantize");
  EXPECT_EQ(recipe.steps[1].source.key("weight_bits"), "steps[1].quantize.weight_bits");
}

TEST(Recipe, StepWithoutKeysHasAnEmptyMapping) {
  const Recipe recipe = parse_recipe("- finetune:\n", "r.yaml");
  ASSERT_EQ(recipe.steps.size(), 1U);
  EXPECT_TRUE(recipe.steps[0].params.IsMap());
  EXPECT_EQ(recipe.steps[0].params.size(), 0U);
}

TEST(Recipe, UnknownStepKindSuggestsTheNearest) {
  const std::string message = error_of("- prnue: {method: filter}\n");
  EXPECT_NE(message.find("r.yaml:1: steps[0]: unknown step 'prnue'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'prune'"), std::string::npos) << message;
}

TEST(Recipe, RejectsAnythingButAListOfOneKeyMappings) {
  EXPECT_NE(error_of("prune: {}\n").find("a recipe is a non-empty list of steps"), std::string::npos);
  EXPECT_NE(error_of("- {prune: {}, finetune: {}}\n").find("steps[0]: expected one step"),
            std::string::npos);
  EXPECT_NE(error_of("- prune: [1, 2]\n").find("steps[0].prune: expected a mapping"),
            std::string::npos);
  EXPECT_NE(error_of("- prune: {method: [\n").find("not valid YAML"), std::string::npos);
}

TEST(Recipe, JsonIsOneLineWithNumbersAndStringsTyped) {
  const Recipe recipe = parse_recipe(
      "- prune: {method: filter, ratio: 0.5, layers: [conv1]}\n- finetune: {epochs: 1}\n", "r.yaml");
  EXPECT_EQ(recipe_to_json(recipe),
            "[{\"prune\": {\"method\": \"filter\", \"ratio\": 0.5, \"layers\": [\"conv1\"]}}, "
            "{\"finetune\": {\"epochs\": 1}}]");
}

TEST(Finetune, KeysBecomeTrainingOptionsWithTheEvaluatorsBatchByDefault) {
  FinetuneParams params;
  params.epochs = 3;
  params.lr = 0.02;
  params.optimizer = "adam";
  const nn::TrainingOptions options = training_options(params, 96, 7);
  EXPECT_EQ(options.epochs, 3);
  EXPECT_EQ(options.batch_size, 96);
  EXPECT_EQ(options.seed, 7U);
  EXPECT_EQ(options.optimizer.kind, "adam");
  EXPECT_DOUBLE_EQ(options.optimizer.lr, 0.02);
  params.batch_size = 32;
  EXPECT_EQ(training_options(params, 96, 7).batch_size, 32);
}

// Quantize and share (or two shares) on one layer are refused when the recipe is read
// (a layer's weights are stored one way), naming the file and line, both steps and the
// layer; steps on layers with none in common are accepted.
struct Conflict {
  const char* recipe;
  const char* message;
};

TEST(QuantizeShareConflict, OverlappingLayersAreRefusedNamingFileStepsAndLayer) {
  const Conflict cases[] = {
      {"- quantize: {method: ptq}\n- share: {}\n",
       "r.yaml:2: steps[0].quantize and steps[1].share both take every conv2d and linear layer"},
      {"- share: {layers: [conv1, fc1]}\n- finetune: {epochs: 1}\n"
       "- quantize: {layers: [fc2, fc1]}\n",
       "r.yaml:3: steps[0].share and steps[2].quantize both take layer 'fc1'"},
      {"- quantize: {layers: [conv2]}\n- share:\n",
       "r.yaml:2: steps[0].quantize and steps[1].share both take layer 'conv2' "
       "(steps[1].share lists no 'layers', so it takes every layer)"},
      {"- share: {layers: [fc1]}\n- share: {layers: [fc1]}\n",
       "steps[0].share and steps[1].share both take layer 'fc1'"},
  };
  for (const Conflict& conflict : cases) {
    const std::string message = error_of(conflict.recipe);
    EXPECT_NE(message.find(conflict.message), std::string::npos) << conflict.recipe << "\n" << message;
    EXPECT_NE(message.find("stored either quantised or as a shared codebook"), std::string::npos) << message;
  }
}

TEST(QuantizeShareConflict, StepsOnDisjointLayersAreAccepted) {
  EXPECT_EQ(error_of("- quantize: {layers: [conv1, conv2]}\n- share: {layers: [fc1, fc2]}\n"), "");
  EXPECT_EQ(error_of("- prune: {method: filter}\n- quantize: {method: ptq}\n"), "");
  EXPECT_EQ(error_of("- share: {}\n- finetune: {epochs: 1}\n"), "");
  // The later quantize step re-quantises: one packing.
  EXPECT_EQ(error_of("- quantize: {method: ptq, weight_bits: 8}\n- quantize: {weight_bits: 4}\n"), "");
}

TEST(QuantizeShareConflict, LayersThatAreNotAListAreLeftToTheStepsReader) {
  EXPECT_EQ(error_of("- quantize: {layers: conv1}\n- share: {layers: 3}\n"), "");
}

}  // namespace
}  // namespace lathe::recipe
