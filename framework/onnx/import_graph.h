// The state of one import while it walks the graph's nodes in order (ONNX stores them
// topologically sorted): what each ONNX value name stands for, the Lathe layers made so
// far and their weights. Internal to framework/onnx/.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nn/layer_spec.h"
#include "onnx/onnx_tensor_proto.h"
#include "tensor/tensor.h"

namespace lathe::onnx_io {

// What Shape() folds the batch dimension to: a number no real dimension has, so a
// Reshape target built from it (PyTorch's x.view(x.size(0), -1)) is recognised.
inline constexpr double kBatchDimension = -7.0e15;

// An ONNX value: the output of a Lathe layer (or the model input), or a constant.
struct GraphValue {
  bool is_constant = false;
  std::string layer;                    // a layer name, or nn::kModelInputName
  std::vector<std::int64_t> item_shape; // the layer's output per item, Lathe's shape
  ConstantValue constant;
  // Zero padding of H and W from a Pad node not applied yet: PyTorch exports a padded
  // AvgPool2d as Pad + AveragePool, which is Lathe's avgpool with that padding.
  std::int64_t pending_padding = 0;
};

class ImportGraph {
 public:
  ImportGraph(std::string path, const ::onnx::GraphProto& graph, int opset);

  void import_node(const ::onnx::NodeProto& node);
  // The layers in graph order, the last being the graph's output (checked).
  [[nodiscard]] std::vector<nn::LayerSpec> finished_layers(const std::string& output) const;
  [[nodiscard]] const std::map<std::string, Tensor>& weights() const { return weights_; }
  [[nodiscard]] const std::vector<std::int64_t>& input_shape() const { return input_shape_; }
  // The graph's own input normalisation (import_input_normalization), per channel.
  [[nodiscard]] const std::vector<double>& input_mean() const { return input_mean_; }
  [[nodiscard]] const std::vector<double>& input_std() const { return input_std_; }
  void set_input_normalization(std::vector<double> mean, std::vector<double> std) {
    input_mean_ = std::move(mean);
    input_std_ = std::move(std);
  }
  [[nodiscard]] bool has_layers() const { return !layers_.empty(); }

  // For the operator handlers (import_layers.cpp, import_constants.cpp).
  [[nodiscard]] int opset() const { return opset_; }
  [[nodiscard]] std::string node_where(const ::onnx::NodeProto& node) const;
  [[nodiscard]] const GraphValue& input(const ::onnx::NodeProto& node, int index) const;
  [[nodiscard]] bool has_input(const ::onnx::NodeProto& node, int index) const;
  [[nodiscard]] const GraphValue& layer_input(const ::onnx::NodeProto& node, int index) const;
  // layer_input that also takes a value with pending padding (Conv, AveragePool).
  [[nodiscard]] const GraphValue& padded_layer_input(const ::onnx::NodeProto& node, int index) const;
  [[nodiscard]] const ConstantValue& constant_input(const ::onnx::NodeProto& node, int index) const;
  [[nodiscard]] std::optional<std::int64_t> static_batch() const { return static_batch_; }
  // How many node inputs and graph outputs read this value.
  [[nodiscard]] int consumers(const std::string& value_name) const;

  // Adds a layer named after the node (or its weight), returns its name.
  std::string add_layer(const ::onnx::NodeProto& node, const std::string& type, YAML::Node params,
                        std::vector<std::string> inputs, std::vector<std::int64_t> item_shape,
                        const std::string& weight_name = "");
  void set_weight(const std::string& layer, const std::string& parameter, Tensor value);
  // The layer spec made for `layer` (to add a bias folded from a later Add).
  nn::LayerSpec& layer_spec(const std::string& layer);
  void define(const std::string& value_name, GraphValue value);
  // Marks a linear layer made from MatMul: a following Add of a constant is its bias.
  void mark_bias_free_matmul(const std::string& layer) { bias_free_matmuls_.push_back(layer); }
  [[nodiscard]] bool is_bias_free_matmul(const std::string& layer) const;
  void clear_bias_free_matmul(const std::string& layer);

 private:
  std::string path_;
  int opset_;
  std::map<std::string, GraphValue> values_;
  std::map<std::string, int> consumers_;
  std::vector<nn::LayerSpec> layers_;
  std::map<std::string, Tensor> weights_;  // "<layer>/<parameter>"
  std::vector<std::string> bias_free_matmuls_;
  std::vector<std::int64_t> input_shape_;  // C, H, W
  std::vector<double> input_mean_;
  std::vector<double> input_std_;
  std::optional<std::int64_t> static_batch_;
};

// One handler per family; each returns false when the op is not its own.
bool import_layer_node(ImportGraph& graph, const ::onnx::NodeProto& node);
bool import_constant_node(ImportGraph& graph, const ::onnx::NodeProto& node);
// Sub and Div of per-channel constants on the graph input, before any layer: folded
// into the input normalisation.
bool import_input_normalization(ImportGraph& graph, const ::onnx::NodeProto& node);

// The operators the two handlers accept, for the unsupported-operator message.
inline constexpr const char* kSupportedOperators =
    "Conv, Gemm, MatMul, Add, Relu, MaxPool, AveragePool, GlobalAveragePool, "
    "BatchNormalization, Flatten, Reshape (to N x features), Dropout, Identity, Pad (zeros, "
    "before Conv or AveragePool), Sub and Div of constants on the input (its normalisation), "
    "and the "
    "constants around them (Constant, Shape, Gather, Unsqueeze, Squeeze, Concat, Cast)";

// Node attributes, checked: unknown attributes are errors naming the node.
class NodeAttributes {
 public:
  NodeAttributes(const ImportGraph& graph, const ::onnx::NodeProto& node,
                 std::vector<std::string> known);
  [[nodiscard]] std::int64_t integer(const std::string& name, std::int64_t fallback) const;
  [[nodiscard]] double number(const std::string& name, double fallback) const;
  [[nodiscard]] std::string text(const std::string& name, const std::string& fallback) const;
  [[nodiscard]] std::optional<std::vector<std::int64_t>> integers(const std::string& name) const;
  [[nodiscard]] const ::onnx::AttributeProto* find(const std::string& name) const;
  // "model.onnx: node 'x' (Conv): attribute group = 2: " for messages.
  [[nodiscard]] std::string where(const std::string& name) const;

 private:
  std::string where_;
  const ::onnx::NodeProto& node_;
};

}  // namespace lathe::onnx_io
