// `lathe train CONFIG.yaml`: trains a model from scratch and writes its checkpoint.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "common/output_checks.h"
#include "common/train_run.h"
#include "backend/backend_factory.h"
#include "cli/run_setup.h"
#include "config/field_listing.h"
#include "data/data_config.h"
#include "io/checkpoint_file.h"
#include "io/path_checks.h"
#include "nn/data_fit.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"
#include "nn/train_config.h"
#include "nn/trainer.h"

namespace lathe::cli {
namespace {

void print_epoch(const nn::EpochReport& r) {
  std::printf("epoch %3d  lr %.4g  train loss %.4f acc %.2f%%  val loss %.4f acc %.2f%%  %.1f s  %.0f img/s\n",
              r.epoch, r.learning_rate, r.train_loss, 100.0 * r.train_accuracy, r.validation_loss,
              100.0 * r.validation_accuracy, r.seconds, r.images_per_second);
  std::fflush(stdout);
}

int run_train(const Arguments& arguments) {
  const std::string config_path = arguments.positional(0);
  std::string data_yaml;
  nn::TrainConfig config = nn::load_train_config(config_path, &data_yaml);
  config.epochs = static_cast<int>(arguments.integer("epochs", config.epochs, 1, 100000));
  config.threads = static_cast<int>(arguments.integer("threads", config.threads, 0, 1024));
  if (const auto output = arguments.value("output")) config.output = *output;
  if (const auto device = arguments.value("device")) config.device = *device;
  std::vector<std::string> inputs = data::data_files(config.data);
  inputs.insert(inputs.end(), {config_path, config.model});
  launch::require_outputs({config.output}, inputs,
                          arguments.value("output") ? "lathe train: --output" : config_path + ": output");

  DeviceChoice device;
  const auto backend = make_backend(config.device, config.threads, config.deterministic, &device);
  print_device_reason(device);
  nn::Model model(nn::load_model_spec(config.model), static_cast<std::uint64_t>(config.seed));
  const data::DataSplits data =
      data::load_data(config.data, static_cast<std::uint64_t>(config.seed), config_path);
  nn::check_model_fits_data(model, data.train, nn::ClassFit::exact);
  nn::check_model_fits_data(model, data.test, nn::ClassFit::at_most);
  std::printf("model %s: %lld parameters, %.2f MMAC per image; data: %lld train, %lld validation, %lld test; %d threads\n",
              model.spec().name.c_str(), static_cast<long long>(model.trainable_parameter_count()),
              static_cast<double>(model.macs_per_item()) / 1e6,
              static_cast<long long>(data.train.size()), static_cast<long long>(data.validation.size()),
              static_cast<long long>(data.test.size()), backend->threads());
  const launch::TrainRun run =
      launch::run_training(config, model, data, io::read_text_file(config_path, "a training config YAML file"), data_yaml, *backend, print_epoch);
  if (run.training.diverged) {
    std::fprintf(stderr, "lathe: error: %s: training diverged (the loss became NaN or infinite); "
                 "lower optimizer.lr\n", config_path.c_str());
    return 1;
  }
  const io::Checkpoint& checkpoint = run.checkpoint;
  const nn::EvaluationResult& test = run.test;
  const nn::TrainingResult& trained = run.training;
  const std::filesystem::path parent = std::filesystem::path(config.output).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  io::write_checkpoint(config.output, checkpoint);
  std::printf("test: loss %.4f, accuracy %.2f%% on %lld images\n", test.loss, 100.0 * test.accuracy,
              static_cast<long long>(test.items));
  std::printf("wrote %s (%.1f s of training)\n", config.output.c_str(), trained.seconds);
  return 0;
}

std::string train_config_help(bool markdown) {
  const std::vector<config::FieldRow> rows = config::FieldListing::of(nn::TrainConfig{});
  if (markdown) return config::format_markdown(rows);
  return "\nconfig keys (YAML):\n" + config::format_help(rows);
}

}  // namespace

const Command& train_command() {
  static const Command command{
      {"train",
       "lathe train CONFIG.yaml [options]",
       "train a model from a config file and write its checkpoint",
       "Trains the model named in CONFIG.yaml on its data, reports validation loss and\n"
       "accuracy per epoch, evaluates the test set once at the end, and writes an HDF5\n"
       "checkpoint (written to a temporary file and renamed: never left half-written).",
       {"CONFIG.yaml"},
       {{"epochs", "N", "override the config's epochs"},
        {"threads", "N", "override the config's threads (0: all cores)"},
        {"device", "cpu|cuda|auto", "override the config's device"},
        {"output", "PATH", "override the config's output checkpoint"}}},
      run_train,
      train_config_help};
  return command;
}

}  // namespace lathe::cli
