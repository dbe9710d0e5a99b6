// The recipe step `prune: {method: ablation, ...}` (docs/methods.md M1): scores every
// parameter group of `groups:` by leaving it out on the validation data (or reads a
// precomputed table), selects the removable ones and removes them.
//   layers / blocks: a pass-through removal (bypassed layer, residual block) leaves the
//     spec, so the model is physically smaller; a zeroed layer stays zero (hook).
//   filters: zeroed and kept zero while fine-tuning (hook); removed_filters() lists
//     them for the pruning compaction.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "compress/ablate/ablation_params.h"
#include "compress/ablate/ablation_table.h"
#include "compress/ablate/removed_groups_hook.h"
#include "compress/compression_step.h"

namespace lathe::compress::ablate {

class AblationStep final : public CompressionStep {
 public:
  // `has_threshold`: the recipe gave `threshold` (neither it nor `remove`: score only,
  // the model is left as it is and the table written).
  AblationStep(AblationParams params, StepSource source, bool has_threshold = true);

  [[nodiscard]] std::string kind() const override { return "prune"; }
  void validate(const nn::Model& model) const override;
  void apply(nn::Model& model, CompressionContext& context) override;
  [[nodiscard]] nn::TrainingHook* hook() override { return hook_ ? &*hook_ : nullptr; }
  // Removed filter groups leave the model physically (M4's compaction), as pruning does.
  void finalize(nn::Model& model, CompressionContext& context) override;

  [[nodiscard]] const AblationParams& params() const { return params_; }
  [[nodiscard]] bool scores_only() const;
  // After apply(): the scored table, the removed groups (ascending score), and every
  // (layer, channel) a removed filter group zeroed (empty for layers and blocks).
  [[nodiscard]] const AblationTable& table() const { return table_; }
  [[nodiscard]] const std::vector<AblationEntry>& selected() const { return selected_; }
  [[nodiscard]] const std::vector<FilterRef>& removed_filters() const { return removed_filters_; }

 private:
  [[nodiscard]] AblationTable read_table_for(const nn::Model& model) const;
  [[nodiscard]] std::string key_of_rule() const;

  AblationParams params_;
  StepSource source_;
  GroupKind groups_;
  bool has_threshold_ = true;
  AblationTable table_;
  std::vector<AblationEntry> selected_;
  std::vector<FilterRef> removed_filters_;
  std::optional<RemovedGroupsHook> hook_;
};

// Reads the step's keys (unknown keys, bad values and remove/threshold both or neither
// are errors naming source.where and the key).
std::unique_ptr<CompressionStep> make_ablation_step(const YAML::Node& params, const StepSource& source);

}  // namespace lathe::compress::ablate
