// One compression step of a recipe (docs/methods.md M1-M5), as the evaluator drives it:
//
//   parse (the step's own keys, checked by its params struct)
//   validate(model)  - against the model the step will meet, before anything trains
//   apply(model)     - the structural change now: masks, inserted quantisers, the
//                      mixture prior, a teacher; may replace the model (a student)
//   hook()           - active in every later `finetune` step
//   after_finetune   - after each such finetune (e.g. weight sharing snaps here)
//   finalize(model)  - after the last step, in recipe order: compact, snap
//   pack(artifact)   - replaces float tensors of the saved artifact by packed forms
//
// Steps find layers and parameters by name each time, never by pointer kept across
// calls: compaction and students replace the Model object.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "data/data_config.h"
#include "io/checkpoint.h"
#include "nn/model.h"
#include "nn/training_hook.h"

namespace lathe::compress {

struct CompressionContext {
  Backend& backend;
  // Normalised train / validation / test splits. Steps that need data (saliency,
  // calibration, ablation losses) use train or validation, never test.
  const data::DataSplits& data;
  // The base model as loaded, unmodified (the teacher, the reference).
  const io::Checkpoint& base;
  std::uint64_t seed = 1;
  int batch_size = 128;
};

class CompressionStep {
 public:
  CompressionStep() = default;
  CompressionStep(const CompressionStep&) = delete;
  CompressionStep& operator=(const CompressionStep&) = delete;
  virtual ~CompressionStep() = default;

  // "prune", "quantize", "share", "distill": the recipe key.
  [[nodiscard]] virtual std::string kind() const = 0;
  // Checks names and sizes against the model this step will be applied to; throws
  // lathe::Error naming the step (`where`) and key. Runs for every step before any
  // step is applied.
  virtual void validate(const nn::Model& model) const = 0;
  // The spec of the model apply() puts in place of the one it is given (a student built
  // from a spec), so that later steps are validated against it; nullopt when apply()
  // keeps the model's layers.
  [[nodiscard]] virtual std::optional<nn::ModelSpec> replacement_spec() const { return std::nullopt; }
  virtual void apply(nn::Model& model, CompressionContext& context) = 0;
  [[nodiscard]] virtual nn::TrainingHook* hook() { return nullptr; }
  virtual void after_finetune(nn::Model& /*model*/, CompressionContext& /*context*/) {}
  virtual void finalize(nn::Model& /*model*/, CompressionContext& /*context*/) {}
  virtual void pack(nn::Model& /*model*/, io::Checkpoint& /*artifact*/) const {}
};

// Where a step came from, for messages: "recipe.yaml:3: steps[0].prune.ratio: ...".
struct StepSource {
  std::string where;  // the recipe file (the YAML reader adds the line of the key at fault)
  std::string label;  // "steps[0].prune"
  [[nodiscard]] std::string key(const std::string& name) const { return label + "." + name; }
};

}  // namespace lathe::compress
