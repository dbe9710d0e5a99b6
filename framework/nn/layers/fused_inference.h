// Inference with conv2d [+ batchnorm] [+ ReLU] chains run as one convolution, and
// linear + ReLU as one inner product (Backend::linear_forward_relu): the
// batchnorm's running statistics folded into the convolution's weights and bias
// (w' = w * s, b' = (b - mean) * s + beta, s = gamma / sqrt(var + eps), per output
// channel) and the ReLU applied in the same pass (Backend::conv2d_forward_relu, a oneDNN
// post-op on the CPU). PyTorch's eager mode runs the three as separate passes over the
// activations. A chain fuses only where each intermediate output feeds the next layer
// alone; every other layer runs as in Model::forward.
//
// Given the artifact the model was loaded from (`stored`), a fake_quant feeding a conv2d
// or linear layer whose weight it stores quantised runs with that layer's chain on
// integer kernels instead (integer_layer.h: oneDNN's int8 primitives), and consecutive
// such chains hand each other u8 codes (integer_run.h); every other layer,
// and every layer without `stored`, runs as above: the simulated path of fake_quant
// layers and float kernels.
//
// The plan folds the model's weights as they are when it is made: make one per
// evaluation (nn::evaluate, recipe::median_latency_ms do), never across training steps.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "io/checkpoint.h"
#include "nn/layers/fusable.h"
#include "nn/layers/integer_layer.h"
#include "nn/model.h"
#include "tensor/tensor.h"

namespace lathe::nn {

class FusedInference {
 public:
  // `model` must be placed where `backend` reads (nn::ModelOnBackend); the folded
  // weights and the outputs are placed there too.
  // `stored`, when given, is the artifact `model` was loaded from (its packed weights).
  FusedInference(Model& model, const Backend& backend, const io::Checkpoint* stored = nullptr);

  // The logits of `images` in inference mode: Model::forward(backend, images, {false, 0})
  // within float rounding. They stay valid until the next forward.
  const Tensor& forward(Backend& backend, const Tensor& images);

  // Convolutions that absorbed a batchnorm or a ReLU, and linear layers that absorbed a
  // ReLU (for tests and reports).
  [[nodiscard]] int fused_chains() const { return fused_chains_; }
  // Chains that run on integer kernels, and "<layer>: <why>" for each quantised layer
  // that keeps the simulated path (for tests, reports and benchmark records).
  [[nodiscard]] int integer_layers() const { return integer_layers_; }
  [[nodiscard]] const std::vector<std::string>& integer_fallbacks() const {
    return integer_fallbacks_;
  }
  // Integer layers that hand the next one its u8 codes (no float tensor between them),
  // and "<layer> -> <next>: <why>" for each pair of consecutive integer layers that hand
  // on floats instead.
  [[nodiscard]] int code_handoffs() const { return code_handoffs_; }
  [[nodiscard]] const std::vector<std::string>& float_handoffs() const { return float_handoffs_; }
  // The int8 kernel oneDNN chose for each integer chain at this batch size.
  [[nodiscard]] std::vector<std::string> integer_implementations(const Backend& backend, int batch);

 private:
  static constexpr int kModelInput = -1;
  struct Step {
    std::size_t node = 0;           // the layer that runs (the chain's convolution)
    std::vector<int> inputs;        // node indices, or kModelInput
    std::size_t output_node = 0;    // where its output goes: the chain's last layer
    bool fused = false;             // a folded convolution or a linear + ReLU, not Layer::forward
    bool linear = false;            // the fused layer is linear (in/out features below)
    int in_features = 0;
    int out_features = 0;
    bool relu = false;
    Conv2dGeometry geometry;        // batch set per forward
    Tensor weight;                  // folded, where the model lives
    Tensor bias;                    // folded (zeros when the chain had none)
    std::unique_ptr<IntegerLayer> integer;  // the run of chains on integer kernels, or null
  };
  struct ConvChain {
    std::size_t end;                // the chain's last layer
    const FoldableBatchNorm* norm;  // or null
    bool relu;
  };

  [[nodiscard]] ConvChain conv_chain(const std::vector<int>& consumer, std::size_t index) const;
  std::optional<PreparedIntegerLayer> prepare_integer_chain(const std::vector<int>& consumer,
                                                            const Backend& backend,
                                                            const io::Checkpoint& stored,
                                                            std::size_t index, std::size_t& end,
                                                            std::string& why_not) const;
  bool plan_integer_step(const std::vector<int>& consumer, const Backend& backend,
                         const io::Checkpoint& stored, Step& step);

  static void copy_parameters(const Tensor& weight, const Tensor* bias, Step& step);

  Model& model_;
  std::vector<Step> steps_;
  std::vector<Tensor> outputs_;  // per node; only chain ends and unfused layers are written
  std::vector<const Tensor*> inputs_;
  int fused_chains_ = 0;
  int integer_layers_ = 0;
  std::vector<std::string> integer_fallbacks_;
  int code_handoffs_ = 0;
  std::vector<std::string> float_handoffs_;
};

}  // namespace lathe::nn
