#include "onnx/onnx_proto_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/error.h"

namespace lathe::onnx_io {
namespace {

std::string read_bytes(const std::string& path) {
  LATHE_CHECK(std::filesystem::is_regular_file(path), path,
              ": expected an ONNX model file, found no such file");
  std::ifstream in(path, std::ios::binary);
  LATHE_CHECK(in.good(), path, ": cannot be opened for reading (", std::strerror(errno), ")");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A protobuf parser accepts many byte strings (a file cut at a field boundary parses),
// so a model must also carry what every ONNX writer sets.
void expect_onnx_model(const ::onnx::ModelProto& model, const std::string& path) {
  LATHE_CHECK(model.ir_version() > 0 && model.has_graph() && model.opset_import_size() > 0, path,
              ": expected an ONNX model (ir_version, opset_import and a graph), found a protobuf "
              "message without them: not an ONNX file, or a truncated one");
  LATHE_CHECK(model.graph().output_size() > 0 && model.graph().node_size() > 0, path,
              ": expected an ONNX graph with nodes and an output, found ", model.graph().node_size(),
              " nodes and ", model.graph().output_size(), " outputs: a truncated file?");
}

}  // namespace

::onnx::ModelProto read_model_proto(const std::string& path) {
  const std::string bytes = read_bytes(path);
  LATHE_CHECK(!bytes.empty(), path, ": expected an ONNX model, found an empty file");
  ::onnx::ModelProto model;
  LATHE_CHECK(model.ParseFromString(bytes), path,
              ": expected an ONNX model (a protobuf ModelProto), found ", bytes.size(),
              " bytes that do not parse as one: not an ONNX file, or a truncated one");
  expect_onnx_model(model, path);
  return model;
}

std::int64_t write_model_proto(const ::onnx::ModelProto& model, const std::string& path) {
  std::string bytes;
  LATHE_CHECK(model.SerializeToString(&bytes), path, ": the ONNX model could not be serialised (",
              model.ByteSizeLong(), " bytes; protobuf allows at most 2 GiB)");
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  LATHE_CHECK(fd >= 0, path, ": cannot create ", temporary, " (", std::strerror(errno), ")");
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      const int error = errno;
      ::close(fd);
      ::unlink(temporary.c_str());
      fail(path, ": writing ", temporary, " failed (", std::strerror(error), ")");
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || std::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(path, ": finishing the ONNX file failed (", std::strerror(error), ")");
  }
  return static_cast<std::int64_t>(bytes.size());
}

}  // namespace lathe::onnx_io
