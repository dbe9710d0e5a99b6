// The real candidate runner: the base checkpoint, its data splits and the backend are
// loaded once per worker, then every task's recipe is applied by the candidate evaluator
// (recipe/evaluator.h) and an ok candidate's artifact is written atomically to its path in
// the output folder. The base itself is a task with an empty recipe. Once the stop flag is
// raised (the process's SIGTERM/SIGUSR1 handler) the candidate in flight pauses at its next
// step boundary and its state goes to paused/candidate-NNNNNN.h5 in the output folder; a
// task naming such a file continues from it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "backend/device_choice.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "search/candidate_runner.h"
#include "search/kept_states.h"

namespace lathe::search {

struct RunnerSettings {
  std::string base_path;
  std::string data_path;    // a data-section YAML; "" for the base's own data
  std::string output_dir;   // artifact paths are relative to it
  std::string device = "cpu";
  int threads = 1;
  int batch_size = 128;
  bool measure_latency = false;
  bool verbose = false;     // each candidate's progress lines on stderr
  int kept_states = 32;     // training states kept for promotions (kept_states.h)
  const std::atomic<bool>* stop = nullptr;  // pauses the candidate in flight (null: never)
  // A worker rank's place among its node's workers: its GPU (none: by its local rank).
  std::optional<NodeWorkerSlot> gpu_slot;
};

class RecipeCandidateRunner final : public CandidateRunner {
 public:
  explicit RecipeCandidateRunner(const RunnerSettings& settings);
  TaskResult run(const Task& task) override;

 private:
  // The model a task starts from: the base, or the artifact it names (loaded once while
  // tasks keep naming it).
  const io::Checkpoint& start_of(const Task& task, std::string& path);
  // The state a stopped run saved for `task`, or null (with a message on stderr) when the
  // file is missing or damaged: then the recipe runs from the start.
  std::unique_ptr<recipe::PausedCandidate> saved_state(const Task& task, const recipe::Recipe& recipe,
                                                       const io::Checkpoint& start, const std::string& start_path,
                                                       const recipe::EvaluatorOptions& options);
  // Writes a stopped candidate's state; "" (with a message) when it cannot.
  std::string save_state(const Task& task, recipe::PausedCandidate& paused, const recipe::Recipe& recipe);

  RunnerSettings settings_;
  io::Checkpoint base_;
  data::DataSplits data_;
  std::unique_ptr<Backend> backend_;
  KeptStates kept_;
  std::string start_path_;  // the artifact in start_ ("" none)
  io::Checkpoint start_;
};

}  // namespace lathe::search
