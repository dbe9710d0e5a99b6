#include "compress/ablate/model_simplification.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"

namespace lathe::compress::ablate {

nn::ModelSpec spec_without(const nn::ModelSpec& spec, const std::vector<SpecBypass>& bypasses,
                           const std::string& where) {
  nn::ModelSpec edited = spec;
  // Where an earlier bypass sent the readers of a dropped layer: a later bypass whose
  // target was dropped (two bypassed layers in a row) follows it.
  std::map<std::string, std::string> forwarded;
  const auto resolve = [&](std::string name) {
    for (auto it = forwarded.find(name); it != forwarded.end(); it = forwarded.find(name)) name = it->second;
    return name;
  };
  for (const SpecBypass& bypass : bypasses) {
    const std::string target = resolve(bypass.rewired_to);
    const std::set<std::string> dropped(bypass.dropped.begin(), bypass.dropped.end());
    for (const std::string& name : dropped) {
      LATHE_CHECK(std::any_of(edited.layers.begin(), edited.layers.end(),
                              [&](const nn::LayerSpec& l) { return l.name == name; }),
                  where, ": cannot drop layer '", name, "': not in the model spec (removed twice?)");
    }
    LATHE_CHECK(edited.layers.back().name != bypass.rewired_from, where, ": cannot bypass '", bypass.rewired_from,
                "': it is the logits layer");
    std::erase_if(edited.layers, [&](const nn::LayerSpec& layer) { return dropped.contains(layer.name); });
    forwarded[bypass.rewired_from] = target;
    for (nn::LayerSpec& layer : edited.layers) {
      for (std::string& input : layer.inputs) {
        if (input == bypass.rewired_from) input = target;
        LATHE_CHECK(!dropped.contains(input), where, ": layer '", layer.name, "' still reads dropped layer '",
                    input, "'");
      }
    }
  }
  return nn::rebuilt_model_spec(edited, spec.source);
}

nn::Model simplified_model(nn::Model& model, const std::vector<SpecBypass>& bypasses, const std::string& where) {
  nn::Model simplified(spec_without(model.spec(), bypasses, where), 0);
  std::map<std::string, const nn::Parameter*> old_parameters;
  for (const nn::NamedParameter& named : model.named_parameters()) old_parameters[named.name] = named.parameter;
  for (const nn::NamedParameter& named : simplified.named_parameters()) {
    const auto found = old_parameters.find(named.name);
    LATHE_CHECK(found != old_parameters.end(), where, ": the simplified model has parameter '", named.name,
                "' that the model lacks");
    LATHE_CHECK(found->second->value.shape() == named.parameter->value.shape(), where, ": parameter '", named.name,
                "' changed shape from ", found->second->value.shape().to_string(), " to ",
                named.parameter->value.shape().to_string(), " in the simplified model");
    named.parameter->value = found->second->value;
  }
  return simplified;
}

}  // namespace lathe::compress::ablate
