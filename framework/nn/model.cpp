#include "nn/model.h"

#include <map>

#include "core/error.h"
#include "nn/init.h"
#include "nn/layer_factory.h"

namespace lathe::nn {

Model::Model(ModelSpec spec, std::uint64_t seed) : spec_(std::move(spec)) {
  std::map<std::string, int> index_of;
  std::vector<Shape> item_shapes;  // output shape per node, without the batch dimension
  const Shape input_shape = input_item_shape();
  for (const LayerSpec& layer_spec : spec_.layers) {
    Node node;
    std::vector<Shape> input_shapes;
    for (const std::string& input_name : layer_spec.inputs) {
      const int id = input_name == kModelInputName ? kModelInput : index_of.at(input_name);
      node.inputs.push_back(id);
      input_shapes.push_back(id == kModelInput ? input_shape : item_shapes[id]);
    }
    node.layer = make_layer(layer_spec, input_shapes);
    const Shape out = node.layer->output_shape(1);
    item_shapes.emplace_back(std::vector<std::int64_t>(out.dims().begin() + 1, out.dims().end()));
    std::mt19937_64 rng(layer_seed(seed, layer_spec.name));
    node.layer->initialize(rng);
    index_of[layer_spec.name] = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(node));
  }
  const Shape& logits = item_shapes.back();
  LATHE_CHECK(logits.rank() == 1 && logits[0] >= 2, spec_.source, ": the last layer ('",
              spec_.layers.back().name,
              "') must output one score per class (a vector of at least 2), got ",
              logits.to_string(), " per item");
  classes_ = static_cast<int>(logits[0]);
}

Shape Model::input_item_shape() const { return {spec_.channels, spec_.height, spec_.width}; }

void Model::place(DeviceMemory* memory) {
  if (memory == memory_) return;
  for (Node& node : nodes_) {
    node.layer->place(memory);
    node.output.place(memory);
    node.grad.place(memory);
  }
  for (Tensor& scratch : scratch_grads_) scratch.place(memory);
  last_input_ = nullptr;  // the last batch stays where it was
  memory_ = memory;
}

void Model::check_runs_on(const Backend& backend, const Tensor& tensor, const char* what) const {
  const auto where = [](const DeviceMemory* m) -> std::string_view {
    return m == nullptr ? "host" : m->name();
  };
  LATHE_CHECK(memory_ == backend.memory(), "model '", spec_.name, "' lives in ", where(memory_),
              " memory but the ", backend.name(), " backend reads ", where(backend.memory()),
              " memory: place it on the backend first (nn::ModelOnBackend)");
  LATHE_CHECK(tensor.memory() == memory_, "model '", spec_.name, "': the ", what, " live in ",
              where(tensor.memory()), " memory, the model in ", where(memory_), " memory");
}

const Tensor& Model::forward(Backend& backend, const Tensor& images, const RunMode& mode) {
  check_runs_on(backend, images, "input images");
  const Shape expected = input_item_shape();
  LATHE_CHECK(images.shape().rank() == 4 && images.shape()[1] == expected[0] &&
                  images.shape()[2] == expected[1] && images.shape()[3] == expected[2],
              "model '", spec_.name, "' expects input N x ", expected[0], " x ", expected[1],
              " x ", expected[2], ", got ", images.shape().to_string());
  last_input_ = &images;
  std::vector<const Tensor*> inputs;
  for (Node& node : nodes_) {
    inputs.clear();
    for (int id : node.inputs) inputs.push_back(id == kModelInput ? &images : &nodes_[id].output);
    node.layer->forward(backend, inputs, node.output, mode);
  }
  return nodes_.back().output;
}

std::optional<std::size_t> Model::find_layer(const std::string& name) const {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].layer->name() == name) return i;
  }
  return std::nullopt;
}

void Model::backward(Backend& backend, const Tensor& grad_logits,
                     std::span<const ActivationGradient> extra) {
  LATHE_CHECK(last_input_ != nullptr, "Model::backward called before forward");
  check_runs_on(backend, grad_logits, "logits gradients");
  for (Node& node : nodes_) node.grad_ready = false;
  Node& last = nodes_.back();
  last.grad.resize(grad_logits.shape());
  backend.copy(grad_logits.size(), grad_logits.data(), last.grad.data());
  last.grad_ready = true;
  for (const ActivationGradient& added : extra) {
    Node& node = nodes_.at(added.layer_index);
    LATHE_CHECK(added.grad->shape() == node.output.shape(), "gradient for layer '",
                node.layer->name(), "' has shape ", added.grad->shape().to_string(),
                ", its output ", node.output.shape().to_string());
    if (node.grad_ready) {
      backend.axpy(node.grad.size(), 1.0F, added.grad->data(), node.grad.data());
    } else {
      node.grad.resize(node.output.shape());
      backend.copy(node.grad.size(), added.grad->data(), node.grad.data());
      node.grad_ready = true;
    }
  }

  std::vector<const Tensor*> inputs;
  std::vector<Tensor*> grad_targets;
  for (std::size_t i = nodes_.size(); i-- > 0;) {
    Node& node = nodes_[i];
    if (!node.grad_ready) {
      // Nothing downstream uses this layer's output: its parameters get no gradient.
      for (Parameter* p : node.layer->parameters()) {
        if (p->trainable) p->grad.fill(0.0F);
      }
      continue;
    }
    inputs.clear();
    grad_targets.clear();
    while (scratch_grads_.size() < node.inputs.size()) scratch_grads_.emplace_back(Shape{}, memory_);
    // The first contribution to an input's gradient is written in place; later ones go
    // to scratch and are added, so fan-out sums correctly.
    for (std::size_t slot = 0; slot < node.inputs.size(); ++slot) {
      const int id = node.inputs[slot];
      inputs.push_back(id == kModelInput ? last_input_ : &nodes_[id].output);
      if (id == kModelInput) {
        grad_targets.push_back(nullptr);
      } else if (!nodes_[id].grad_ready) {
        grad_targets.push_back(&nodes_[id].grad);
        nodes_[id].grad_ready = true;
      } else {
        grad_targets.push_back(&scratch_grads_[slot]);
      }
    }
    node.layer->backward(backend, inputs, node.output, node.grad, grad_targets);
    for (std::size_t slot = 0; slot < node.inputs.size(); ++slot) {
      if (grad_targets[slot] == &scratch_grads_[slot]) {
        Tensor& target = nodes_[node.inputs[slot]].grad;
        backend.axpy(target.size(), 1.0F, scratch_grads_[slot].data(), target.data());
      }
    }
  }
}

std::vector<NamedParameter> Model::named_parameters() {
  std::vector<NamedParameter> named;
  for (Node& node : nodes_) {
    for (Parameter* p : node.layer->parameters()) {
      named.push_back({node.layer->name() + "/" + p->name, p});
    }
  }
  return named;
}

std::vector<Parameter*> Model::trainable_parameters() {
  std::vector<Parameter*> trainable;
  for (Node& node : nodes_) {
    for (Parameter* p : node.layer->parameters()) {
      if (p->trainable) trainable.push_back(p);
    }
  }
  return trainable;
}

std::vector<Parameter*> Model::all_parameters() {
  std::vector<Parameter*> all;
  for (Node& node : nodes_) {
    for (Parameter* p : node.layer->parameters()) all.push_back(p);
  }
  return all;
}

std::int64_t Model::trainable_parameter_count() {
  std::int64_t count = 0;
  for (Parameter* p : trainable_parameters()) count += p->value.size();
  return count;
}

std::int64_t Model::macs_per_item() const {
  std::int64_t macs = 0;
  for (const Node& node : nodes_) macs += node.layer->macs_per_item();
  return macs;
}

}  // namespace lathe::nn
