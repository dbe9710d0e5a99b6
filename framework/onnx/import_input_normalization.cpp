// A normalisation inside the graph, as `lathe export` writes it (Sub mean, Div std on
// 1 x C x 1 x 1 constants) or a model wrapped with its torchvision Normalize: Sub and
// Div of per-channel constants applied to the graph input before any layer. They are
// folded into one affine map x' = (x - mean) / std, which the import composes with the
// preparation the user states, so the stored normalisation is the whole of it.
#include "core/error.h"
#include "onnx/import_graph.h"

namespace lathe::onnx_io {
namespace {

// One value per channel from a constant of 1, C, C x 1 x 1 or 1 x C x 1 x 1 values.
std::vector<double> per_channel(const ImportGraph& graph, const ::onnx::NodeProto& node, std::size_t channels) {
  const ConstantValue& constant = graph.constant_input(node, 1);
  std::int64_t wide = 0;
  for (const auto d : constant.dims) wide += d > 1 ? 1 : 0;
  const bool one = constant.values.size() == 1;
  const auto rank = constant.dims.size();
  const bool channel_shaped = constant.values.size() == channels && wide <= 1 &&
                              (rank < 3 || constant.dims[rank - 3] == static_cast<std::int64_t>(channels));
  LATHE_CHECK(one || channel_shaped, graph.node_where(node), ": expected one value or one per channel (",
              channels, ") of shape 1 x C x 1 x 1, found ", constant.values.size(), " values");
  return one ? std::vector<double>(channels, constant.values[0]) : constant.values;
}

}  // namespace

bool import_input_normalization(ImportGraph& graph, const ::onnx::NodeProto& node) {
  const std::string& op = node.op_type();
  if ((op != "Sub" && op != "Div") || node.input_size() != 2 || graph.has_layers()) return false;
  const GraphValue& data = graph.input(node, 0);
  if (data.is_constant || data.layer != nn::kModelInputName || !graph.input(node, 1).is_constant) return false;
  const NodeAttributes none(graph, node, {});
  LATHE_CHECK(graph.consumers(node.input(0)) == 1, graph.node_where(node),
              ": the input is also read without this ", op,
              "; Lathe folds a Sub or Div at the input into its normalisation only when nothing else reads the "
              "input");
  const std::size_t channels = graph.input_mean().size();
  const std::vector<double> operand = per_channel(graph, node, channels);
  std::vector<double> mean = graph.input_mean();
  std::vector<double> std = graph.input_std();
  for (std::size_t c = 0; c < channels; ++c) {
    if (op == "Sub") {
      mean[c] += operand[c] * std[c];  // (x - m) / s - a = (x - (m + a s)) / s
    } else {
      LATHE_CHECK(operand[c] > 0.0, graph.node_where(node), ": divides channel ", c, " by ", operand[c],
                  "; Lathe folds division by positive values only");
      std[c] *= operand[c];  // ((x - m) / s) / b = (x - m) / (s b)
    }
  }
  graph.set_input_normalization(std::move(mean), std::move(std));
  graph.define(node.output(0), data);
  return true;
}

}  // namespace lathe::onnx_io
