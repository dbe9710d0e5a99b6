// The model: a DAG of named layers built from a ModelSpec, run forward and backward on a
// Backend. Layers run in spec order (inputs are always defined earlier, so spec order is
// a topological order); the last layer's output is the logits. The model owns every
// activation and gradient buffer and reuses them from step to step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "nn/layer.h"
#include "nn/layer_spec.h"

namespace lathe::nn {

struct NamedParameter {
  std::string name;  // "<layer>/<parameter>", as in checkpoints
  Parameter* parameter;
};

// A gradient to add at one layer's output during backward (feature distillation).
struct ActivationGradient {
  std::size_t layer_index;
  const Tensor* grad;  // same shape as that layer's output in the last forward
};

class Model {
 public:
  // Builds every layer for the spec's input shape and initialises the weights from `seed`.
  Model(ModelSpec spec, std::uint64_t seed);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;
  ~Model() = default;

  [[nodiscard]] const ModelSpec& spec() const { return spec_; }
  [[nodiscard]] Shape input_item_shape() const;
  [[nodiscard]] int classes() const { return classes_; }

  // Where the parameters and activations live: null for host memory. A backend runs the
  // model only where its memory() is (nn/model_placement.h moves it for a run).
  [[nodiscard]] DeviceMemory* memory() const { return memory_; }
  void place(DeviceMemory* memory);

  // Runs a batch (N x C x H x W) through the model; the returned logits (N x classes)
  // stay valid until the next forward.
  const Tensor& forward(Backend& backend, const Tensor& images, const RunMode& mode);
  // Back-propagates d loss / d logits of the last forward, plus any gradients given at
  // intermediate activations; fills every parameter's grad.
  void backward(Backend& backend, const Tensor& grad_logits,
                std::span<const ActivationGradient> extra = {});

  [[nodiscard]] std::vector<NamedParameter> named_parameters();
  [[nodiscard]] std::vector<Parameter*> trainable_parameters();
  // Every parameter, trainable or not, in layer order.
  [[nodiscard]] std::vector<Parameter*> all_parameters();
  [[nodiscard]] std::int64_t trainable_parameter_count();
  [[nodiscard]] std::int64_t macs_per_item() const;
  [[nodiscard]] std::size_t layer_count() const { return nodes_.size(); }
  [[nodiscard]] Layer& layer(std::size_t index) { return *nodes_[index].layer; }
  [[nodiscard]] const Layer& layer(std::size_t index) const { return *nodes_[index].layer; }
  // The index of the layer with this name, or nullopt.
  [[nodiscard]] std::optional<std::size_t> find_layer(const std::string& name) const;
  // The output of a layer in the last forward (for tests and feature distillation).
  [[nodiscard]] const Tensor& activation(std::size_t index) const { return nodes_[index].output; }

 private:
  static constexpr int kModelInput = -1;
  struct Node {
    std::unique_ptr<Layer> layer;
    std::vector<int> inputs;  // node indices, or kModelInput
    Tensor output;
    Tensor grad;              // d loss / d output
    bool grad_ready = false;  // grad holds at least one contribution this backward
  };

  void check_runs_on(const Backend& backend, const Tensor& tensor, const char* what) const;

  ModelSpec spec_;
  std::vector<Node> nodes_;
  std::vector<Tensor> scratch_grads_;  // per input slot, for fan-out accumulation
  const Tensor* last_input_ = nullptr;
  int classes_ = 0;
  DeviceMemory* memory_ = nullptr;
};

}  // namespace lathe::nn
