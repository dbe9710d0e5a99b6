// Reading and writing ONNX files as protobuf messages (onnx::ModelProto). Internal to
// framework/onnx/: the rest of Lathe never sees a protobuf type.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

namespace lathe::onnx_io {

// Parses the file; a missing, truncated or non-ONNX file is one lathe::Error naming it.
::onnx::ModelProto read_model_proto(const std::string& path);
// Writes `model` to "<path>.tmp-<pid>", syncs it and renames it over `path`, so a
// failure leaves no half-written file. Returns the bytes written.
std::int64_t write_model_proto(const ::onnx::ModelProto& model, const std::string& path);

}  // namespace lathe::onnx_io
