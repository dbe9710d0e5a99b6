#include "common/train_run.h"

#include "common/provenance.h"
#include "nn/model_checkpoint.h"

namespace lathe::launch {

TrainRun run_training(const nn::TrainConfig& config, nn::Model& model, const data::DataSplits& data,
                      const std::string& config_text, const std::string& data_yaml, Backend& backend,
                      const std::function<void(const nn::EpochReport&)>& on_epoch,
                      std::optional<std::chrono::steady_clock::time_point> deadline) {
  TrainRun run;
  nn::TrainingOptions options;
  options.epochs = config.epochs;
  options.batch_size = config.batch_size;
  options.seed = static_cast<std::uint64_t>(config.seed);
  options.optimizer = config.optimizer;
  options.schedule = config.schedule;
  options.deadline = deadline;
  run.training = nn::train_model(model, backend, data.train, data.validation, options, {}, on_epoch);
  if (run.training.diverged || run.training.timed_out) return run;
  run.test = nn::evaluate(model, backend, data.test, config.batch_size);

  io::Checkpoint& checkpoint = run.checkpoint;
  checkpoint = nn::make_checkpoint(model);
  checkpoint.normalization_mean = data.normalization.mean;
  checkpoint.normalization_std = data.normalization.std;
  checkpoint.text_metadata = {{"config", config_text},
                              {"data_config", data_yaml},
                              {"created", utc_timestamp()},
                              {"lathe_version", LATHE_VERSION},
                              {"model_name", model.spec().name}};
  const nn::EpochReport& last = run.training.epochs.back();
  checkpoint.number_metadata = {{"epochs", config.epochs},
                                {"seed", static_cast<double>(config.seed)},
                                {"batch_size", config.batch_size},
                                {"train_loss", last.train_loss},
                                {"validation_loss", last.validation_loss},
                                {"validation_accuracy", last.validation_accuracy},
                                {"test_loss", run.test.loss},
                                {"test_accuracy", run.test.accuracy},
                                {"train_seconds", run.training.seconds}};
  return run;
}

}  // namespace lathe::launch
