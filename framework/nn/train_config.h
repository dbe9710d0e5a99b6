// The training config file of `lathe train`: model spec, data, optimiser, schedule,
// epochs, batch size, seed, threads and the output checkpoint. Every key is declared
// here once; the reader, `lathe train --help` and docs/configuration.md use it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "config/field_checks.h"
#include "data/data_config.h"
#include "nn/lr_schedule.h"
#include "nn/optimizer.h"

namespace lathe::nn {

struct TrainConfig {
  std::string model;
  data::DataConfig data;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  int epochs = 5;
  int batch_size = 128;
  std::int64_t seed = 1;
  int threads = 0;
  std::string device = "cpu";
  bool deterministic = true;
  std::string output;

  template <class V>
  void visit(V& v) {
    v.text("model", model, "model spec YAML file (configs/models/*.yaml)", config::Presence::required);
    v.section("data", data, "training and test data");
    v.section("optimizer", optimizer, "optimiser and its settings");
    v.section("schedule", schedule, "learning-rate schedule");
    v.number("epochs", epochs, config::Range::closed(1, 100000), "passes over the training split");
    v.number("batch_size", batch_size, config::Range::closed(1, 65536), "images per step");
    v.number("seed", seed, config::Range::closed(0, 9.0e15),
             "seeds initialisation, shuffling, the validation split and dropout");
    v.number("threads", threads, config::Range::closed(0, 1024),
             "CPU threads (0: all cores, or OMP_NUM_THREADS when set)");
    v.choice("device", device, {"cpu", "cuda", "auto"},
             "cpu, cuda (the GPU numbered by the node-local rank: one GPU per worker on a "
             "node) or auto (cuda when a GPU is visible, else cpu)");
    v.flag("deterministic", deterministic,
           "cuDNN's deterministic algorithms only: same seed, same bits on one GPU");
    v.text("output", output, "checkpoint to write (HDF5)", config::Presence::required);
  }
};

// Reads and validates a training config file; `data_yaml` receives the data section as
// YAML text (stored in the checkpoint so `lathe evaluate` finds the same test set).
TrainConfig load_train_config(const std::string& path, std::string* data_yaml = nullptr);
// The same from a parsed YAML document; `source` names it in messages.
TrainConfig parse_train_config(const YAML::Node& root, const std::string& source,
                               std::string* data_yaml = nullptr);

}  // namespace lathe::nn
