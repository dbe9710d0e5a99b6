#include "onnx/onnx_graph_writer.h"

#include "core/error.h"
#include "io/bit_packing.h"
#include "onnx/onnx_tensor_proto.h"

namespace lathe::onnx_io {

GraphWriter::GraphWriter(const io::Checkpoint& checkpoint, std::string checkpoint_path)
    : path_(std::move(checkpoint_path)) {
  for (const io::NamedTensor& tensor : checkpoint.tensors) tensors_[tensor.name] = &tensor;
}

::onnx::NodeProto& GraphWriter::node(const std::string& op, const std::vector<std::string>& inputs,
                                     const std::string& output) {
  ::onnx::NodeProto& n = *graph().add_node();
  n.set_op_type(op);
  n.set_name(output + "/" + op);
  for (const auto& input : inputs) n.add_input(input);
  n.add_output(output);
  ++summary_.nodes;
  return n;
}

void GraphWriter::float_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                                    std::span<const float> values) {
  set_float_tensor(*graph().add_initializer(), name, dims, values);
}

void GraphWriter::uint8_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                                    std::span<const std::uint8_t> values) {
  set_uint8_tensor(*graph().add_initializer(), name, dims, values);
}

std::string GraphWriter::weight(const std::string& name) {
  const auto found = tensors_.find(name);
  LATHE_CHECK(found != tensors_.end(), path_, ": no tensor ", name, " for the model spec");
  const io::NamedTensor& tensor = *found->second;
  if (!tensor.packed) {
    float_initializer(name, tensor.value.shape().dims(), tensor.value.values());
    return name;
  }
  const io::PackedTensor& packed = *tensor.packed;
  const auto count = static_cast<std::size_t>(packed.shape.elements());
  const std::vector<std::uint8_t> codes = io::unpack_codes(packed.codes, count, packed.bits);
  if (packed.bits <= 4) {
    nibble_codes(name + "/codes", codes, packed.shape.dims());
  } else {
    uint8_initializer(name + "/codes", packed.shape.dims(), codes);
  }
  if (packed.encoding == io::PackedTensor::Encoding::quantized) {
    const bool per_channel = packed.scales.size() > 1;
    const std::vector<std::int64_t> dims =
        per_channel ? std::vector<std::int64_t>{static_cast<std::int64_t>(packed.scales.size())}
                    : std::vector<std::int64_t>{};
    float_initializer(name + "/scales", dims, packed.scales);
    uint8_initializer(name + "/zero_points", dims, packed.zero_points);
    auto& dq = node("DequantizeLinear", {name + "/codes", name + "/scales", name + "/zero_points"}, name);
    if (per_channel) add_int(dq, "axis", 0);
    ++summary_.quantized_weights;
  } else {
    float_initializer(name + "/codebook", {static_cast<std::int64_t>(packed.codebook.size())}, packed.codebook);
    auto& cast = node("Cast", {name + "/codes"}, name + "/indices");
    add_int(cast, "to", ::onnx::TensorProto::INT64);
    node("Gather", {name + "/codebook", name + "/indices"}, name);
    ++summary_.codebook_weights;
  }
  return name;
}

// Codes of at most 4 bits, two per byte (low nibble first, as Lathe packs 4 bits),
// unpacked in the graph into `value`, one uint8 per element of `dims`: ONNX's own
// 4-bit types need opset 21, newer than what onnx 1.12 checks.
void GraphWriter::nibble_codes(const std::string& value, const std::vector<std::uint8_t>& codes,
                               const std::vector<std::int64_t>& dims) {
  const auto count = static_cast<std::int64_t>(codes.size());
  const std::int64_t pairs = (count + 1) / 2;
  std::vector<std::uint8_t> nibbles(static_cast<std::size_t>(pairs), 0);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto code = codes[static_cast<std::size_t>(i)];
    nibbles[static_cast<std::size_t>(i / 2)] |= static_cast<std::uint8_t>(code << (4 * (i % 2)));
  }
  const std::string base = value + "/";
  uint8_initializer(base + "nibbles", {pairs}, nibbles);
  if (!has_nibble_constants_) {
    const std::uint8_t four = 4;
    uint8_initializer("nibble/shift", {}, std::span<const std::uint8_t>(&four, 1));
    const std::int64_t one = 1;
    set_int64_tensor(*graph().add_initializer(), "nibble/axis", {1}, std::span<const std::int64_t>(&one, 1));
    has_nibble_constants_ = true;
  }
  const std::int64_t flat = 2 * pairs;
  set_int64_tensor(*graph().add_initializer(), base + "flat_shape", {1}, std::span<const std::int64_t>(&flat, 1));
  set_int64_tensor(*graph().add_initializer(), base + "shape", {static_cast<std::int64_t>(dims.size())}, dims);
  // low = (byte << 4) >> 4 in uint8 arithmetic, high = byte >> 4
  add_text(node("BitShift", {base + "nibbles", "nibble/shift"}, base + "shifted"), "direction", "LEFT");
  add_text(node("BitShift", {base + "shifted", "nibble/shift"}, base + "low"), "direction", "RIGHT");
  add_text(node("BitShift", {base + "nibbles", "nibble/shift"}, base + "high"), "direction", "RIGHT");
  node("Unsqueeze", {base + "low", "nibble/axis"}, base + "low_column");
  node("Unsqueeze", {base + "high", "nibble/axis"}, base + "high_column");
  add_int(node("Concat", {base + "low_column", base + "high_column"}, base + "interleaved"), "axis", 1);
  node("Reshape", {base + "interleaved", base + "flat_shape"}, base + "flat");
  std::string all = base + "flat";
  if (2 * pairs != count) {  // an odd count: the last byte's high nibble is padding
    const std::int64_t zero = 0;
    set_int64_tensor(*graph().add_initializer(), base + "start", {1}, std::span<const std::int64_t>(&zero, 1));
    set_int64_tensor(*graph().add_initializer(), base + "end", {1}, std::span<const std::int64_t>(&count, 1));
    node("Slice", {all, base + "start", base + "end"}, base + "trimmed");
    all = base + "trimmed";
  }
  node("Reshape", {all, base + "shape"}, value);
}

namespace {

::onnx::AttributeProto& new_attribute(::onnx::NodeProto& node, const std::string& name,
                                      ::onnx::AttributeProto::AttributeType type) {
  auto& attribute = *node.add_attribute();
  attribute.set_name(name);
  attribute.set_type(type);
  return attribute;
}

}  // namespace

void GraphWriter::add_text(::onnx::NodeProto& node, const std::string& name, const std::string& value) {
  new_attribute(node, name, ::onnx::AttributeProto::STRING).set_s(value);
}

void GraphWriter::add_int(::onnx::NodeProto& node, const std::string& name, std::int64_t value) {
  new_attribute(node, name, ::onnx::AttributeProto::INT).set_i(value);
}

void GraphWriter::add_ints(::onnx::NodeProto& node, const std::string& name, const std::vector<std::int64_t>& values) {
  auto& attribute = new_attribute(node, name, ::onnx::AttributeProto::INTS);
  for (const auto v : values) attribute.add_ints(v);
}

void GraphWriter::add_float(::onnx::NodeProto& node, const std::string& name, float value) {
  new_attribute(node, name, ::onnx::AttributeProto::FLOAT).set_f(value);
}

}  // namespace lathe::onnx_io
