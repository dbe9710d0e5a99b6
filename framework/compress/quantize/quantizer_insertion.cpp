#include "compress/quantize/quantizer_insertion.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"

namespace lathe::compress::quantize {
namespace {

bool is_fake_quant(const nn::ModelSpec& spec, const std::string& name) {
  return std::any_of(spec.layers.begin(), spec.layers.end(), [&](const nn::LayerSpec& layer) {
    return layer.name == name && layer.type == "fake_quant";
  });
}

std::string unused_name(const std::string& wanted, const std::set<std::string>& taken) {
  std::string name = wanted;
  for (int n = 2; taken.contains(name); ++n) name = wanted + "_" + std::to_string(n);
  return name;
}

}  // namespace

std::vector<std::string> insert_input_quantizers(nn::Model& model,
                                                 const std::vector<std::string>& layers,
                                                 const ActivationQuantizerSpec& spec,
                                                 std::uint64_t seed) {
  const nn::ModelSpec& original = model.spec();
  const std::set<std::string> targets(layers.begin(), layers.end());
  std::set<std::string> taken;
  for (const nn::LayerSpec& layer : original.layers) taken.insert(layer.name);

  nn::ModelSpec edited = original;
  edited.layers.clear();
  std::map<std::string, std::string> quantizer_of;  // source name -> quantiser name
  std::vector<std::string> quantizers;
  for (nn::LayerSpec layer : original.layers) {
    if (targets.contains(layer.name)) {
      for (std::string& input : layer.inputs) {
        if (is_fake_quant(original, input)) {
          if (std::find(quantizers.begin(), quantizers.end(), input) == quantizers.end()) {
            quantizers.push_back(input);
          }
          continue;
        }
        auto found = quantizer_of.find(input);
        if (found == quantizer_of.end()) {
          nn::LayerSpec quantizer;
          quantizer.name = unused_name(layer.name + "_in_q", taken);
          quantizer.type = "fake_quant";
          quantizer.inputs = {input};
          quantizer.params = YAML::Node(YAML::NodeType::Map);
          quantizer.params["bits"] = spec.bits;
          quantizer.params["symmetric"] = spec.symmetric;
          quantizer.where = layer.where;
          taken.insert(quantizer.name);
          quantizers.push_back(quantizer.name);
          found = quantizer_of.emplace(input, quantizer.name).first;
          edited.layers.push_back(std::move(quantizer));
        }
        input = found->second;
      }
    }
    edited.layers.push_back(std::move(layer));
  }
  rebuild_with_weights(model, edited, seed);
  return quantizers;
}

void rebuild_with_weights(nn::Model& model, const nn::ModelSpec& edited, std::uint64_t seed) {
  nn::Model rebuilt(nn::rebuilt_model_spec(edited, model.spec().source), seed);
  std::map<std::string, const Tensor*> old_values;
  for (const nn::NamedParameter& named : model.named_parameters()) {
    old_values[named.name] = &named.parameter->value;
  }
  for (const nn::NamedParameter& named : rebuilt.named_parameters()) {
    const auto found = old_values.find(named.name);
    if (found != old_values.end() && found->second->shape() == named.parameter->value.shape()) {
      named.parameter->value = *found->second;
    }
  }
  model = std::move(rebuilt);
}

}  // namespace lathe::compress::quantize
