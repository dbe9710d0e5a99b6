#include "nn/model_checkpoint.h"

#include <algorithm>
#include <set>

#include "core/error.h"

namespace lathe::nn {

io::Checkpoint make_checkpoint(Model& model) {
  io::Checkpoint checkpoint;
  checkpoint.model_spec_yaml = model.spec().yaml_text;
  for (const NamedParameter& named : model.named_parameters()) {
    checkpoint.tensors.push_back({named.name, named.parameter->value});
  }
  return checkpoint;
}

void load_weights(Model& model, const io::Checkpoint& checkpoint, const std::string& path) {
  std::set<std::string> expected;
  for (const NamedParameter& named : model.named_parameters()) {
    expected.insert(named.name);
    const auto found = std::find_if(checkpoint.tensors.begin(), checkpoint.tensors.end(),
                                    [&](const io::NamedTensor& t) { return t.name == named.name; });
    LATHE_CHECK(found != checkpoint.tensors.end(), path, ": weights/", named.name,
                ": missing (the model spec has this parameter)");
    LATHE_CHECK(found->value.shape() == named.parameter->value.shape(), path, ": weights/",
                named.name, ": expected shape ", named.parameter->value.shape().to_string(),
                " from the model spec, found ", found->value.shape().to_string());
    named.parameter->value = found->value;
  }
  for (const io::NamedTensor& tensor : checkpoint.tensors) {
    LATHE_CHECK(expected.contains(tensor.name), path, ": weights/", tensor.name,
                ": not a parameter of the model spec (does the spec match the weights?)");
  }
}

Model model_from_checkpoint(const io::Checkpoint& checkpoint, const std::string& path) {
  Model model(parse_model_spec(checkpoint.model_spec_yaml, path + ":/model_spec"), 0);
  load_weights(model, checkpoint, path);
  return model;
}

}  // namespace lathe::nn
