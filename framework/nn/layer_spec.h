// The model spec: a YAML file naming the input shape and the layers in order. Each layer
// has a name, a type, optional `inputs:` (names of earlier layers or `input`; by default
// the layer before it) and its type's own keys, which the layer's params struct declares
// and checks. Sequential by default, a DAG where `inputs:` says so.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace lathe::nn {

struct LayerSpec {
  std::string name;
  std::string type;
  std::vector<std::string> inputs;  // resolved: never empty after parsing
  YAML::Node params;                // the type's own keys only
  std::string where;                // "configs/models/x.yaml:12", for messages

  // Value semantics for `params`: yaml-cpp nodes are references, and assigning one
  // writes through to every node that shares it. So a copy deep-clones the params and
  // an assignment rebinds them; editing an edited spec's layers (compaction, inserted
  // quantisers, bypassed blocks) never changes the spec it was copied from.
  LayerSpec() = default;
  LayerSpec(const LayerSpec& other);
  LayerSpec(LayerSpec&& other) noexcept = default;
  LayerSpec& operator=(const LayerSpec& other);
  LayerSpec& operator=(LayerSpec&& other) noexcept;
  ~LayerSpec() = default;
};

struct ModelSpec {
  std::string name;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<LayerSpec> layers;
  std::string yaml_text;  // the spec as written, stored in checkpoints
  std::string source;     // file name or "checkpoint X", for messages
};

// The name that refers to the model's input data in `inputs:` lists.
inline constexpr const char* kModelInputName = "input";

ModelSpec parse_model_spec(const std::string& yaml_text, const std::string& source);
ModelSpec load_model_spec(const std::string& path);

// A spec edited in memory (compaction, inserted quantisers) written back as YAML, one
// flow-style line per layer, with explicit `inputs:`; parse_model_spec reads it back to
// the same spec. The result's yaml_text is what checkpoints store.
std::string model_spec_to_yaml(const ModelSpec& spec);
// Re-parses the spec from model_spec_to_yaml, so yaml_text and `where` match the edit.
ModelSpec rebuilt_model_spec(const ModelSpec& edited, const std::string& source);

}  // namespace lathe::nn
