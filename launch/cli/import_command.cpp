// `lathe import MODEL.onnx -o BASE.h5`: an ONNX model as a Lathe base checkpoint, with
// the input preparation the user states and the data it belongs to, stored the way
// `lathe train` stores them, so evaluate, compress and search take it like a trained base.
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "common/provenance.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "data/data_config.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"
#include "onnx/input_preparation.h"
#include "onnx/onnx_import.h"

namespace lathe::cli {
namespace {

// The data section (as `lathe train` stores it: the YAML of its `data:` section, "{}"
// for Fashion-MNIST) and the preparation from the file's optional `preprocessing:` key.
// An HDF5 data set given directly serves as training and test data alike (a data YAML
// with train_file and test_file keeps them apart); its absolute path is stored.
std::string read_data_section(const std::optional<std::string>& data_path, onnx_io::InputPreparation& preparation) {
  if (!data_path) return "{}";
  if (data_path->ends_with(".h5") || data_path->ends_with(".hdf5")) {
    LATHE_CHECK(std::filesystem::is_regular_file(*data_path), *data_path, ": --data: no such file");
    const std::string absolute = std::filesystem::absolute(*data_path).string();
    YAML::Node section;
    section["format"] = "hdf5";
    section["train_file"] = absolute;
    section["test_file"] = absolute;
    return YAML::Dump(section);
  }
  LATHE_CHECK(data_path->ends_with(".yaml") || data_path->ends_with(".yml"), *data_path,
              ": --data expects an HDF5 data set (.h5, with X and y) or a data section YAML file "
              "(.yaml), as in a training config's data:");
  YAML::Node root = config::load_yaml_file(*data_path);
  LATHE_CHECK(root.IsMap(), *data_path, ": expected a mapping of data keys");
  if (root["preprocessing"]) {
    config::YamlReader::read(root["preprocessing"], preparation, *data_path, "preprocessing.");
    root.remove("preprocessing");
  }
  data::DataConfig checked;  // unknown or malformed keys fail here, not at evaluate
  config::YamlReader::read(root, checked, *data_path);
  return YAML::Dump(root);
}

int run_import(const Arguments& arguments) {
  const std::string onnx_path = arguments.positional(0);
  const std::optional<std::string> output = arguments.value("output");
  LATHE_CHECK(output.has_value(), "lathe import: -o BASE.h5 is required (where to write the checkpoint)");
  onnx_io::InputPreparation preparation;
  const std::string data_yaml = read_data_section(arguments.value("data"), preparation);
  if (const auto scale = arguments.value("scale")) preparation.scale = onnx_io::parse_scale(*scale, "--scale");
  if (const auto mean = arguments.value("mean")) preparation.mean = onnx_io::parse_channel_values(*mean, "--mean");
  if (const auto std = arguments.value("std")) preparation.std = onnx_io::parse_channel_values(*std, "--std");

  onnx_io::ImportedModel imported = onnx_io::import_onnx_model(onnx_path);
  io::Checkpoint& checkpoint = imported.checkpoint;
  nn::Model model = nn::model_from_checkpoint(checkpoint, onnx_path);
  const data::Normalization normalization =
      onnx_io::normalization_for(preparation, model.spec().channels, "input preparation",
                                 imported.graph_input_mean, imported.graph_input_std);
  checkpoint.normalization_mean = normalization.mean;
  checkpoint.normalization_std = normalization.std;
  checkpoint.text_metadata = {{"data_config", data_yaml},
                              {"created", launch::utc_timestamp()},
                              {"lathe_version", LATHE_VERSION},
                              {"model_name", model.spec().name},
                              {"imported_from", onnx_path},
                              {"onnx_producer", imported.producer},
                              {"input_preparation", onnx_io::preparation_text(preparation)}};
  checkpoint.number_metadata = {{"seed", 1.0}, {"onnx_opset", imported.opset}};

  const std::filesystem::path parent = std::filesystem::path(*output).parent_path();
  LATHE_CHECK(parent.empty() || std::filesystem::is_directory(parent), *output, ": directory ",
              parent.string(), " does not exist");
  io::write_checkpoint(*output, checkpoint);
  std::printf("imported %s (%s, opset %d): %zu layers, %lld parameters, %.2f MMAC per image -> %s\n",
              onnx_path.c_str(), imported.producer.c_str(), imported.opset, model.layer_count(),
              static_cast<long long>(model.trainable_parameter_count()),
              static_cast<double>(model.macs_per_item()) / 1e6, output->c_str());
  std::printf("input preparation: %s%s\n", onnx_io::preparation_text(preparation).c_str(),
              imported.graph_input_mean == std::vector<double>(imported.graph_input_mean.size(), 0.0) &&
                      imported.graph_input_std == std::vector<double>(imported.graph_input_std.size(), 1.0)
                  ? ""
                  : ", then the graph's own normalisation (folded into the stored one)");
  return 0;
}

}  // namespace

const Command& import_command() {
  static const Command command{
      {"import",
       "lathe import MODEL.onnx -o BASE.h5 [options]",
       "turn an ONNX model (e.g. PyTorch's export) into a Lathe base checkpoint",
       "Maps the ONNX graph onto Lathe's layers (Conv, Gemm, MatMul + Add, Relu, MaxPool,\n"
       "AveragePool, GlobalAveragePool, BatchNormalization, Add, Flatten, Reshape, Dropout,\n"
       "Identity, Pad before Conv or AveragePool, Sub and Div normalising the input, and\n"
       "PyTorch's constant chains; docs/onnx.md) and writes a checkpoint that\n"
       "evaluate, compress and search accept. An ONNX file does not say how its inputs\n"
       "were prepared, so state it: x = (raw pixels * scale - mean) / std per channel, as\n"
       "torchvision's ToTensor and Normalize do. Default: scale 1/255, mean 0, std 1\n"
       "(ToTensor alone). --data names the data: an HDF5 data set (X, y; used for training\n"
       "and test alike) or a data section YAML (as in a training config's data:, optionally\n"
       "with preprocessing: {scale, mean, std}); default Fashion-MNIST.\n"
       "The command line overrides the YAML's preprocessing.",
       {"MODEL.onnx"},
       {{"output", "BASE.h5", "where to write the checkpoint (also -o)"},
        {"data", "DATA.yaml|DATA.h5", "the data the model belongs to (default: Fashion-MNIST)"},
        {"scale", "S", "factor applied to raw 8-bit pixels, e.g. 1/255 (default 1/255)"},
        {"mean", "M1,M2,..", "per-channel mean subtracted after scaling (default 0)"},
        {"std", "S1,S2,..", "per-channel std divided by after scaling (default 1)"}}},
      run_import,
      nullptr};
  return command;
}

}  // namespace lathe::cli
