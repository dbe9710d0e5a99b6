// The runner of a training search (kind: train, a hyperparameter sweep): each task's
// "recipe" is a whole training config; the worker trains it (with its own thread share,
// the candidate's seed for initialisation and shuffling, the experiment's data split),
// measures the model like a compressed candidate and writes the checkpoint atomically.
#pragma once

#include <memory>

#include "backend/backend.h"
#include "search/candidate_runner.h"
#include "search/recipe_candidate_runner.h"

namespace lathe::search {

class TrainingCandidateRunner final : public CandidateRunner {
 public:
  // settings.base_path is the training config as written (the base is that run).
  explicit TrainingCandidateRunner(const RunnerSettings& settings);
  TaskResult run(const Task& task) override;

 private:
  RunnerSettings settings_;
  std::unique_ptr<Backend> backend_;
};

}  // namespace lathe::search
