#include "nn/layer_factory.h"

#include <utility>

#include "nn/layers/layer_builders.h"

namespace lathe::nn {
namespace {

const std::vector<std::pair<std::string, LayerBuilder>>& registry() {
  static const std::vector<std::pair<std::string, LayerBuilder>> builders = {
      {"conv2d", build_conv2d},   {"linear", build_linear},
      {"batchnorm", build_batchnorm}, {"relu", build_relu},
      {"maxpool", build_maxpool}, {"avgpool", build_avgpool},
      {"global_avgpool", build_global_avgpool}, {"flatten", build_flatten},
      {"add", build_add},         {"dropout", build_dropout},
      {"fake_quant", build_fake_quant},
  };
  return builders;
}

}  // namespace

std::vector<std::string> known_layer_types() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<Layer> make_layer(const LayerSpec& spec, std::span<const Shape> input_item_shapes) {
  for (const auto& [type, builder] : registry()) {
    if (type == spec.type) return builder(spec, input_item_shapes);
  }
  const std::vector<std::string> known = known_layer_types();
  const std::string near = config::nearest_word(spec.type, known);
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "" : ", ") + name;
  fail(spec.where, ": layers.", spec.name, ".type: unknown layer type '", spec.type, "'",
       near.empty() ? "" : " (did you mean '" + near + "'?)", "; known types: ", list);
}

}  // namespace lathe::nn
