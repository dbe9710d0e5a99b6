// Model specs as values: copies and assignments of layer specs never write through to
// the spec they came from (yaml-cpp nodes are references), and an edited spec written
// back to YAML reads back the same.
#include "nn/layer_spec.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace lathe::nn {
namespace {

const char* kSpec =
    "name: s\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 4, kernel: 3}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: conv2, type: conv2d, out_channels: 6, kernel: 3, inputs: [relu1]}\n";

TEST(LayerSpec, EditingACopiedSpecLeavesTheOriginalAlone) {
  const ModelSpec original = parse_model_spec(kSpec, "s.yaml");
  ModelSpec copy = original;
  copy.layers[0].params["out_channels"] = 2;
  EXPECT_EQ(original.layers[0].params["out_channels"].as<int>(), 4);
  EXPECT_EQ(copy.layers[0].params["out_channels"].as<int>(), 2);
}

TEST(LayerSpec, AssigningOverALayerDoesNotRewriteTheLayerItWasCopiedFrom) {
  const ModelSpec original = parse_model_spec(kSpec, "s.yaml");
  ModelSpec edited = original;
  // erase shifts by assignment: conv2 is assigned over relu1's slot.
  std::erase_if(edited.layers, [](const LayerSpec& l) { return l.name == "relu1"; });
  ASSERT_EQ(edited.layers.size(), 2U);
  EXPECT_EQ(edited.layers[1].params["out_channels"].as<int>(), 6);
  EXPECT_EQ(original.layers[1].name, "relu1");
  EXPECT_EQ(original.layers[1].params.size(), 0U) << "relu1 gained conv2's keys";
  EXPECT_EQ(original.layers[2].params["out_channels"].as<int>(), 6);
}

TEST(LayerSpec, AssignmentRebindsInsteadOfWritingIntoParamsOthersHold) {
  const ModelSpec spec = parse_model_spec(kSpec, "s.yaml");
  LayerSpec target = spec.layers[0];
  const YAML::Node held = target.params;  // another handle on conv1's params
  target = spec.layers[2];
  EXPECT_EQ(target.params["out_channels"].as<int>(), 6);
  EXPECT_EQ(held["out_channels"].as<int>(), 4) << "the assignment wrote through";
  LayerSpec moved_into = spec.layers[0];
  const YAML::Node held_too = moved_into.params;
  moved_into = LayerSpec(spec.layers[2]);
  EXPECT_EQ(held_too["out_channels"].as<int>(), 4) << "the move assignment wrote through";
}

TEST(LayerSpec, EditedSpecWrittenAsYamlReadsBackTheSame) {
  ModelSpec spec = parse_model_spec(kSpec, "s.yaml");
  spec.layers[2].params["out_channels"] = 3;
  const ModelSpec back = rebuilt_model_spec(spec, "edited");
  ASSERT_EQ(back.layers.size(), spec.layers.size());
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    EXPECT_EQ(back.layers[i].name, spec.layers[i].name);
    EXPECT_EQ(back.layers[i].type, spec.layers[i].type);
    EXPECT_EQ(back.layers[i].inputs, spec.layers[i].inputs);
    EXPECT_EQ(YAML::Dump(back.layers[i].params), YAML::Dump(spec.layers[i].params));
  }
  EXPECT_EQ(back.layers[2].params["out_channels"].as<int>(), 3);
  EXPECT_EQ(back.yaml_text, model_spec_to_yaml(spec));
}

}  // namespace
}  // namespace lathe::nn
