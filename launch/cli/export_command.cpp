// `lathe export ARTIFACT.h5 -o MODEL.onnx`: any checkpoint, compressed or not, as an
// ONNX graph (framework/onnx/onnx_export.h says how each compression is written).
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "io/stored_size.h"
#include "onnx/onnx_export.h"

namespace lathe::cli {
namespace {

int run_export(const Arguments& arguments) {
  const std::string path = arguments.positional(0);
  const std::optional<std::string> output = arguments.value("output");
  LATHE_CHECK(output.has_value(), "lathe export: -o MODEL.onnx is required (where to write the ONNX file)");
  const std::filesystem::path parent = std::filesystem::path(*output).parent_path();
  LATHE_CHECK(parent.empty() || std::filesystem::is_directory(parent), *output, ": directory ",
              parent.string(), " does not exist");
  const io::Checkpoint checkpoint = io::read_checkpoint(path);
  const onnx_io::ExportSummary summary = onnx_io::export_onnx_model(checkpoint, path, *output);
  std::printf("wrote %s: %lld bytes, %d nodes, opset %d (%d quantised weights, %d codebook weights, "
              "%d quantised activations)\n",
              output->c_str(), static_cast<long long>(summary.file_bytes), summary.nodes, onnx_io::kExportOpset,
              summary.quantized_weights, summary.codebook_weights, summary.quantized_activations);
  std::printf("artifact %s: %lld stored weight bytes, file %lld bytes\n", path.c_str(),
              static_cast<long long>(io::payload_bytes(checkpoint)),
              static_cast<long long>(io::file_size_bytes(path)));
  return 0;
}

}  // namespace

const Command& export_command() {
  static const Command command{
      {"export",
       "lathe export ARTIFACT.h5 -o MODEL.onnx",
       "write a checkpoint (compressed or not) as an ONNX model",
       "Writes the model as an ONNX graph (opset 13) that ONNX Runtime runs. Pruned models\n"
       "are their smaller dense graph; quantised weights are uint8 initializers with\n"
       "DequantizeLinear (one code per byte); quantised activations Clip, QuantizeLinear and\n"
       "DequantizeLinear; shared weights a codebook and uint8 indices decoded by Gather.\n"
       "The input normalisation is in the graph: feed the images as Lathe reads them\n"
       "(8-bit pixels divided by 255), N x C x H x W float32. docs/onnx.md has the details.",
       {"ARTIFACT.h5"},
       {{"output", "MODEL.onnx", "where to write the ONNX file (also -o)"}}},
      run_export,
      nullptr};
  return command;
}

}  // namespace lathe::cli
