// One training run from a training config, into a checkpoint: what `lathe train` does and
// what a search's training candidate (a hyperparameter sweep's point) does.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "nn/evaluation.h"
#include "nn/model.h"
#include "nn/train_config.h"
#include "nn/trainer.h"

namespace lathe::launch {

struct TrainRun {
  nn::TrainingResult training;
  nn::EvaluationResult test;
  io::Checkpoint checkpoint;  // empty when training diverged or timed out
};

// Trains `model` (built from `config`) on `data` (loaded from it) with `backend`;
// `config_text` and `data_yaml` are stored in the checkpoint (so `lathe evaluate` finds
// the same test set). `deadline` cancels training at the next step past it.
TrainRun run_training(const nn::TrainConfig& config, nn::Model& model, const data::DataSplits& data,
                      const std::string& config_text, const std::string& data_yaml, Backend& backend,
                      const std::function<void(const nn::EpochReport&)>& on_epoch = {},
                      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

}  // namespace lathe::launch
