// Writing one ONNX graph: nodes with generated names, initializers, and the float value
// of each Lathe weight, decoded in the graph when the checkpoint stores it packed
// (docs/onnx.md, "Export"). Internal to framework/onnx/ (onnx_export.cpp uses it).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "io/checkpoint.h"
#include "onnx/onnx_export.h"

namespace lathe::onnx_io {

class GraphWriter {
 public:
  // `checkpoint_path` names the artifact in messages; the checkpoint must outlive this.
  GraphWriter(const io::Checkpoint& checkpoint, std::string checkpoint_path);

  ::onnx::GraphProto& graph() { return *model_.mutable_graph(); }
  ::onnx::ModelProto& model() { return model_; }
  ExportSummary& summary() { return summary_; }

  // Adds a node named "<output>/<op>" with one output.
  ::onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output);
  void float_initializer(const std::string& name, const std::vector<std::int64_t>& dims, std::span<const float> values);
  void uint8_initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                         std::span<const std::uint8_t> values);

  // The float value of a checkpoint tensor as a graph value: an initializer for float32
  // tensors, a DequantizeLinear of uint8 codes for quantised ones, a Gather from the
  // codebook for shared ones. Returns its value name.
  std::string weight(const std::string& name);

  static void add_int(::onnx::NodeProto& node, const std::string& name, std::int64_t value);
  static void add_ints(::onnx::NodeProto& node, const std::string& name, const std::vector<std::int64_t>& values);
  static void add_float(::onnx::NodeProto& node, const std::string& name, float value);
  static void add_text(::onnx::NodeProto& node, const std::string& name, const std::string& value);

 private:
  // Codes of at most 4 bits, two per byte, unpacked in the graph into `value`.
  void nibble_codes(const std::string& value, const std::vector<std::uint8_t>& codes,
                    const std::vector<std::int64_t>& dims);

  std::string path_;
  std::map<std::string, const io::NamedTensor*> tensors_;
  ::onnx::ModelProto model_;
  ExportSummary summary_;
  bool has_nibble_constants_ = false;
};

}  // namespace lathe::onnx_io
