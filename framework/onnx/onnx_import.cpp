#include "onnx/onnx_import.h"

#include <filesystem>

#include "core/error.h"
#include "nn/model.h"
#include "nn/model_checkpoint.h"
#include "onnx/import_graph.h"
#include "onnx/onnx_proto_file.h"

namespace lathe::onnx_io {
namespace {

// Opsets 9 to 17: what onnx 1.12 defines and PyTorch 1.13 writes by default (14); the
// attribute-to-input moves in that span (Dropout ratio, Unsqueeze axes) are handled.
constexpr int kMinOpset = 9;
constexpr int kMaxOpset = 17;

int ai_onnx_opset(const ::onnx::ModelProto& model, const std::string& path) {
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") {
      const auto version = static_cast<int>(opset.version());
      LATHE_CHECK(version >= kMinOpset && version <= kMaxOpset, path, ": opset ", version,
                  ": Lathe imports ai.onnx opsets ", kMinOpset, " to ", kMaxOpset);
      return version;
    }
  }
  fail(path, ": expected an ai.onnx opset in opset_import, found none");
}

void import_node(ImportGraph& graph, const ::onnx::NodeProto& node) {
  LATHE_CHECK(node.domain().empty() || node.domain() == "ai.onnx", graph.node_where(node),
              ": operator domain '", node.domain(), "': Lathe imports standard ai.onnx operators only");
  LATHE_CHECK(node.output_size() >= 1, graph.node_where(node), ": expected an output, found none");
  if (import_input_normalization(graph, node) || import_layer_node(graph, node) ||
      import_constant_node(graph, node)) {
    return;
  }
  fail(graph.node_where(node), ": unsupported operator ", node.op_type(), "; Lathe imports ",
       kSupportedOperators);
}

// Builds the model the layers describe (so every shape is checked as for a spec file)
// and copies the imported weights into it by name.
io::Checkpoint checkpoint_of(nn::ModelSpec spec, const ImportGraph& graph, const std::string& path) {
  const std::string yaml = nn::model_spec_to_yaml(spec);
  nn::Model model(nn::parse_model_spec(yaml, path + " (imported spec)"), 0);
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const auto found = graph.weights().find(named.name);
    LATHE_CHECK(found != graph.weights().end(), path, ": no weight in the graph for ", named.name);
    LATHE_CHECK(found->second.shape() == named.parameter->value.shape(), path, ": ", named.name,
                ": the graph's weight is ", found->second.shape().to_string(), ", the layer needs ",
                named.parameter->value.shape().to_string());
    named.parameter->value.copy_from_host(found->second.values());
  }
  return nn::make_checkpoint(model);
}

}  // namespace

ImportedModel import_onnx_model(const std::string& path) {
  const ::onnx::ModelProto model = read_model_proto(path);
  ImportedModel imported;
  imported.opset = ai_onnx_opset(model, path);
  imported.producer = model.producer_name().empty() ? std::string("no producer named")
                                                     : model.producer_name() + " " + model.producer_version();
  const ::onnx::GraphProto& graph_proto = model.graph();
  LATHE_CHECK(graph_proto.output_size() == 1, path, ": expected one graph output (the logits), found ",
              graph_proto.output_size());
  ImportGraph graph(path, graph_proto, imported.opset);
  for (const auto& node : graph_proto.node()) import_node(graph, node);

  nn::ModelSpec spec;
  spec.name = std::filesystem::path(path).stem().string();  // PyTorch names every graph "main_graph"
  spec.channels = static_cast<int>(graph.input_shape()[0]);
  spec.height = static_cast<int>(graph.input_shape()[1]);
  spec.width = static_cast<int>(graph.input_shape()[2]);
  spec.layers = graph.finished_layers(graph_proto.output(0).name());
  imported.checkpoint = checkpoint_of(std::move(spec), graph, path);
  imported.graph_input_mean = graph.input_mean();
  imported.graph_input_std = graph.input_std();
  return imported;
}

}  // namespace lathe::onnx_io
