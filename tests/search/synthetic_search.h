// A search whose candidates are analytic: the runner reads the recipe's prune ratio and
// weight bits and returns a size and an accuracy computed from them (and the candidate's
// seed), in microseconds. The coordinator, transports, journal and resume are the real
// ones; only the evaluator is replaced.
#pragma once

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <cmath>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "search/candidate_runner.h"
#include "search/coordinator.h"
#include "search/experiment.h"
#include "search/in_memory_transport.h"
#include "search/journal.h"
#include "search/search_outcome.h"
#include "search/search_output.h"
#include "search/worker.h"

namespace lathe::search::test_support {

inline std::string synthetic_experiment_yaml(const std::string& output, const std::string& mode = "reproducible",
                                             int evaluations = 24, const std::string& strategy = "nsga2") {
  return "name: synthetic\nbase: base.h5\nseed: 5\nmode: " + mode + "\noutput: " + output +
         "\nbudget: {evaluations: " + std::to_string(evaluations) +
         "}\ncandidate: {threads: 1}\n"
         "objectives:\n  - {metric: size_bytes, goal: minimize}\n"
         "  - {metric: validation_accuracy, goal: maximize}\n"
         "constraints: {max_accuracy_drop: 0.1}\n"
         "strategy: {name: " + strategy + ", population: 6}\n"
         "space:\n  steps:\n"
         "    - prune: {optional: true, select: ratio, ratio: {range: [0.1, 0.9]}}\n"
         "    - quantize: {weight_bits: {int_range: [2, 8]}, act_bits: {choice: [0, 8]}}\n"
         "    - finetune: {epochs: 1, lr: {log_range: [0.001, 0.1]}}\n";
}

// How many kept states the coordinator told synthetic workers to drop (Task::release).
inline std::atomic<int> released_states{0};

// size = 10,000 bytes x (1 - ratio) x bits / 32; accuracy falls with the ratio squared
// and with fewer bits. Recipes whose lr is above 0.04 "fail"; the seed adds noise so that
// a wrong seed shows in the results.
class SyntheticRunner final : public CandidateRunner {
 public:
  // Each candidate also sleeps between min and max ms, drawn from its seed (0, 0: none):
  // a stand-in for candidates whose fine-tunes take different times.
  // With `stop`, a candidate whose sleep ends after it was raised answers paused, as the
  // real runner pauses at its next step boundary, with the state file it would have saved.
  explicit SyntheticRunner(int min_sleep_ms = 0, int max_sleep_ms = 0, const std::atomic<bool>* stop = nullptr)
      : min_sleep_ms_(min_sleep_ms), max_sleep_ms_(max_sleep_ms), stop_(stop) {}

 private:
  int min_sleep_ms_;
  int max_sleep_ms_;
  const std::atomic<bool>* stop_;
  std::set<std::int64_t> kept_;  // ids whose "training state" this worker keeps

  // A number, or the mean of a per-layer mapping's layers ({default: D, conv1: 4, ...}).
  static double mean_value(const YAML::Node& value) {
    if (value.IsScalar()) return value.as<double>();
    double sum = 0.0;
    int layers = 0;
    for (const auto& entry : value) {
      if (entry.first.Scalar() == "default") continue;
      sum += entry.second.as<double>();
      ++layers;
    }
    return layers > 0 ? sum / layers : 8.0;
  }

 public:
  TaskResult run(const Task& task) override {
    TaskResult result;
    result.id = task.id;
    recipe::CandidateMetrics& m = result.metrics;
    m.seed = task.seed;
    if (task.id == kBaseTaskId) {
      m.size_bytes = 40000;
      m.validation_accuracy = 0.9;
      m.validation_loss = 0.3;
      return result;
    }
    for (const std::int64_t id : task.release) {
      // Released states must be ones this worker keeps and no promotion will continue.
      if (kept_.erase(id) == 0) {
        m.status = recipe::CandidateStatus::failed;
        m.message = "synthetic: told to release the state of candidate " + std::to_string(id) + ", not kept here";
        return result;
      }
      ++released_states;
    }
    if (max_sleep_ms_ > 0) {
      const int span = max_sleep_ms_ - min_sleep_ms_ + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(min_sleep_ms_ + static_cast<int>(task.seed % span)));
    }
    if (stop_ != nullptr && stop_->load()) {
      result.paused = true;
      result.paused_state = "paused/candidate-" + std::to_string(task.id) + ".h5";
      m.message = "paused (synthetic)";
      return result;
    }
    const YAML::Node steps = YAML::Load(task.recipe_yaml);
    double ratio = 0.0;
    double bits = 32.0;
    double lr = 0.01;
    int epochs = 0;
    for (const YAML::Node& step : steps) {
      const std::string kind = step.begin()->first.Scalar();
      const YAML::Node params = step.begin()->second;
      if (kind == "prune") ratio = params["ratio"].as<double>();
      if (kind == "quantize") bits = mean_value(params["weight_bits"]);
      if (kind == "finetune") {
        lr = params["lr"].as<double>();
        epochs += params["epochs"].as<int>();
      }
    }
    // Multi-fidelity: a state kept as the real runner keeps it, continued when it is here.
    if (task.continues >= 0 && kept_.erase(task.continues) > 0) {
      m.continued_steps = static_cast<std::int64_t>(steps.size()) - 1;
    }
    if (task.keep_state && lr <= 0.04) result.state_kept = kept_.insert(task.id).second;
    if (lr > 0.04) {
      m.status = recipe::CandidateStatus::failed;
      m.message = "synthetic: lr too high, \"diverged\", in a message with, commas";
      return result;
    }
    const double noise = static_cast<double>(task.seed % 1000) / 1e6;
    m.size_bytes = static_cast<std::int64_t>(10000.0 * (1.0 - ratio) * bits / 32.0) + 1;
    m.validation_accuracy = 0.9 - 0.25 * ratio * ratio - 0.004 * (8.0 - std::min(bits, 8.0)) * (8.0 - std::min(bits, 8.0)) + noise;
    // More fine-tuning recovers accuracy (one epoch: as before).
    if (epochs > 1) m.validation_accuracy += 0.05 * ratio * (1.0 - 1.0 / epochs);
    m.validation_loss = 1.0 - m.validation_accuracy;
    m.test_accuracy = m.validation_accuracy - 0.01;
    m.parameter_count = m.size_bytes;
    m.macs = m.size_bytes * 10;
    m.wall_seconds = 0.001;
    // The path the real runner would have written (no file: nothing here reads it).
    result.artifact_path = task.artifact_path;
    return result;
  }
};

struct SearchRun {
  SearchOutcome outcome;
  bool interrupted = false;
};

// Runs (or resumes) `experiment` over `workers` in-memory workers; `stop_after` results
// of this run, an interrupt is raised (0: never). `publish`: write results.h5 and
// report.html after each generation, as `lathe search` does.
// `pause_in_flight`: the interrupt reaches the workers too, which pause their candidates.
// `stopping_rank`: that worker alone was signalled before the search began (it pauses its
// first candidate), the coordinator was not (0: none).
inline SearchRun run_synthetic_search(const Experiment& experiment, int workers, int stop_after = 0,
                                      bool publish = false, int min_sleep_ms = 0, int max_sleep_ms = 0,
                                      bool pause_in_flight = false, int stopping_rank = 0) {
  SearchHistory history = open_search_output(experiment);
  const SearchPaths paths = search_paths(experiment.file.output);
  JournalWriter journal(paths.journal);
  InMemoryNetwork network(workers);
  std::vector<std::thread> threads;
  std::atomic<bool> interrupt{false};
  const std::atomic<bool> signalled{true};
  for (int rank = 1; rank <= workers; ++rank) {
    threads.emplace_back([&, rank] {
      SyntheticRunner runner(min_sleep_ms, max_sleep_ms,
                             rank == stopping_rank ? &signalled : pause_in_flight ? &interrupt : nullptr);
      run_worker(network.worker(rank), runner);
    });
  }
  int results = 0;
  CoordinatorHooks hooks;
  hooks.interrupt = &interrupt;
  hooks.poll = std::chrono::milliseconds(5);
  if (publish) hooks.publish = [&paths](const SearchOutcome& outcome) { publish_outcome(paths, outcome); };
  hooks.progress = [&](const std::string&) {
    if (stop_after > 0 && ++results >= stop_after) interrupt = true;
  };
  Coordinator coordinator(experiment, experiment.file.output, std::move(history), journal,
                          network.coordinator(), hooks);
  SearchRun run;
  run.outcome = coordinator.run();
  run.interrupted = coordinator.interrupted();
  for (std::thread& thread : threads) thread.join();
  return run;
}

// The outcome without what may differ between equal searches: ranks, hosts and timings.
inline std::vector<std::string> comparable_rows(const SearchOutcome& outcome) {
  std::vector<std::string> rows;
  for (const EvaluationRecord& record : outcome.evaluations) {
    recipe::CandidateMetrics m = record.metrics;
    m.rank = -1;
    m.host.clear();
    m.wall_seconds = m.compress_seconds = m.finetune_seconds = m.measure_seconds = 0.0;
    m.peak_memory_bytes = 0;
    m.continued_steps = 0;  // which worker kept which state depends on the worker count
    m.latency_batch1_ms = m.latency_batch128_ms = 0.0;
    rows.push_back(std::to_string(record.id) + " " + record.point_json + " " + record.recipe_yaml + " " +
                   recipe::metrics_to_json(m) + (record.feasible ? " feasible" : " infeasible"));
  }
  std::string front = "front:";
  for (const std::int64_t id : outcome.pareto_ids) front += " " + std::to_string(id);
  rows.push_back(front);
  return rows;
}

}  // namespace lathe::search::test_support
