// One node of the model DAG. A layer is built for fixed input shapes (its parameters
// are allocated then), computes its output with the backend's operations, and in
// backward writes (overwrites) the gradient of each input it is asked for and the
// gradients of its own parameters. The Model owns the activations and accumulates
// gradients where an output feeds several layers.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "nn/parameter.h"
#include "tensor/tensor.h"

namespace lathe::nn {

struct RunMode {
  bool training = false;
  std::uint64_t step_seed = 0;  // per-step randomness (dropout), a function of the run seed
};

class Layer {
 public:
  Layer(std::string name, std::string type) : name_(std::move(name)), type_(std::move(type)) {}
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;
  virtual ~Layer() = default;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& type() const { return type_; }

  // Shape of the output for a batch of `batch` items (set at build time).
  [[nodiscard]] virtual Shape output_shape(std::int64_t batch) const = 0;

  virtual void forward(Backend& backend, std::span<const Tensor* const> inputs, Tensor& output,
                       const RunMode& mode) = 0;
  // grad_inputs[i] is null when input i needs no gradient (the model's input data).
  virtual void backward(Backend& backend, std::span<const Tensor* const> inputs,
                        const Tensor& output, const Tensor& grad_output,
                        std::span<Tensor* const> grad_inputs) = 0;

  virtual std::vector<Parameter*> parameters() { return {}; }
  // Moves the parameters, their gradients and the layer's own buffers to `memory` (null:
  // host), where the backend that runs the layer reads them (Model::place). A layer
  // whose state host code reads every step may keep that state on the host.
  virtual void place(DeviceMemory* memory) {
    for (Parameter* p : parameters()) {
      p->value.place(memory);
      p->grad.place(memory);
    }
    place_buffers(memory);
  }
  // Seeded initialisation of the parameters (the rng is this layer's own stream).
  virtual void initialize(std::mt19937_64& /*rng*/) {}
  // Multiply-accumulates for one item (inference), for size and speed reports.
  [[nodiscard]] virtual std::int64_t macs_per_item() const { return 0; }

 protected:
  // Buffers the layer keeps between forward and backward (saved statistics, masks).
  virtual void place_buffers(DeviceMemory* /*memory*/) {}

 private:
  std::string name_;
  std::string type_;
};

}  // namespace lathe::nn
