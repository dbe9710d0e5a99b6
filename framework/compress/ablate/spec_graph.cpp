#include "compress/ablate/spec_graph.h"

namespace lathe::compress::ablate {

SpecGraph::SpecGraph(const nn::ModelSpec& spec) : spec_(&spec), consumers_(spec.layers.size()) {
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    for (const std::string& input : spec.layers[i].inputs) {
      if (const auto producer = index_of(input)) consumers_[*producer].push_back(i);
    }
  }
}

std::optional<std::size_t> SpecGraph::index_of(const std::string& name) const {
  for (std::size_t i = 0; i < spec_->layers.size(); ++i) {
    if (spec_->layers[i].name == name) return i;
  }
  return std::nullopt;
}

std::set<std::size_t> SpecGraph::ancestors(const std::string& name) const {
  std::set<std::size_t> found;
  std::vector<std::string> pending;
  if (const auto start = index_of(name)) {
    pending = spec_->layers[*start].inputs;
  }
  while (!pending.empty()) {
    const std::string next = pending.back();
    pending.pop_back();
    const auto index = index_of(next);
    if (!index || !found.insert(*index).second) continue;
    for (const std::string& input : spec_->layers[*index].inputs) pending.push_back(input);
  }
  return found;
}

bool is_weighted(const nn::LayerSpec& layer) { return layer.type == "conv2d" || layer.type == "linear"; }

bool keeps_channels_and_zeros(const nn::LayerSpec& layer) {
  return layer.type == "relu" || layer.type == "maxpool" || layer.type == "avgpool" ||
         layer.type == "global_avgpool" || layer.type == "dropout";
}

bool has_bias(const nn::LayerSpec& layer) {
  const YAML::Node& params = layer.params;  // const: yaml-cpp's non-const [] inserts keys
  const YAML::Node bias = params["bias"];
  return !bias || bias.as<bool>();
}

int layer_int(const nn::LayerSpec& layer, const char* key, int fallback) {
  const YAML::Node& params = layer.params;
  const YAML::Node value = params[key];
  return value ? value.as<int>() : fallback;
}

}  // namespace lathe::compress::ablate
