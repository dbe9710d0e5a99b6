// Small fixtures for the share step's tests: a tiny conv + linear model, a small
// synthetic problem, and a compression context around them.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "compress/compression_step.h"
#include "core/error.h"
#include "data/data_config.h"
#include "nn/model.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "support/synthetic_data.h"

namespace lathe::compress::share::test {

inline nn::ModelSpec tiny_spec() {
  return nn::parse_model_spec(R"(
name: tiny_share
input: {channels: 1, height: 8, width: 8}
layers:
  - {name: conv1, type: conv2d, out_channels: 4, kernel: 3, padding: 1}
  - {name: bn1, type: batchnorm}
  - {name: relu1, type: relu}
  - {name: pool1, type: maxpool, kernel: 2}
  - {name: flatten, type: flatten}
  - {name: fc, type: linear, out_features: 4}
)",
                              "test");
}

inline data::DataSplits tiny_data() {
  return test_support::synthetic_splits({.train_size = 160, .test_size = 40});
}

inline nn::TrainingOptions sgd_with_momentum(int epochs) {
  nn::TrainingOptions options;
  options.epochs = epochs;
  options.batch_size = 16;
  options.seed = 3;
  options.optimizer.kind = "sgd";
  options.optimizer.lr = 0.05;
  options.optimizer.momentum = 0.9;
  options.optimizer.weight_decay = 5e-4;
  return options;
}

// A model, its data and a context, as the evaluator would hand them to a step.
struct Workbench {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  data::DataSplits data = tiny_data();
  nn::Model model{tiny_spec(), 7};
  io::Checkpoint base = nn::make_checkpoint(model);
  CompressionContext context{*backend, data, base, 11, 16};

  nn::TrainingResult finetune(CompressionStep& step, int epochs) {
    nn::TrainingHook* hooks[] = {step.hook()};
    nn::TrainingResult result = nn::train_model(model, *backend, data.train, data.validation,
                                                sgd_with_momentum(epochs), hooks);
    step.after_finetune(model, context);
    return result;
  }
};

inline const StepSource kSource{"recipe.yaml:3", "steps[0].share"};

inline std::vector<float> weights_of(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& p : model.named_parameters()) {
    if (p.name == name) return {p.parameter->value.values().begin(), p.parameter->value.values().end()};
  }
  fail("no parameter ", name);
}

inline std::set<float> distinct(const std::vector<float>& values) {
  return {values.begin(), values.end()};
}

// The message of the lathe::Error that `action` throws, or "" when it throws none.
template <class Action>
std::string error_of(Action action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace lathe::compress::share::test
