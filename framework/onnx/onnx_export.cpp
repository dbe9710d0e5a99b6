#include "onnx/onnx_export.h"

#include <map>

#include "core/error.h"
#include "nn/layers/fake_quant.h"
#include "nn/model.h"
#include "nn/model_checkpoint.h"
#include "onnx/onnx_graph_writer.h"
#include "onnx/onnx_proto_file.h"
#include "onnx/onnx_tensor_proto.h"

namespace lathe::onnx_io {
namespace {

int integer_param(const nn::LayerSpec& layer, const char* key, int fallback) {
  return layer.params[key] ? layer.params[key].as<int>() : fallback;
}

void window_attributes(::onnx::NodeProto& n, int kernel, int stride, int padding) {
  GraphWriter::add_ints(n, "kernel_shape", {kernel, kernel});
  GraphWriter::add_ints(n, "strides", {stride, stride});
  GraphWriter::add_ints(n, "pads", {padding, padding, padding, padding});
}

// The input normalisation (x - mean) / std on 1 x C x 1 x 1 constants; returns the value
// the first layer reads.
std::string normalized_input(GraphWriter& writer, const io::Checkpoint& checkpoint) {
  if (checkpoint.normalization_mean.empty()) return "input";
  const auto channels = static_cast<std::int64_t>(checkpoint.normalization_mean.size());
  writer.float_initializer("normalization/mean", {1, channels, 1, 1}, checkpoint.normalization_mean);
  writer.float_initializer("normalization/std", {1, channels, 1, 1}, checkpoint.normalization_std);
  writer.node("Sub", {"input", "normalization/mean"}, "normalization/centred");
  writer.node("Div", {"normalization/centred", "normalization/std"}, "normalization/scaled");
  return "normalization/scaled";
}

// fake_quant: the range clamp Lathe applies first, then the integer grid as QuantizeLinear
// and DequantizeLinear (uint8 codes; a grid of fewer bits uses codes within the clamp).
void fake_quant_nodes(GraphWriter& writer, const nn::LayerSpec& layer, const io::Checkpoint& checkpoint,
                      const std::string& input, const std::string& path) {
  const std::string range_name = layer.name + "/range";
  const io::NamedTensor* range = nullptr;
  for (const auto& tensor : checkpoint.tensors) {
    if (tensor.name == range_name) range = &tensor;
  }
  LATHE_CHECK(range != nullptr, path, ": no tensor ", range_name, " for fake_quant layer ", layer.name);
  const float min = range->value[0];
  const float max = range->value[1];
  if (!(max > min)) {  // never calibrated: Lathe passes values unchanged
    writer.node("Identity", {input}, layer.name);
    return;
  }
  const bool symmetric = layer.params["symmetric"] && layer.params["symmetric"].as<bool>();
  const nn::QuantGrid grid = nn::QuantGrid::for_range(min, max, integer_param(layer, "bits", 8), symmetric);
  const std::string base = layer.name + "/";
  const float bounds[] = {min, max};
  writer.float_initializer(base + "clip_min", {}, std::span<const float>(bounds, 1));
  writer.float_initializer(base + "clip_max", {}, std::span<const float>(bounds + 1, 1));
  writer.float_initializer(base + "scale", {}, std::span<const float>(&grid.scale, 1));
  const auto zero_point = static_cast<std::uint8_t>(grid.zero_point);
  writer.uint8_initializer(base + "zero_point", {}, std::span<const std::uint8_t>(&zero_point, 1));
  writer.node("Clip", {input, base + "clip_min", base + "clip_max"}, base + "clipped");
  writer.node("QuantizeLinear", {base + "clipped", base + "scale", base + "zero_point"}, base + "codes");
  writer.node("DequantizeLinear", {base + "codes", base + "scale", base + "zero_point"}, layer.name);
  ++writer.summary().quantized_activations;
}

void layer_nodes(GraphWriter& writer, const nn::LayerSpec& layer, const io::Checkpoint& checkpoint,
                 const std::vector<std::string>& inputs, const std::string& path) {
  const std::string& type = layer.type;
  const std::string& out = layer.name;
  const bool bias = !layer.params["bias"] || layer.params["bias"].as<bool>();
  if (type == "conv2d") {
    std::vector<std::string> in = {inputs[0], writer.weight(out + "/weight")};
    if (bias) in.push_back(writer.weight(out + "/bias"));
    auto& n = writer.node("Conv", in, out);
    window_attributes(n, integer_param(layer, "kernel", 1), integer_param(layer, "stride", 1),
                      integer_param(layer, "padding", 0));
  } else if (type == "linear") {
    std::vector<std::string> in = {inputs[0], writer.weight(out + "/weight")};
    if (bias) in.push_back(writer.weight(out + "/bias"));
    GraphWriter::add_int(writer.node("Gemm", in, out), "transB", 1);
  } else if (type == "batchnorm") {
    auto& n = writer.node("BatchNormalization",
                          {inputs[0], writer.weight(out + "/weight"), writer.weight(out + "/bias"),
                           writer.weight(out + "/running_mean"), writer.weight(out + "/running_var")},
                          out);
    GraphWriter::add_float(n, "epsilon", layer.params["epsilon"] ? layer.params["epsilon"].as<float>() : 1e-5F);
  } else if (type == "relu") {
    writer.node("Relu", inputs, out);
  } else if (type == "maxpool" || type == "avgpool") {
    const int kernel = integer_param(layer, "kernel", 2);
    const int stride = integer_param(layer, "stride", 0);
    auto& n = writer.node(type == "maxpool" ? "MaxPool" : "AveragePool", inputs, out);
    window_attributes(n, kernel, stride == 0 ? kernel : stride, integer_param(layer, "padding", 0));
    // Lathe's average divides by the whole window, padding included.
    if (type == "avgpool") GraphWriter::add_int(n, "count_include_pad", 1);
  } else if (type == "global_avgpool") {
    writer.node("GlobalAveragePool", inputs, out + "/pooled");
    GraphWriter::add_int(writer.node("Flatten", {out + "/pooled"}, out), "axis", 1);
  } else if (type == "flatten") {
    GraphWriter::add_int(writer.node("Flatten", inputs, out), "axis", 1);
  } else if (type == "add") {
    writer.node(inputs.size() == 2 ? "Add" : "Sum", inputs, out);
  } else if (type == "dropout") {
    writer.node("Identity", inputs, out);  // inverted dropout: identity at inference
  } else if (type == "fake_quant") {
    fake_quant_nodes(writer, layer, checkpoint, inputs[0], path);
  } else {
    fail(path, ": layer ", layer.name, " of type ", type, " has no ONNX export");
  }
}

void add_tensor_value(::onnx::ValueInfoProto& value, const std::string& name, const std::vector<std::int64_t>& dims) {
  value.set_name(name);
  auto& tensor = *value.mutable_type()->mutable_tensor_type();
  tensor.set_elem_type(::onnx::TensorProto::FLOAT);
  auto& shape = *tensor.mutable_shape();
  shape.add_dim()->set_dim_param("N");
  for (const auto d : dims) shape.add_dim()->set_dim_value(d);
}

}  // namespace

ExportSummary export_onnx_model(const io::Checkpoint& checkpoint, const std::string& checkpoint_path,
                                const std::string& onnx_path) {
  // Building the model checks that the spec and the weights agree before anything is written.
  const nn::Model model = nn::model_from_checkpoint(checkpoint, checkpoint_path);
  const nn::ModelSpec& spec = model.spec();
  GraphWriter writer(checkpoint, checkpoint_path);
  ::onnx::ModelProto& proto = writer.model();
  proto.set_ir_version(7);  // the IR of opset 13
  proto.set_producer_name("lathe");
  proto.set_producer_version(LATHE_VERSION);
  auto& opset = *proto.add_opset_import();
  opset.set_domain("");
  opset.set_version(kExportOpset);
  writer.graph().set_name(spec.name.empty() ? "lathe" : spec.name);
  add_tensor_value(*writer.graph().add_input(), "input", {spec.channels, spec.height, spec.width});

  std::map<std::string, std::string> value_of = {{nn::kModelInputName, normalized_input(writer, checkpoint)}};
  for (const nn::LayerSpec& layer : spec.layers) {
    std::vector<std::string> inputs;
    for (const auto& input : layer.inputs) inputs.push_back(value_of.at(input));
    layer_nodes(writer, layer, checkpoint, inputs, checkpoint_path);
    value_of[layer.name] = layer.name;
  }
  add_tensor_value(*writer.graph().add_output(), spec.layers.back().name, {model.classes()});
  ExportSummary summary = writer.summary();
  summary.file_bytes = write_model_proto(proto, onnx_path);
  return summary;
}

}  // namespace lathe::onnx_io
