// `lathe import`: an ONNX graph (what PyTorch's exporter writes for CNNs) turned into a
// Lathe model spec and its weights, as a checkpoint every command accepts. Each ONNX
// operator maps onto an existing layer kind (docs/onnx.md lists them); anything else is
// one lathe::Error naming the node, its op type and what Lathe supports.
//
// This header includes no ONNX or protobuf header: only framework/onnx/*.cpp do.
#pragma once

#include <string>
#include <vector>

#include "io/checkpoint.h"

namespace lathe::onnx_io {

struct ImportedModel {
  // The spec (model_spec_yaml) and every weight, in the order nn::make_checkpoint gives;
  // no normalisation or metadata (the caller states how inputs were prepared).
  io::Checkpoint checkpoint;
  std::string producer;  // "pytorch 1.13.0", from the file
  int opset = 0;         // the ai.onnx opset the file was written for
  // A per-channel normalisation the graph itself applies to its input, x' = (x - mean) /
  // std, from Sub and Div nodes of constants right at the input (what `lathe export`
  // writes); one value per input channel, 0 and 1 when there is none.
  std::vector<double> graph_input_mean;
  std::vector<double> graph_input_std;
};

ImportedModel import_onnx_model(const std::string& path);

}  // namespace lathe::onnx_io
