// The ONNX operators that become Lathe layers (docs/onnx.md has the table). Each checks
// every attribute against what the layer kind can do, so an import either reproduces
// the graph or stops with the node, the attribute and what Lathe supports.
#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "onnx/import_graph.h"

namespace lathe::onnx_io {
namespace {

Tensor tensor_from(const ConstantValue& constant, Shape shape) {
  Tensor tensor(std::move(shape));
  LATHE_CHECK(tensor.size() == static_cast<std::int64_t>(constant.values.size()),
              "internal: constant of ", constant.values.size(), " values for shape ", tensor.shape().to_string());
  for (std::int64_t i = 0; i < tensor.size(); ++i) tensor[i] = static_cast<float>(constant.values[i]);
  return tensor;
}

std::string dims_text(const std::vector<std::int64_t>& dims) { return Shape(dims).to_string(); }

std::int64_t product(const std::vector<std::int64_t>& dims) {
  return std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
}

// One value for both spatial axes: Lathe's windows and strides are square and its
// padding the same on every side.
std::int64_t one_value(const NodeAttributes& attributes, const std::string& name,
                       std::int64_t fallback, const std::vector<std::int64_t>& values,
                       const char* what) {
  if (values.empty()) return fallback;
  const bool same = std::all_of(values.begin(), values.end(), [&](std::int64_t v) { return v == values[0]; });
  LATHE_CHECK(same, attributes.where(name), " = ", dims_text(values), ": Lathe supports ", what,
              " only");
  return values[0];
}

struct Window {
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
};

// kernel_shape, strides, pads, dilations (1) and auto_pad (NOTSET or VALID) of Conv and
// the pools; `kernel` from the weight for Conv.
Window read_window(const NodeAttributes& attributes, std::optional<std::int64_t> weight_kernel) {
  Window window;
  const std::string auto_pad = attributes.text("auto_pad", "NOTSET");
  LATHE_CHECK(auto_pad == "NOTSET" || auto_pad == "VALID", attributes.where("auto_pad"), " = ", auto_pad,
              ": Lathe supports explicit pads (NOTSET) or VALID only");
  const auto kernel = attributes.integers("kernel_shape").value_or(std::vector<std::int64_t>{});
  LATHE_CHECK(weight_kernel || !kernel.empty(), attributes.where("kernel_shape"), ": expected one, found none");
  window.kernel = one_value(attributes, "kernel_shape", weight_kernel.value_or(1), kernel, "square kernels");
  LATHE_CHECK(!weight_kernel || window.kernel == *weight_kernel, attributes.where("kernel_shape"), " = ",
              dims_text(kernel), ": expected the weight's kernel ", *weight_kernel);
  window.stride = one_value(attributes, "strides", 1,
                            attributes.integers("strides").value_or(std::vector<std::int64_t>{}),
                            "the same stride along height and width");
  window.padding = one_value(attributes, "pads", 0,
                             attributes.integers("pads").value_or(std::vector<std::int64_t>{}),
                             "the same padding on every side");
  const auto dilations = attributes.integers("dilations").value_or(std::vector<std::int64_t>{});
  LATHE_CHECK(std::all_of(dilations.begin(), dilations.end(), [](std::int64_t d) { return d == 1; }),
              attributes.where("dilations"), " = ", dims_text(dilations), ": Lathe supports dilation 1 only");
  return window;
}

std::vector<std::int64_t> window_output(const GraphValue& input, std::int64_t channels, const Window& w,
                                        const std::string& where) {
  const std::int64_t height = (input.item_shape[1] + 2 * w.padding - w.kernel) / w.stride + 1;
  const std::int64_t width = (input.item_shape[2] + 2 * w.padding - w.kernel) / w.stride + 1;
  LATHE_CHECK(height >= 1 && width >= 1, where, ": a ", w.kernel, "x", w.kernel, " window does not fit ",
              dims_text(input.item_shape));
  return {channels, height, width};
}

void expect_image_input(const ImportGraph& graph, const ::onnx::NodeProto& node, const GraphValue& input) {
  LATHE_CHECK(input.item_shape.size() == 3, graph.node_where(node),
              ": expected an N x C x H x W input, found per-item shape ", dims_text(input.item_shape));
}

void expect_one_output(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  for (int i = 1; i < node.output_size(); ++i) {
    LATHE_CHECK(node.output(i).empty() || graph.consumers(node.output(i)) == 0, graph.node_where(node),
                ": output ", i, " ('", node.output(i), "') is used; Lathe imports only the first output");
  }
}

void import_conv(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const GraphValue input = graph.padded_layer_input(node, 0);
  expect_image_input(graph, node, input);
  const ConstantValue& weight = graph.constant_input(node, 1);
  LATHE_CHECK(attributes.integer("group", 1) == 1, attributes.where("group"), " = ",
              attributes.integer("group", 1), ": Lathe imports Conv with group 1 only");
  LATHE_CHECK(weight.dims.size() == 4 && weight.dims[1] == input.item_shape[0] && weight.dims[2] == weight.dims[3],
              graph.node_where(node), ": weight '", node.input(1), "': expected out x ", input.item_shape[0],
              " x k x k, found ", dims_text(weight.dims));
  Window window = read_window(attributes, weight.dims[2]);
  window.padding += input.pending_padding;
  const bool bias = graph.has_input(node, 2);
  YAML::Node params;
  params["out_channels"] = weight.dims[0];
  params["kernel"] = window.kernel;
  params["stride"] = window.stride;
  params["padding"] = window.padding;
  params["bias"] = bias;
  const std::string name =
      graph.add_layer(node, "conv2d", params, {input.layer},
                      window_output(input, weight.dims[0], window, graph.node_where(node)), node.input(1));
  graph.set_weight(name, "weight", tensor_from(weight, Shape(weight.dims)));
  if (bias) {
    const ConstantValue& b = graph.constant_input(node, 2);
    LATHE_CHECK(b.values.size() == static_cast<std::size_t>(weight.dims[0]), graph.node_where(node),
                ": bias: expected ", weight.dims[0], " values, found ", b.values.size());
    graph.set_weight(name, "bias", tensor_from(b, Shape{weight.dims[0]}));
  }
}

void import_linear(ImportGraph& graph, const ::onnx::NodeProto& node, bool gemm) {
  const NodeAttributes attributes = gemm ? NodeAttributes(graph, node, {"alpha", "beta", "transA", "transB"})
                                         : NodeAttributes(graph, node, {});
  const GraphValue input = graph.layer_input(node, 0);
  LATHE_CHECK(input.item_shape.size() == 1, graph.node_where(node),
              ": expected N x features, found per-item shape ", dims_text(input.item_shape),
              " (flatten before it)");
  const ConstantValue& weight = graph.constant_input(node, 1);
  LATHE_CHECK(weight.dims.size() == 2, graph.node_where(node), ": weight '", node.input(1),
              "': expected a matrix, found ", dims_text(weight.dims));
  if (gemm) {
    LATHE_CHECK(attributes.number("alpha", 1.0) == 1.0 && attributes.number("beta", 1.0) == 1.0,
                graph.node_where(node), ": Lathe imports Gemm with alpha = beta = 1 only");
    LATHE_CHECK(attributes.integer("transA", 0) == 0, attributes.where("transA"), ": Lathe supports 0 only");
  }
  // Lathe's weight is out x in, as PyTorch's; MatMul's and Gemm's without transB are in x out.
  const bool out_by_in = gemm && attributes.integer("transB", 0) == 1;
  const std::int64_t in = out_by_in ? weight.dims[1] : weight.dims[0];
  const std::int64_t out = out_by_in ? weight.dims[0] : weight.dims[1];
  LATHE_CHECK(in == input.item_shape[0], graph.node_where(node), ": weight '", node.input(1), "' ",
              dims_text(weight.dims), " takes ", in, " features, the input has ", input.item_shape[0]);
  Tensor w(Shape{out, in});
  for (std::int64_t o = 0; o < out; ++o) {
    for (std::int64_t i = 0; i < in; ++i) {
      w[o * in + i] = static_cast<float>(weight.values[out_by_in ? o * in + i : i * out + o]);
    }
  }
  const bool bias = gemm && graph.has_input(node, 2);
  YAML::Node params;
  params["out_features"] = out;
  params["bias"] = bias;
  const std::string name = graph.add_layer(node, "linear", params, {input.layer}, {out}, node.input(1));
  graph.set_weight(name, "weight", std::move(w));
  if (bias) {
    const ConstantValue& c = graph.constant_input(node, 2);
    LATHE_CHECK(c.values.size() == static_cast<std::size_t>(out), graph.node_where(node), ": C: expected ",
                out, " values (one per output), found ", c.values.size());
    graph.set_weight(name, "bias", tensor_from(c, Shape{out}));
  }
  if (!gemm) graph.mark_bias_free_matmul(name);
}

// Add of two activations is a residual join; Add of a constant is the bias of the
// MatMul before it (PyTorch's nn.Linear on inputs of rank > 2 exports as MatMul + Add).
void import_add(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes none(graph, node, {});
  const GraphValue& a = graph.input(node, 0);
  const GraphValue& b = graph.input(node, 1);
  if (!a.is_constant) (void)graph.layer_input(node, 0);  // no pending Pad
  if (!b.is_constant) (void)graph.layer_input(node, 1);
  if (!a.is_constant && !b.is_constant) {
    LATHE_CHECK(a.item_shape == b.item_shape, graph.node_where(node), ": Lathe adds inputs of the same shape only, found ",
                dims_text(a.item_shape), " and ", dims_text(b.item_shape));
    const GraphValue left = a;
    graph.add_layer(node, "add", YAML::Node(), {left.layer, b.layer}, left.item_shape);
    return;
  }
  const GraphValue& activation = a.is_constant ? b : a;
  const int activation_index = a.is_constant ? 1 : 0;
  const ConstantValue& constant = a.is_constant ? a.constant : b.constant;
  LATHE_CHECK(!activation.is_constant, graph.node_where(node), ": adds two constants (Lathe folds none)");
  const bool bias_slot = graph.is_bias_free_matmul(activation.layer) &&
                         graph.consumers(node.input(activation_index)) == 1 &&
                         constant.values.size() == static_cast<std::size_t>(activation.item_shape[0]);
  LATHE_CHECK(bias_slot, graph.node_where(node),
              ": Lathe imports an Add of a constant only as the bias of the MatMul just before it");
  const std::string layer = activation.layer;
  graph.layer_spec(layer).params["bias"] = true;
  graph.set_weight(layer, "bias", tensor_from(constant, Shape{activation.item_shape[0]}));
  graph.clear_bias_free_matmul(layer);
  graph.define(node.output(0), activation);
}

void import_pool(ImportGraph& graph, const ::onnx::NodeProto& node, bool max) {
  const NodeAttributes attributes =
      max ? NodeAttributes(graph, node, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"})
          : NodeAttributes(graph, node, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  const GraphValue input = max ? graph.layer_input(node, 0) : graph.padded_layer_input(node, 0);
  expect_image_input(graph, node, input);
  expect_one_output(graph, node);
  LATHE_CHECK(attributes.integer("ceil_mode", 0) == 0, attributes.where("ceil_mode"),
              " = 1: Lathe pools with floor rounding (ceil_mode 0) only");
  Window window = read_window(attributes, std::nullopt);
  // Zeros padded by a Pad before it count in the average, as Lathe's padding does.
  LATHE_CHECK(max || input.pending_padding == 0 || window.padding == 0, graph.node_where(node),
              ": padded both by a Pad and by its own pads: Lathe imports one or the other");
  const bool counts_padding = input.pending_padding > 0 || attributes.integer("count_include_pad", 0) == 1;
  window.padding += input.pending_padding;
  LATHE_CHECK(2 * window.padding <= window.kernel, attributes.where("pads"), " = ", window.padding,
              ": Lathe pads a pool by at most half its kernel (", window.kernel, ")");
  // Lathe's average divides by the whole window, padding included.
  LATHE_CHECK(max || window.padding == 0 || counts_padding,
              attributes.where("count_include_pad"), " = 0 with padding: Lathe averages over the whole "
              "window (count_include_pad 1) only");
  YAML::Node params;
  params["kernel"] = window.kernel;
  params["stride"] = window.stride;
  params["padding"] = window.padding;
  graph.add_layer(node, max ? "maxpool" : "avgpool", params, {input.layer},
                  window_output(input, input.item_shape[0], window, graph.node_where(node)));
}

void import_batchnorm(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"epsilon", "momentum", "spatial", "training_mode"});
  const GraphValue input = graph.layer_input(node, 0);
  expect_one_output(graph, node);
  LATHE_CHECK(attributes.integer("training_mode", 0) == 0, attributes.where("training_mode"),
              " = 1: Lathe imports inference graphs only");
  LATHE_CHECK(attributes.integer("spatial", 1) == 1, attributes.where("spatial"), " = 0: Lathe supports 1 only");
  LATHE_CHECK(input.item_shape.size() == 3 || input.item_shape.size() == 1, graph.node_where(node),
              ": expected N x C x H x W or N x F, found per-item shape ", dims_text(input.item_shape));
  const std::int64_t channels = input.item_shape[0];
  // ONNX's momentum weighs the old statistics, PyTorch's and Lathe's the batch.
  const double momentum = 1.0 - attributes.number("momentum", 0.9);
  LATHE_CHECK(momentum > 0.0 && momentum <= 1.0, attributes.where("momentum"),
              ": expected a value in [0, 1), found ", 1.0 - momentum);
  YAML::Node params;
  params["epsilon"] = attributes.number("epsilon", 1e-5);
  params["momentum"] = momentum;
  const std::string name = graph.add_layer(node, "batchnorm", params, {input.layer}, input.item_shape,
                                           node.input(1));
  const char* parameters[] = {"weight", "bias", "running_mean", "running_var"};
  for (int i = 0; i < 4; ++i) {
    const ConstantValue& value = graph.constant_input(node, i + 1);
    LATHE_CHECK(value.values.size() == static_cast<std::size_t>(channels), graph.node_where(node), ": input ",
                i + 1, " ('", node.input(i + 1), "'): expected ", channels, " values, found ", value.values.size());
    graph.set_weight(name, parameters[i], tensor_from(value, Shape{channels}));
  }
}

void import_flatten(ImportGraph& graph, const ::onnx::NodeProto& node, const GraphValue& input) {
  if (input.item_shape.size() == 1) {  // already N x features (Lathe's global_avgpool)
    graph.define(node.output(0), input);
    return;
  }
  graph.add_layer(node, "flatten", YAML::Node(), {input.layer}, {product(input.item_shape)});
}

void import_reshape(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"allowzero"});
  const GraphValue input = graph.layer_input(node, 0);
  const ConstantValue& shape = graph.constant_input(node, 1);
  const std::int64_t features = product(input.item_shape);
  std::vector<std::int64_t> target;
  for (const double v : shape.values) target.push_back(static_cast<std::int64_t>(v));
  const bool batch_first = !target.empty() &&
                           (shape.values[0] == kBatchDimension || target[0] == -1 ||
                            (target[0] == 0 && attributes.integer("allowzero", 0) == 0) ||
                            (graph.static_batch() && target[0] == *graph.static_batch()));
  const bool flattens = target.size() == 2 && batch_first && (target[1] == features || target[1] == -1);
  std::string text;
  for (std::size_t i = 0; i < shape.values.size(); ++i) {
    text += (i == 0 ? "" : ", ") + (shape.values[i] == kBatchDimension ? std::string("N") : std::to_string(target[i]));
  }
  LATHE_CHECK(flattens, graph.node_where(node), ": Reshape of N x ", dims_text(input.item_shape), " to [", text,
              "]: Lathe imports only the Reshape that flattens (to N x ", features, ")");
  import_flatten(graph, node, input);
}

void import_dropout(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"ratio", "seed", "is_test"});
  const GraphValue input = graph.layer_input(node, 0);
  expect_one_output(graph, node);
  double ratio = attributes.number("ratio", 0.5);
  if (graph.has_input(node, 1)) ratio = graph.constant_input(node, 1).values.at(0);
  if (graph.has_input(node, 2)) {
    LATHE_CHECK(graph.constant_input(node, 2).values.at(0) == 0.0, graph.node_where(node),
                ": training_mode is true: Lathe imports inference graphs only");
  }
  LATHE_CHECK(ratio >= 0.0 && ratio < 1.0, graph.node_where(node), ": ratio ", ratio, ": expected [0, 1)");
  YAML::Node params;
  params["p"] = ratio;
  graph.add_layer(node, "dropout", params, {input.layer}, input.item_shape);
}

// Pad of zeros, the same on H and W's both sides, none on N and C: kept pending for the
// Conv or AveragePool after it (ImportGraph::padded_layer_input).
void import_pad(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"mode", "pads", "value"});
  const GraphValue input = graph.layer_input(node, 0);
  expect_image_input(graph, node, input);
  LATHE_CHECK(attributes.text("mode", "constant") == "constant", attributes.where("mode"), " = ",
              attributes.text("mode", "constant"), ": Lathe imports zero padding (constant) only");
  std::vector<std::int64_t> pads = attributes.integers("pads").value_or(std::vector<std::int64_t>{});
  if (graph.has_input(node, 1)) {
    for (const double p : graph.constant_input(node, 1).values) pads.push_back(static_cast<std::int64_t>(p));
  }
  double value = attributes.number("value", 0.0);
  if (graph.has_input(node, 2)) value = graph.constant_input(node, 2).values.at(0);
  const bool spatial_only = pads.size() == 8 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 && pads[5] == 0;
  const bool even = spatial_only && pads[2] == pads[3] && pads[2] == pads[6] && pads[2] == pads[7];
  LATHE_CHECK(even && value == 0.0, graph.node_where(node), ": pads ", dims_text(pads), " value ", value,
              ": Lathe imports zeros padded equally on every side of H and W only");
  GraphValue padded = input;
  padded.pending_padding = pads[2];
  graph.define(node.output(0), padded);
}

}  // namespace

bool import_layer_node(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  if (op == "Conv") {
    import_conv(graph, node);
  } else if (op == "Gemm" || op == "MatMul") {
    import_linear(graph, node, op == "Gemm");
  } else if (op == "Add") {
    import_add(graph, node);
  } else if (op == "Relu") {
    const NodeAttributes none(graph, node, {});
    const GraphValue input = graph.layer_input(node, 0);
    graph.add_layer(node, "relu", YAML::Node(), {input.layer}, input.item_shape);
  } else if (op == "MaxPool" || op == "AveragePool") {
    import_pool(graph, node, op == "MaxPool");
  } else if (op == "GlobalAveragePool") {
    const NodeAttributes none(graph, node, {});
    const GraphValue input = graph.layer_input(node, 0);
    expect_image_input(graph, node, input);
    // ONNX keeps N x C x 1 x 1; Lathe's global_avgpool gives N x C, which the Flatten
    // after it then leaves as it is.
    graph.add_layer(node, "global_avgpool", YAML::Node(), {input.layer}, {input.item_shape[0]});
  } else if (op == "BatchNormalization") {
    import_batchnorm(graph, node);
  } else if (op == "Flatten") {
    const NodeAttributes attributes(graph, node, {"axis"});
    LATHE_CHECK(attributes.integer("axis", 1) == 1, attributes.where("axis"), " = ", attributes.integer("axis", 1),
                ": Lathe flattens to N x features (axis 1) only");
    import_flatten(graph, node, graph.layer_input(node, 0));
  } else if (op == "Reshape") {
    import_reshape(graph, node);
  } else if (op == "Dropout") {
    import_dropout(graph, node);
  } else if (op == "Pad") {
    import_pad(graph, node);
  } else {
    return false;
  }
  return true;
}

}  // namespace lathe::onnx_io
