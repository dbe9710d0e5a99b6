// The canonical recipe text and its hash: the identity of a candidate's recipe in search
// results, the same however the recipe is written.
#include <gtest/gtest.h>

#include <string>

#include "recipe/recipe.h"

namespace lathe::recipe {
namespace {

std::string hash_of(const std::string& yaml) { return recipe_hash(parse_recipe(yaml, "r.yaml")); }
std::string canonical(const std::string& yaml) {
  return canonical_recipe_json(parse_recipe(yaml, "r.yaml"));
}

TEST(RecipeHash, CanonicalTextSortsKeysAndNormalisesNumbers) {
  EXPECT_EQ(canonical("- quantize: {weight_bits: {default: 4.0, conv1: 8}, method: qat}\n"
                      "- prune: {ratio: 0.50, threshold: 1e-2, layers: [fc1, conv1], symmetric: true}\n"
                      "- finetune:\n"),
            "[{\"quantize\": {\"method\": \"qat\", \"weight_bits\": {\"conv1\": 8, \"default\": 4}}}, "
            "{\"prune\": {\"layers\": [\"fc1\", \"conv1\"], \"ratio\": 0.5, \"symmetric\": true, "
            "\"threshold\": 0.01}}, {\"finetune\": {}}]");
  // Quoted scalars stay strings; keys the reader takes as absent (null) are dropped.
  EXPECT_EQ(canonical("- distill: {student: '0.50', teacher: ~, alpha: -0.0}\n"),
            "[{\"distill\": {\"alpha\": 0, \"student\": \"0.50\"}}]");
}

TEST(RecipeHash, IsTheFnv1aOfTheCanonicalTextIn16HexDigits) {
  // FNV-1a 64 of [{"finetune": {"epochs": 1, "lr": 0.01}}], computed independently.
  EXPECT_EQ(hash_of("- finetune: {lr: 0.010, epochs: 1}\n"), "6d905f6835e86f3b");
}

TEST(RecipeHash, SameForReformattedEqualRecipes) {
  const std::string flow =
      "- prune: {method: filter, select: ratio, ratio: 0.5, layers: [conv1, fc1]}\n"
      "- quantize: {method: qat, weight_bits: {default: 4, conv1: 8}}\n"
      "- finetune: {epochs: 1, lr: 0.01}\n";
  const std::string block =
      "# the same recipe, written out\n"
      "- prune:\n"
      "    layers:\n"
      "      - conv1\n"
      "      - fc1\n"
      "    ratio: 0.50   # half\n"
      "    select: ratio\n"
      "    method: filter\n"
      "- quantize:\n"
      "    weight_bits: {conv1: 8.0, default: 4}\n"
      "    method: qat\n"
      "- finetune:\n"
      "    lr: 1e-2\n"
      "    epochs: 1\n";
  EXPECT_EQ(canonical(flow), canonical(block));
  EXPECT_EQ(hash_of(flow), hash_of(block));
  EXPECT_EQ(hash_of(flow).size(), 16U);
  EXPECT_EQ(hash_of(flow).find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(RecipeHash, DiffersForAChangedValueKeyOrStepOrder) {
  const std::string base = "- prune: {method: filter, ratio: 0.5}\n- finetune: {epochs: 1}\n";
  EXPECT_NE(hash_of(base), hash_of("- prune: {method: filter, ratio: 0.25}\n- finetune: {epochs: 1}\n"));
  EXPECT_NE(hash_of(base), hash_of("- prune: {method: filter, ratio: 0.5}\n- finetune: {epochs: 2}\n"));
  EXPECT_NE(hash_of(base), hash_of("- prune: {method: filter, threshold: 0.5}\n- finetune: {epochs: 1}\n"));
  EXPECT_NE(hash_of(base), hash_of("- finetune: {epochs: 1}\n- prune: {method: filter, ratio: 0.5}\n"));
  // A list keeps its order, and a quoted number is a different value from the number.
  EXPECT_NE(hash_of("- prune: {layers: [conv1, fc1]}\n"), hash_of("- prune: {layers: [fc1, conv1]}\n"));
  EXPECT_NE(hash_of("- distill: {student: 1}\n"), hash_of("- distill: {student: '1'}\n"));
}

}  // namespace
}  // namespace lathe::recipe
