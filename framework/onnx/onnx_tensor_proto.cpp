#include "onnx/onnx_tensor_proto.h"

#include <cstring>

#include "core/error.h"

namespace lathe::onnx_io {
namespace {

std::int64_t element_count(const std::vector<std::int64_t>& dims) {
  std::int64_t count = 1;
  for (const std::int64_t d : dims) count *= d;
  return count;
}

// ONNX stores raw_data little-endian, as this machine is.
template <class Element>
void append_raw(const std::string& raw, std::int64_t count, std::vector<double>& out,
                const std::string& where) {
  LATHE_CHECK(raw.size() == static_cast<std::size_t>(count) * sizeof(Element), where,
              ": raw_data: expected ", count * static_cast<std::int64_t>(sizeof(Element)),
              " bytes (", count, " elements), found ", raw.size(), ": a truncated file?");
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    Element e;
    std::memcpy(&e, raw.data() + i * static_cast<std::int64_t>(sizeof(Element)), sizeof(Element));
    out.push_back(static_cast<double>(e));
  }
}

template <class Field>
void append_field(const Field& field, std::vector<double>& out) {
  for (const auto v : field) out.push_back(static_cast<double>(v));
}

// Initializers are written as raw_data, little-endian as this machine is.
template <class Element>
void set_raw_tensor(::onnx::TensorProto& tensor, const std::string& name, const std::vector<std::int64_t>& dims,
                    ::onnx::TensorProto::DataType type, std::span<const Element> values) {
  tensor.set_name(name);
  tensor.set_data_type(type);
  for (const std::int64_t d : dims) tensor.add_dims(d);
  tensor.set_raw_data(values.data(), values.size() * sizeof(Element));
}

}  // namespace

ConstantValue read_tensor_proto(const ::onnx::TensorProto& tensor, const std::string& where) {
  ConstantValue value;
  value.dims.assign(tensor.dims().begin(), tensor.dims().end());
  for (const std::int64_t d : value.dims) {
    LATHE_CHECK(d >= 0, where, ": expected non-negative dimensions, found ", d);
  }
  LATHE_CHECK(tensor.data_location() != ::onnx::TensorProto::EXTERNAL, where,
              ": stored as external data (a separate file), which Lathe does not read; export "
              "the model with its weights inside the .onnx file");
  const std::int64_t count = element_count(value.dims);
  const bool raw = tensor.has_raw_data();
  switch (tensor.data_type()) {
    case ::onnx::TensorProto::FLOAT:
      if (raw) append_raw<float>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.float_data(), value.values);
      break;
    case ::onnx::TensorProto::DOUBLE:
      if (raw) append_raw<double>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.double_data(), value.values);
      break;
    case ::onnx::TensorProto::INT64:
      value.integer = true;
      if (raw) append_raw<std::int64_t>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.int64_data(), value.values);
      break;
    case ::onnx::TensorProto::INT32:
      value.integer = true;
      if (raw) append_raw<std::int32_t>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.int32_data(), value.values);
      break;
    case ::onnx::TensorProto::UINT8:
      value.integer = true;
      if (raw) append_raw<std::uint8_t>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.int32_data(), value.values);
      break;
    case ::onnx::TensorProto::INT8:
      value.integer = true;
      if (raw) append_raw<std::int8_t>(tensor.raw_data(), count, value.values, where);
      else append_field(tensor.int32_data(), value.values);
      break;
    default:
      fail(where, ": expected a float32, float64, int64, int32, int8 or uint8 tensor, found ",
           ::onnx::TensorProto::DataType_Name(
               static_cast<::onnx::TensorProto::DataType>(tensor.data_type())));
  }
  LATHE_CHECK(static_cast<std::int64_t>(value.values.size()) == count, where, ": expected ", count,
              " values for its dimensions, found ", value.values.size(), ": a truncated file?");
  return value;
}

void set_float_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const float> values) {
  set_raw_tensor(tensor, name, dims, ::onnx::TensorProto::FLOAT, values);
}

void set_uint8_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const std::uint8_t> values) {
  set_raw_tensor(tensor, name, dims, ::onnx::TensorProto::UINT8, values);
}

void set_int64_tensor(::onnx::TensorProto& tensor, const std::string& name,
                      const std::vector<std::int64_t>& dims, std::span<const std::int64_t> values) {
  set_raw_tensor(tensor, name, dims, ::onnx::TensorProto::INT64, values);
}

}  // namespace lathe::onnx_io
