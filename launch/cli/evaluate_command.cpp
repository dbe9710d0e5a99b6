// `lathe evaluate CHECKPOINT.h5 [--data ...]`: loss and accuracy of a saved model.
#include <cstdio>
#include <filesystem>
#include <string>

#include "common/checkpoint_data.h"
#include "cli/commands.h"
#include "cli/evaluate_logits.h"
#include "cli/run_setup.h"
#include "config/yaml_reader.h"
#include "data/data_config.h"
#include "data/hdf5_dataset.h"
#include "data/normalization.h"
#include "io/checkpoint_file.h"
#include "io/stored_size.h"
#include "nn/data_fit.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"

namespace lathe::cli {
namespace {

// The raw (unnormalised) evaluation set: an HDF5 data file, a data-section YAML file, or
// by default the test set of the data the checkpoint was trained on.
data::Dataset load_evaluation_set(const io::Checkpoint& checkpoint, const std::string& checkpoint_path,
                                  const std::optional<std::string>& data_path) {
  if (data_path && (data_path->ends_with(".h5") || data_path->ends_with(".hdf5"))) {
    return data::read_hdf5_dataset(*data_path);
  }
  LATHE_CHECK(!data_path || data_path->ends_with(".yaml") || data_path->ends_with(".yml"), *data_path,
              ": --data expects an HDF5 data file (.h5, with X and y) or a data section YAML "
              "file (.yaml)");
  std::string where;
  data::DataConfig config = launch::checkpoint_data_config(checkpoint, checkpoint_path, data_path, where);
  config.validation_fraction = 0.0;
  return data::load_data(config, 0, where).test;
}

// Where the quantised layers ran: a user comparing machines sees why one is slower.
void print_integer_path(const nn::EvaluationResult& result) {
  const std::size_t simulated = result.simulated_layers.size();
  if (result.integer_layers == 0 && simulated == 0) return;  // nothing quantised with activations
  std::printf("quantised layers: %d on int8 kernels, %zu on the simulated path (fake quantisers, "
              "float kernels)\n",
              result.integer_layers, simulated);
  for (const std::string& why : result.simulated_layers) std::printf("  simulated: %s\n", why.c_str());
}

int run_evaluate(const Arguments& arguments) {
  const std::string path = arguments.positional(0);
  const int batch_size = static_cast<int>(arguments.integer("batch-size", 256, 1, 65536));
  const auto backend = backend_from_options(arguments);
  const io::Checkpoint checkpoint = io::read_checkpoint(path);
  nn::Model model = nn::model_from_checkpoint(checkpoint, path);
  data::Dataset dataset = load_evaluation_set(checkpoint, path, arguments.value("data"));
  nn::check_model_fits_data(model, dataset, nn::ClassFit::at_most);
  if (!checkpoint.normalization_mean.empty()) {
    data::apply_normalization({checkpoint.normalization_mean, checkpoint.normalization_std}, dataset);
  }
  const nn::EvaluationResult result = nn::evaluate(model, *backend, dataset, batch_size, &checkpoint);
  if (const auto logits_path = arguments.value("logits")) {
    write_logits_csv(model, *backend, dataset, batch_size, *logits_path);
  }
  const auto file_bytes = std::filesystem::file_size(path);
  const std::int64_t size_bytes = io::payload_bytes(checkpoint);
  if (arguments.flag("json")) {
    std::printf("{\"checkpoint\": \"%s\", \"loss\": %.6f, \"accuracy\": %.6f, \"items\": %lld, "
                "\"parameters\": %lld, \"macs_per_image\": %lld, \"size_bytes\": %lld, "
                "\"file_bytes\": %llu, \"int8_layers\": %d, \"simulated_layers\": %zu}\n",
                path.c_str(), result.loss, result.accuracy, static_cast<long long>(result.items),
                static_cast<long long>(model.trainable_parameter_count()),
                static_cast<long long>(model.macs_per_item()), static_cast<long long>(size_bytes),
                static_cast<unsigned long long>(file_bytes), result.integer_layers,
                result.simulated_layers.size());
  } else {
    std::printf("model %s from %s: %lld parameters, %.2f MMAC per image, %lld stored weight "
                "bytes, file %llu bytes\n",
                model.spec().name.c_str(), path.c_str(),
                static_cast<long long>(model.trainable_parameter_count()),
                static_cast<double>(model.macs_per_item()) / 1e6, static_cast<long long>(size_bytes),
                static_cast<unsigned long long>(file_bytes));
    std::printf("%s: loss %.4f, accuracy %.2f%% on %lld images\n", dataset.source.c_str(),
                result.loss, 100.0 * result.accuracy, static_cast<long long>(result.items));
    print_integer_path(result);
  }
  return 0;
}

}  // namespace

const Command& evaluate_command() {
  static const Command command{
      {"evaluate",
       "lathe evaluate CHECKPOINT.h5 [options]",
       "report a checkpoint's loss and accuracy on test data",
       "Loads the checkpoint, applies its stored input normalisation, and reports the mean\n"
       "cross-entropy loss and the accuracy on the test set of the data it was trained on,\n"
       "or on the data given with --data.",
       {"CHECKPOINT.h5"},
       {{"data", "PATH", "HDF5 data file (X: N x C x H x W, y: labels) or a data-section YAML file"},
        {"batch-size", "N", "images per forward pass (default 256)"},
        {"threads", "N", "CPU threads (0: all cores)"},
        device_option(),
        {"json", "", "print one JSON line instead of text"},
        {"logits", "PATH.csv", "also write every image's predicted class and logits"}}},
      run_evaluate,
      nullptr};
  return command;
}

}  // namespace lathe::cli
