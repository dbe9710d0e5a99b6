// `lathe export`: any Lathe checkpoint, compressed or not, as an ONNX graph a runtime
// can run. Pruned models are already their smaller dense graph; quantised weights
// become uint8 initializers with DequantizeLinear, activations a fake_quant layer
// quantised become Clip + QuantizeLinear + DequantizeLinear; shared weights stay a
// codebook and its indices, decoded by a Gather. The input normalisation is part of the
// graph, so its input is the images as Lathe's readers give them (8-bit pixels / 255).
// docs/onnx.md has the mapping and why.
//
// This header includes no ONNX or protobuf header: only framework/onnx/*.cpp do.
#pragma once

#include <cstdint>
#include <string>

#include "io/checkpoint.h"

namespace lathe::onnx_io {

// The opset the export writes: per-axis DequantizeLinear needs 13.
inline constexpr int kExportOpset = 13;

struct ExportSummary {
  std::int64_t file_bytes = 0;  // of the .onnx file written
  int nodes = 0;
  int quantized_weights = 0;     // DequantizeLinear initializers
  int codebook_weights = 0;      // Gather from a codebook
  int quantized_activations = 0; // QuantizeLinear/DequantizeLinear pairs
};

// Writes `onnx_path` atomically; `checkpoint_path` names the artifact in messages.
ExportSummary export_onnx_model(const io::Checkpoint& checkpoint, const std::string& checkpoint_path,
                                const std::string& onnx_path);

}  // namespace lathe::onnx_io
