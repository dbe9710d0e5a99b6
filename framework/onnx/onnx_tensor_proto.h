// Tensor values in and out of onnx::TensorProto: initializers and Constant nodes read as
// numbers (weights as float32, shapes as int64), and the initializers an export writes.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lathe::onnx_io {

// A constant known at import time: an initializer, a Constant node, or a value folded
// from them (Shape, Gather, Concat of what PyTorch's exporter emits around Reshape).
struct ConstantValue {
  std::vector<std::int64_t> dims;
  std::vector<double> values;  // float32, float64 and integer data alike; exact for all
  bool integer = false;        // from an integer tensor (shapes, indices)
};

// FLOAT, DOUBLE, INT64, INT32 and INT8/UINT8 tensors, from typed fields or raw_data;
// `where` names the initializer or node in messages. External data is an error.
ConstantValue read_tensor_proto(const ::onnx::TensorProto& tensor, const std::string& where);

void set_float_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const float> values);
void set_uint8_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const std::uint8_t> values);
void set_int64_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const std::int64_t> values);

}  // namespace lathe::onnx_io
