// The recipe step `prune: {method: filter, ...}` (docs/methods.md M4): score each channel
// of each chosen group, prune the least salient (at least one) by masking them and the
// next layers' input slices, keep them at zero while fine-tuning, and compact the model
// physically at the end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "compress/compression_step.h"
#include "compress/prune/filter_prune_params.h"
#include "compress/prune/prune_mask.h"
#include "compress/prune/prune_mask_hook.h"

namespace lathe::compress {

// What apply() did to one group, for reports and tests.
struct PrunedGroup {
  std::string layers;                // "stem_conv + s1a_conv2"
  std::int64_t channels = 0;         // before pruning
  std::vector<double> saliencies;    // one per channel
  std::vector<std::int64_t> pruned;  // channel indices, ascending
};

class FilterPruneStep final : public CompressionStep {
 public:
  FilterPruneStep(FilterPruneParams params, StepSource source);

  [[nodiscard]] std::string kind() const override { return "prune"; }
  void validate(const nn::Model& model) const override;
  void apply(nn::Model& model, CompressionContext& context) override;
  [[nodiscard]] nn::TrainingHook* hook() override { return hook_.get(); }
  // Replaces the model by its compacted form (the pruned channels removed).
  void finalize(nn::Model& model, CompressionContext& context) override;

  [[nodiscard]] const std::vector<PrunedGroup>& pruned_groups() const { return pruned_; }
  // The choice as (layer, channels), for make_prune_mask on a later form of the model.
  [[nodiscard]] const std::vector<ChannelSelection>& selections() const { return selections_; }

 private:
  // The groups to prune; throws naming the key at fault.
  [[nodiscard]] std::vector<ChannelGroup> chosen_groups(const nn::Model& model) const;
  [[nodiscard]] std::int64_t prune_count(const ChannelGroup& group,
                                         const std::vector<double>& saliencies) const;
  // select: ratio: the group's own ratio from the mapping form, else its default.
  [[nodiscard]] double ratio_of(const ChannelGroup& group) const;
  // Every layer the ratio mapping names is in a chosen group, one ratio per group.
  void check_ratio_layers(const nn::Model& model, const std::vector<ChannelGroup>& groups,
                          const std::vector<ChannelGroup>& chosen) const;
  [[nodiscard]] static bool is_chosen(const std::vector<ChannelGroup>& chosen,
                                      const ChannelGroup& group);
  [[nodiscard]] std::string at(const std::string& key) const;

  FilterPruneParams params_;
  StepSource source_;
  std::vector<ChannelSelection> selections_;
  std::vector<PrunedGroup> pruned_;
  std::unique_ptr<PruneMaskHook> hook_;
};

// Reads and checks the step's keys (errors read "recipe.yaml:3: steps[0].prune.ratio:
// expected a number in [0, 1), got 1"); ratio may be a per-layer mapping.
std::unique_ptr<CompressionStep> make_filter_prune_step(const YAML::Node& params,
                                                        const StepSource& source);

}  // namespace lathe::compress
