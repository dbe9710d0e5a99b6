#include "cli/search_setup.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "cli/static_constraints.h"
#include "config/canonical_yaml.h"
#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "io/path_checks.h"
#include "nn/layer_spec.h"
#include "nn/train_config.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"
#include "search/earlier_search_model.h"
#include "search/search_output.h"
#include "search/training_candidate_runner.h"
#include "strategies/number_text.h"
#include "strategies/search_space.h"

namespace lathe::cli {
namespace {

// The base a training config writes (its `output` key).
std::string trained_base_path(const std::string& train_config) {
  const YAML::Node root = config::load_yaml_file(train_config);
  LATHE_CHECK(root["output"] && root["output"].IsScalar(), train_config,
              ": output: required here (the search's base is the model this config writes)");
  return root["output"].Scalar();
}

// Trains the base with `lathe train` (this same executable), so its checkpoint is exactly
// what `lathe train` writes.
void train_base(const std::string& train_config, const std::string& experiment_path) {
  std::printf("%s: training the base with %s first\n", experiment_path.c_str(), train_config.c_str());
  std::fflush(stdout);
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = "'" + self + "' train '" + train_config + "'";
  const int status = std::system(command.c_str());
  LATHE_CHECK(status == 0, experiment_path, ": train: `lathe train ", train_config,
              "` failed (exit status ", status, "); the search did not start");
}

std::string dimension_values(const search::SearchSpace& space, const search::Point& point,
                             const search::Point& first) {
  std::string text;
  for (std::size_t i = 0; i < point.size(); ++i) {
    if (point[i] == first[i]) continue;
    text += (text.empty() ? "" : ", ") + space.dimensions[i].name + " = " +
            (space.dimensions[i].kind == search::Dimension::Kind::categorical
                 ? space.dimensions[i].choices[static_cast<std::size_t>(point[i])]
                 : search::exact_number(point[i]));
  }
  return text.empty() ? "every dimension at its first value" : text;
}

// `check` run on the recipe (or training config) of every probe point of the space; a
// failure names the experiment, the point's values and the text that was refused.
void check_probe_points(const search::Experiment& experiment, const std::string& experiment_path,
                        const char* what, const std::function<void(const std::string&, const std::string&)>& check) {
  const std::vector<search::Point> probes = experiment.space.probe_points();
  for (const search::Point& point : probes) {
    const std::string yaml = experiment.space.recipe_yaml(point);
    const std::string source =
        experiment_path + ": space (" + dimension_values(experiment.space.space(), point, probes.front()) + ")";
    try {
      check(yaml, source);
    } catch (const Error& e) {
      fail(e.what(), "\n  the ", what, " was:\n", yaml);
    }
  }
}

// Every recipe of the space's probe points checked against the base.
void probe_space(const search::Experiment& experiment, const std::string& experiment_path,
                 const io::Checkpoint& base) {
  check_probe_points(experiment, experiment_path, "recipe", [&](const std::string& yaml, const std::string& source) {
    (void)recipe::prepare_steps(recipe::parse_recipe(yaml, source), base, experiment.file.base);
  });
}

// A training search's probe points: each a training config the reader accepts.
void probe_training_space(const search::Experiment& experiment, const std::string& experiment_path) {
  check_probe_points(experiment, experiment_path, "training config",
                     [](const std::string& yaml, const std::string& source) {
                       (void)nn::load_model_spec(nn::parse_train_config(config::parse_yaml_document(yaml, source), source).model);
                     });
}

// FNV-1a of a file's bytes: whether a resumed sweep still has the training config it
// started with.
std::string contents_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LATHE_CHECK(in.good(), path, ": cannot be read");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return config::fnv1a_hex(bytes.str());
}

// FNV-1a of what a checkpoint computes with (its spec, normalisation and every tensor's
// values), not of its metadata: a base retrained to the same weights (the same config and
// seed) keeps its hash although its training date changed.
std::string model_hash(const io::Checkpoint& base) {
  std::string bytes = base.model_spec_yaml;
  const auto add_floats = [&](const float* values, std::size_t count) {
    bytes.append(reinterpret_cast<const char*>(values), count * sizeof(float));
  };
  add_floats(base.normalization_mean.data(), base.normalization_mean.size());
  add_floats(base.normalization_std.data(), base.normalization_std.size());
  for (const io::NamedTensor& tensor : base.tensors) {
    bytes += tensor.name;
    add_floats(tensor.value.data(), static_cast<std::size_t>(tensor.value.size()));
  }
  return config::fnv1a_hex(bytes);
}

}  // namespace

search::Experiment prepare_search(const std::string& experiment_path) {
  return prepare_search(search::load_experiment(experiment_path));
}

search::Experiment prepare_search(search::Experiment experiment) {
  const std::string experiment_path = experiment.path;
  search::ExperimentFile& file = experiment.file;
  if (file.kind == "train") {
    probe_training_space(experiment, experiment_path);
    experiment.base_file_hash = contents_hash(file.train);
    return experiment;
  }
  if (!file.base_search.empty()) {
    search::resolve_base_search(experiment);
    std::printf("%s: base %s, the smallest feasible model of %s; constraints measured against that "
                "search's base (%lld bytes, validation accuracy %.2f%%)\n",
                experiment_path.c_str(), file.base.c_str(), file.base_search.c_str(),
                static_cast<long long>(experiment.reference->size_bytes),
                100.0 * experiment.reference->validation_accuracy);
    std::fflush(stdout);
  }
  if (file.base.empty()) file.base = trained_base_path(file.train);
  if (io::path_is_missing(file.base)) {
    LATHE_CHECK(!file.train.empty(), experiment_path, ": base: ", file.base,
                ": no such file (train it with `lathe train`, or give `train: CONFIG` to train it first)");
    train_base(file.train, experiment_path);
    LATHE_CHECK(!io::path_is_missing(file.base), experiment_path, ": base: ", file.base,
                ": still missing after training with ", file.train, " (its output must be this path)");
  }
  io::require_input_file(file.base, "a trained checkpoint (.h5)", experiment_path + ": base");
  const io::Checkpoint base = io::read_checkpoint(file.base);  // read once: probed, then hashed
  probe_space(experiment, experiment_path, base);
  check_static_constraints(experiment, base, file.base);
  experiment.base_file_hash = model_hash(base);
  return experiment;
}

std::string check_search(const std::string& experiment_path) {
  search::Experiment experiment = search::load_experiment(experiment_path);
  if (experiment.file.kind == "train") {
    probe_training_space(experiment, experiment_path);
    return experiment_path + ": valid; a training search over " +
           std::to_string(experiment.space.space().dimensions.size()) + " keys of " + experiment.file.train;
  }
  const std::string& earlier = experiment.file.base_search;
  if (!earlier.empty() && io::path_is_missing(search::search_paths(earlier).journal)) {
    return experiment_path + ": valid; " + std::to_string(experiment.space.space().dimensions.size()) +
           " dimensions, base_search " + earlier + " not run yet, space not probed";
  }
  search::resolve_base_search(experiment);
  std::string base = experiment.file.base;
  if (base.empty()) base = trained_base_path(experiment.file.train);
  const bool probed = !io::path_is_missing(base);
  if (probed) {
    io::require_input_file(base, "a trained checkpoint (.h5)", experiment_path + ": base");
    experiment.file.base = base;
    const io::Checkpoint checkpoint = io::read_checkpoint(base);
    probe_space(experiment, experiment_path, checkpoint);
    check_static_constraints(experiment, checkpoint, base);
  }
  return experiment_path + ": valid; " + std::to_string(experiment.space.space().dimensions.size()) +
         " dimensions, " + (probed ? "space checked against " + base : "base " + base + " not there yet, space not probed");
}

search::RunnerSettings runner_settings(const search::Experiment& experiment, int workers_on_node,
                                       bool verbose) {
  const search::ExperimentFile& file = experiment.file;
  search::RunnerSettings settings;
  settings.base_path = file.kind == "train"          ? file.train
                       : !file.base.empty()           ? file.base
                       : !file.base_search.empty()    // a worker's own reading of the experiment
                           ? search::smallest_feasible_model(file.base_search, experiment.path).checkpoint
                           : trained_base_path(file.train);
  settings.data_path = file.data;
  settings.output_dir = file.output;
  settings.device = file.candidate.device;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  settings.threads = file.candidate.threads > 0 ? file.candidate.threads
                                                : std::max(1, cores / std::max(1, workers_on_node));
  settings.batch_size = file.candidate.batch_size;
  settings.measure_latency = file.candidate.measure_latency;
  settings.kept_states = file.candidate.kept_states;
  settings.verbose = verbose;
  return settings;
}

std::unique_ptr<search::CandidateRunner> make_runner(const search::Experiment& experiment,
                                                     const search::RunnerSettings& settings) {
  if (experiment.file.kind == "train") return std::make_unique<search::TrainingCandidateRunner>(settings);
  return std::make_unique<search::RecipeCandidateRunner>(settings);
}

std::string search_space_help() {
  return R"(
space: the recipe template searched (docs/search.md):
  space:
    steps:                       # recipe steps in order; any key may be a dimension
      - prune: {optional: true, select: ratio, ratio: {range: [0.1, 0.8], per_layer: [conv2, fc1]}}
      - quantize: {weight_bits: {int_range: [2, 8]}, act_bits: {choice: [0, 8]}}
      - finetune: {epochs: {choice: [1, 2]}, lr: {log_range: [0.002, 0.05]}}
    orders: [[prune, quantize, finetune], [quantize, prune, finetune]]   # optional
  a dimension: {choice: [...]} | {range: [lo, hi]} | {int_range: [lo, hi]} | {log_range: [lo, hi]},
  optionally per_layer: [layers] (one dimension per layer) and default: D (other layers);
  step meta keys: optional: true (the step may be left out), label: NAME.
  kind: train (a hyperparameter sweep): space: {train: {optimizer.lr: {log_range: [0.01, 0.1]},
  epochs: {choice: [3, 5]}}}, dotted keys of the `train` config.
objectives: a list of {metric: M, goal: minimize|maximize}, 2 or 3; metrics: validation_loss,
  validation_accuracy, validation_error, size_bytes, parameter_count, macs, latency_batch1_ms,
  latency_batch128_ms, wall_seconds.
)";
}

}  // namespace lathe::cli
