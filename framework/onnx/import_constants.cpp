// Constant folding of what PyTorch's exporter emits around the layers: Constant nodes,
// and the Shape -> Gather -> Unsqueeze -> Concat chain of x.view(x.size(0), -1), folded
// with the batch dimension as kBatchDimension so the Reshape it feeds is recognised.
#include <algorithm>

#include "core/error.h"
#include "onnx/import_graph.h"

namespace lathe::onnx_io {
namespace {

GraphValue constant_value(ConstantValue constant) {
  GraphValue value;
  value.is_constant = true;
  value.constant = std::move(constant);
  return value;
}

std::int64_t normalized_axis(std::int64_t axis, std::int64_t rank, const std::string& where) {
  const std::int64_t resolved = axis < 0 ? axis + rank : axis;
  LATHE_CHECK(resolved >= 0 && resolved < rank, where, ": axis ", axis, " is outside a tensor of rank ", rank);
  return resolved;
}

ConstantValue constant_attribute(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"value", "value_float", "value_floats", "value_int",
                                                "value_ints"});
  ConstantValue value;
  if (const auto* tensor = attributes.find("value")) {
    return read_tensor_proto(tensor->t(), graph.node_where(node) + ": attribute 'value'");
  }
  if (const auto* f = attributes.find("value_float")) {
    value.values = {f->f()};
  } else if (const auto* fs = attributes.find("value_floats")) {
    value.values.assign(fs->floats().begin(), fs->floats().end());
    value.dims = {static_cast<std::int64_t>(value.values.size())};
  } else if (const auto* i = attributes.find("value_int")) {
    value.values = {static_cast<double>(i->i())};
    value.integer = true;
  } else if (const auto* is = attributes.find("value_ints")) {
    for (const auto v : is->ints()) value.values.push_back(static_cast<double>(v));
    value.dims = {static_cast<std::int64_t>(value.values.size())};
    value.integer = true;
  } else {
    fail(graph.node_where(node), ": expected a value attribute (value, value_float(s) or "
         "value_int(s)), found none");
  }
  return value;
}

ConstantValue shape_of(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"start", "end"});
  const GraphValue& input = graph.input(node, 0);
  LATHE_CHECK(input.pending_padding == 0, graph.node_where(node),
              ": Shape of a Pad's output: Lathe imports Pad only right before Conv or AveragePool");
  std::vector<double> dims;
  if (input.is_constant) {
    for (const auto d : input.constant.dims) dims.push_back(static_cast<double>(d));
  } else {
    dims.push_back(kBatchDimension);
    for (const auto d : input.item_shape) dims.push_back(static_cast<double>(d));
  }
  const auto rank = static_cast<std::int64_t>(dims.size());
  std::int64_t start = attributes.integer("start", 0);
  std::int64_t end = attributes.integer("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<std::int64_t>(start, 0, rank);
  end = std::clamp<std::int64_t>(end, start, rank);
  ConstantValue shape;
  shape.values.assign(dims.begin() + start, dims.begin() + end);
  shape.dims = {end - start};
  shape.integer = true;
  return shape;
}

ConstantValue gather(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"axis"});
  const ConstantValue& data = graph.constant_input(node, 0);
  const ConstantValue& indices = graph.constant_input(node, 1);
  LATHE_CHECK(data.dims.size() == 1 && attributes.integer("axis", 0) == 0, graph.node_where(node),
              ": Lathe folds Gather of a 1-d constant along axis 0 only, found rank ", data.dims.size());
  ConstantValue out;
  out.dims = indices.dims;
  out.integer = data.integer;
  for (const double index : indices.values) {
    const auto i = normalized_axis(static_cast<std::int64_t>(index), data.dims[0],
                                   graph.node_where(node) + ": index");
    out.values.push_back(data.values[static_cast<std::size_t>(i)]);
  }
  return out;
}

std::vector<std::int64_t> axes_of(const ImportGraph& graph, const ::onnx::NodeProto& node,
                                  const NodeAttributes& attributes) {
  if (auto axes = attributes.integers("axes")) return *axes;
  if (graph.has_input(node, 1)) {
    std::vector<std::int64_t> axes;
    for (const double a : graph.constant_input(node, 1).values) axes.push_back(static_cast<std::int64_t>(a));
    return axes;
  }
  return {};
}

ConstantValue unsqueeze(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"axes"});
  ConstantValue out = graph.constant_input(node, 0);
  std::vector<std::int64_t> axes = axes_of(graph, node, attributes);
  LATHE_CHECK(!axes.empty(), graph.node_where(node), ": expected axes, found none");
  const auto rank = static_cast<std::int64_t>(out.dims.size() + axes.size());
  for (auto& axis : axes) axis = normalized_axis(axis, rank, graph.node_where(node));
  std::sort(axes.begin(), axes.end());
  for (const auto axis : axes) out.dims.insert(out.dims.begin() + axis, 1);
  return out;
}

ConstantValue squeeze(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"axes"});
  ConstantValue out = graph.constant_input(node, 0);
  std::vector<std::int64_t> axes = axes_of(graph, node, attributes);
  const auto rank = static_cast<std::int64_t>(out.dims.size());
  std::vector<std::int64_t> kept;
  for (std::int64_t axis = 0; axis < rank; ++axis) {
    const bool listed = axes.empty() ? out.dims[axis] == 1
                                     : std::any_of(axes.begin(), axes.end(), [&](std::int64_t a) {
                                         return normalized_axis(a, rank, graph.node_where(node)) == axis;
                                       });
    if (!listed) kept.push_back(out.dims[axis]);
  }
  out.dims = kept;
  return out;
}

ConstantValue concat(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"axis"});
  ConstantValue out;
  out.integer = true;
  for (int i = 0; i < node.input_size(); ++i) {
    const ConstantValue& part = graph.constant_input(node, i);
    LATHE_CHECK(part.dims.size() == 1 && normalized_axis(attributes.integer("axis", 0), 1,
                                                         graph.node_where(node)) == 0,
                graph.node_where(node), ": Lathe folds Concat of 1-d constants only, found input ", i,
                " of rank ", part.dims.size());
    out.values.insert(out.values.end(), part.values.begin(), part.values.end());
    out.integer = out.integer && part.integer;
  }
  out.dims = {static_cast<std::int64_t>(out.values.size())};
  return out;
}

ConstantValue cast(const ImportGraph& graph, const ::onnx::NodeProto& node) {
  const NodeAttributes attributes(graph, node, {"to", "saturate"});
  ConstantValue out = graph.constant_input(node, 0);
  const auto to = attributes.integer("to", ::onnx::TensorProto::FLOAT);
  out.integer = to != ::onnx::TensorProto::FLOAT && to != ::onnx::TensorProto::DOUBLE;
  if (out.integer) {
    for (double& v : out.values) v = static_cast<double>(static_cast<std::int64_t>(v));
  }
  return out;
}

}  // namespace

bool import_constant_node(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  if (op == "Identity") {
    const NodeAttributes none(graph, node, {});
    graph.define(node.output(0), graph.input(node, 0));
    return true;
  }
  if (op == "Constant") {
    graph.define(node.output(0), constant_value(constant_attribute(graph, node)));
    return true;
  }
  if (op == "Shape") {
    graph.define(node.output(0), constant_value(shape_of(graph, node)));
    return true;
  }
  const bool folds = op == "Gather" || op == "Unsqueeze" || op == "Squeeze" || op == "Concat" || op == "Cast";
  if (!folds) return false;
  for (int i = 0; i < node.input_size(); ++i) {
    if (graph.has_input(node, i)) (void)graph.constant_input(node, i);
  }
  ConstantValue value = op == "Gather"      ? gather(graph, node)
                        : op == "Unsqueeze" ? unsqueeze(graph, node)
                        : op == "Squeeze"   ? squeeze(graph, node)
                        : op == "Concat"    ? concat(graph, node)
                                            : cast(graph, node);
  graph.define(node.output(0), constant_value(std::move(value)));
  return true;
}

}  // namespace lathe::onnx_io
