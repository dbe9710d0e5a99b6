#include "onnx/import_graph.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "core/error.h"

namespace lathe::onnx_io {
namespace {

// Lathe names become HDF5 paths ("<layer>/<parameter>") and YAML scalars: keep letters,
// digits, '_', '.' and '-'.
std::string cleaned_name(const std::string& raw) {
  std::string name;
  for (const char c : raw) {
    const bool keep = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    name += keep ? c : '_';
  }
  while (!name.empty() && (name.front() == '_' || name.front() == '.')) name.erase(name.begin());
  return name;
}

// PyTorch names a node "/layer1/layer1.0/conv1/Conv": the module path, then the op.
std::string name_from_node(const ::onnx::NodeProto& node) {
  std::vector<std::string> parts;
  std::stringstream path(node.name());
  for (std::string part; std::getline(path, part, '/');) {
    if (!part.empty()) parts.push_back(part);
  }
  if (parts.size() > 1 && parts.back().starts_with(node.op_type())) parts.pop_back();
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : ".") + part;
  return cleaned_name(joined);
}

// "conv1.weight" names the PyTorch module conv1: the best layer name there is.
std::string name_from_weight(const std::string& weight_name) {
  const std::string suffix = ".weight";
  if (weight_name.size() <= suffix.size() || !weight_name.ends_with(suffix)) return "";
  return cleaned_name(weight_name.substr(0, weight_name.size() - suffix.size()));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

ImportGraph::ImportGraph(std::string path, const ::onnx::GraphProto& graph, int opset)
    : path_(std::move(path)), opset_(opset) {
  std::set<std::string> initializer_names;
  for (const auto& initializer : graph.initializer()) {
    initializer_names.insert(initializer.name());
    GraphValue value;
    value.is_constant = true;
    value.constant = read_tensor_proto(initializer, path_ + ": initializer '" + initializer.name() + "'");
    values_[initializer.name()] = std::move(value);
  }
  std::vector<const ::onnx::ValueInfoProto*> inputs;
  for (const auto& input : graph.input()) {
    if (!initializer_names.contains(input.name())) inputs.push_back(&input);
  }
  LATHE_CHECK(inputs.size() == 1, path_, ": expected one graph input (the images), found ",
              inputs.size());
  const ::onnx::ValueInfoProto& input = *inputs[0];
  const auto& type = input.type();
  LATHE_CHECK(type.has_tensor_type() && type.tensor_type().elem_type() == ::onnx::TensorProto::FLOAT,
              path_, ": graph input '", input.name(), "': expected a float32 tensor");
  const auto& dims = type.tensor_type().shape().dim();
  LATHE_CHECK(dims.size() == 4, path_, ": graph input '", input.name(),
              "': expected N x C x H x W (4 dimensions), found ", dims.size());
  for (int axis = 1; axis < 4; ++axis) {
    LATHE_CHECK(dims[axis].has_dim_value() && dims[axis].dim_value() > 0, path_, ": graph input '",
                input.name(), "': expected fixed C, H and W, found dimension ", axis,
                dims[axis].has_dim_param() ? " named '" + dims[axis].dim_param() + "'" : " unset");
    input_shape_.push_back(dims[axis].dim_value());
  }
  if (dims[0].has_dim_value()) static_batch_ = dims[0].dim_value();
  input_mean_.assign(static_cast<std::size_t>(input_shape_[0]), 0.0);
  input_std_.assign(static_cast<std::size_t>(input_shape_[0]), 1.0);
  GraphValue images;
  images.layer = nn::kModelInputName;
  images.item_shape = input_shape_;
  values_[input.name()] = images;

  for (const auto& node : graph.node()) {
    for (const auto& name : node.input()) ++consumers_[name];
  }
  for (const auto& output : graph.output()) ++consumers_[output.name()];
}

std::string ImportGraph::node_where(const ::onnx::NodeProto& node) const {
  return path_ + ": node '" + node.name() + "' (" + node.op_type() + ")";
}

bool ImportGraph::has_input(const ::onnx::NodeProto& node, int index) const {
  return index < node.input_size() && !node.input(index).empty();
}

const GraphValue& ImportGraph::input(const ::onnx::NodeProto& node, int index) const {
  LATHE_CHECK(has_input(node, index), node_where(node), ": expected input ", index, ", found none");
  const auto found = values_.find(node.input(index));
  LATHE_CHECK(found != values_.end(), node_where(node), ": input '", node.input(index),
              "' is not made by an earlier node, an initializer or the graph input (nodes out of "
              "order, or a truncated file?)");
  return found->second;
}

const GraphValue& ImportGraph::layer_input(const ::onnx::NodeProto& node, int index) const {
  const GraphValue& value = padded_layer_input(node, index);
  LATHE_CHECK(value.pending_padding == 0, node_where(node), ": input ", index, " ('", node.input(index),
              "') comes from a Pad; Lathe imports Pad only right before Conv or AveragePool");
  return value;
}

const GraphValue& ImportGraph::padded_layer_input(const ::onnx::NodeProto& node, int index) const {
  const GraphValue& value = input(node, index);
  LATHE_CHECK(!value.is_constant, node_where(node), ": input ", index, " ('", node.input(index),
              "') is a constant; Lathe imports this operator on activations only");
  return value;
}

const ConstantValue& ImportGraph::constant_input(const ::onnx::NodeProto& node, int index) const {
  const GraphValue& value = input(node, index);
  LATHE_CHECK(value.is_constant, node_where(node), ": input ", index, " ('", node.input(index),
              "') must be a constant (an initializer or folded from one), but it is computed "
              "from the images");
  return value.constant;
}

int ImportGraph::consumers(const std::string& value_name) const {
  const auto found = consumers_.find(value_name);
  return found == consumers_.end() ? 0 : found->second;
}

void ImportGraph::define(const std::string& value_name, GraphValue value) {
  values_[value_name] = std::move(value);
}

std::string ImportGraph::add_layer(const ::onnx::NodeProto& node, const std::string& type,
                                   YAML::Node params, std::vector<std::string> inputs,
                                   std::vector<std::int64_t> item_shape,
                                   const std::string& weight_name) {
  std::string base = name_from_weight(weight_name);
  if (base.empty()) base = name_from_node(node);
  if (base.empty()) base = lower(node.op_type()) + std::to_string(layers_.size() + 1);
  std::string name = base;
  const auto taken = [&](const std::string& candidate) {
    return candidate == nn::kModelInputName ||
           std::any_of(layers_.begin(), layers_.end(),
                       [&](const nn::LayerSpec& layer) { return layer.name == candidate; });
  };
  for (int suffix = 2; taken(name); ++suffix) name = base + "_" + std::to_string(suffix);

  nn::LayerSpec layer;
  layer.name = name;
  layer.type = type;
  layer.inputs = std::move(inputs);
  layer.params = params.IsNull() ? YAML::Node(YAML::NodeType::Map) : params;
  layer.where = node_where(node);
  layers_.push_back(std::move(layer));

  GraphValue output;
  output.layer = name;
  output.item_shape = std::move(item_shape);
  LATHE_CHECK(node.output_size() >= 1 && !node.output(0).empty(), node_where(node),
              ": expected an output, found none");
  define(node.output(0), output);
  return name;
}

void ImportGraph::set_weight(const std::string& layer, const std::string& parameter, Tensor value) {
  weights_[layer + "/" + parameter] = std::move(value);
}

nn::LayerSpec& ImportGraph::layer_spec(const std::string& layer) {
  for (nn::LayerSpec& spec : layers_) {
    if (spec.name == layer) return spec;
  }
  fail(path_, ": no layer named '", layer, "' (an import bug)");
}

bool ImportGraph::is_bias_free_matmul(const std::string& layer) const {
  return std::find(bias_free_matmuls_.begin(), bias_free_matmuls_.end(), layer) != bias_free_matmuls_.end();
}

void ImportGraph::clear_bias_free_matmul(const std::string& layer) {
  std::erase(bias_free_matmuls_, layer);
}

std::vector<nn::LayerSpec> ImportGraph::finished_layers(const std::string& output) const {
  const auto found = values_.find(output);
  LATHE_CHECK(found != values_.end(), path_, ": graph output '", output,
              "' is made by no node (a truncated file?)");
  const GraphValue& value = found->second;
  LATHE_CHECK(!value.is_constant && value.layer != nn::kModelInputName && !layers_.empty(), path_,
              ": graph output '", output, "' is not computed from the images");
  LATHE_CHECK(value.pending_padding == 0, path_, ": graph output '", output, "' is a Pad's output");
  LATHE_CHECK(value.item_shape.size() == 1, path_, ": graph output '", output,
              "': expected one score per class (N x classes), found per-item shape of rank ",
              value.item_shape.size());
  LATHE_CHECK(value.layer == layers_.back().name, path_, ": graph output '", output,
              "' is layer '", value.layer, "', but nodes after it make layer '", layers_.back().name,
              "': Lathe's logits are its last layer");
  return layers_;
}

NodeAttributes::NodeAttributes(const ImportGraph& graph, const ::onnx::NodeProto& node,
                               std::vector<std::string> known)
    : where_(graph.node_where(node)), node_(node) {
  for (const auto& attribute : node.attribute()) {
    if (std::find(known.begin(), known.end(), attribute.name()) != known.end()) continue;
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    fail(where_, ": attribute '", attribute.name(), "' is not one Lathe imports (it knows ",
         list.empty() ? std::string("none for this operator") : list, ")");
  }
}

const ::onnx::AttributeProto* NodeAttributes::find(const std::string& name) const {
  for (const auto& attribute : node_.attribute()) {
    if (attribute.name() == name) return &attribute;
  }
  return nullptr;
}

std::string NodeAttributes::where(const std::string& name) const {
  return where_ + ": attribute '" + name + "'";
}

std::int64_t NodeAttributes::integer(const std::string& name, std::int64_t fallback) const {
  const auto* attribute = find(name);
  if (attribute == nullptr) return fallback;
  LATHE_CHECK(attribute->type() == ::onnx::AttributeProto::INT, where(name), ": expected an integer");
  return attribute->i();
}

double NodeAttributes::number(const std::string& name, double fallback) const {
  const auto* attribute = find(name);
  if (attribute == nullptr) return fallback;
  LATHE_CHECK(attribute->type() == ::onnx::AttributeProto::FLOAT, where(name), ": expected a float");
  return attribute->f();
}

std::string NodeAttributes::text(const std::string& name, const std::string& fallback) const {
  const auto* attribute = find(name);
  if (attribute == nullptr) return fallback;
  LATHE_CHECK(attribute->type() == ::onnx::AttributeProto::STRING, where(name), ": expected a string");
  return attribute->s();
}

std::optional<std::vector<std::int64_t>> NodeAttributes::integers(const std::string& name) const {
  const auto* attribute = find(name);
  if (attribute == nullptr) return std::nullopt;
  LATHE_CHECK(attribute->type() == ::onnx::AttributeProto::INTS, where(name),
              ": expected a list of integers");
  return std::vector<std::int64_t>(attribute->ints().begin(), attribute->ints().end());
}

}  // namespace lathe::onnx_io
