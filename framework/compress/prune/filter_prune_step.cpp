#include "compress/prune/filter_prune_step.h"

#include <algorithm>

#include "compress/prune/compaction.h"
#include "compress/prune/prune_count.h"
#include "config/by_layer_numbers.h"
#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::compress {

FilterPruneStep::FilterPruneStep(FilterPruneParams params, StepSource source)
    : params_(std::move(params)), source_(std::move(source)) {}

std::string FilterPruneStep::at(const std::string& key) const {
  return source_.where + ": " + source_.key(key);
}

std::vector<ChannelGroup> FilterPruneStep::chosen_groups(const nn::Model& model) const {
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const auto min_channels = static_cast<std::int64_t>(params_.min_channels);
  // Saliencies divided by the group's largest are at most 1, so a threshold above 1 prunes
  // every channel of every group: known from the recipe alone, refused before any data.
  LATHE_CHECK(params_.select != "threshold" || params_.threshold <= 1.0, at("threshold"), ": ",
              params_.threshold, " would prune every channel of each group (saliencies divided by ",
              "the group's largest are at most 1; one must stay); expected at most 1");
  std::vector<ChannelGroup> chosen;
  if (params_.layers.empty()) {
    // Every prunable group that can lose a channel and keep min_channels.
    for (const ChannelGroup& group : groups) {
      if (group.prunable() && group.channels > min_channels) chosen.push_back(group);
    }
    LATHE_CHECK(!chosen.empty(), at("layers"), ": model '", model.spec().name,
                "' has no prunable group with more than min_channels = ", min_channels,
                " channels (prunable layers: ", prunable_layer_list(groups), ")");
  }
  for (const std::string& layer : params_.layers) {
    const ChannelGroup& group = prunable_group_of(model, groups, layer, at("layers"));
    if (is_chosen(chosen, group)) continue;
    // Every chosen layer loses at least one channel: a group of one channel would vanish.
    if (params_.select == "ratio") {
      const double ratio = ratio_of(group);
      LATHE_CHECK(ratio_prune_count(group.channels, ratio) < group.channels, at("ratio"), ": ",
                  ratio, " would prune all ", group.channels, " channel(s) of layer '", layer,
                  "' (at least one is pruned, and one must stay)");
    }
    LATHE_CHECK(group.channels > min_channels, at("min_channels"), ": layer '", layer, "' has ",
                group.channels, " channel(s); pruning at least one would leave fewer than ",
                min_channels);
    chosen.push_back(group);
  }
  check_ratio_layers(model, groups, chosen);
  return chosen;
}

bool FilterPruneStep::is_chosen(const std::vector<ChannelGroup>& chosen, const ChannelGroup& group) {
  return std::any_of(chosen.begin(), chosen.end(), [&](const ChannelGroup& g) {
    return g.producers.front() == group.producers.front();
  });
}

double FilterPruneStep::ratio_of(const ChannelGroup& group) const {
  // A layer of the mapping stands for its whole group (check_ratio_layers refuses two
  // layers of one group with different ratios).
  for (const auto& [layer, ratio] : params_.ratio_by_layer) {
    if (group.has_producer(layer) || group.has_batchnorm(layer)) return ratio;
  }
  return config::by_layer_default(params_.ratio_by_layer, params_.ratio);
}

void FilterPruneStep::check_ratio_layers(const nn::Model& model,
                                         const std::vector<ChannelGroup>& groups,
                                         const std::vector<ChannelGroup>& chosen) const {
  std::string pruned;
  for (const ChannelGroup& group : chosen) pruned += (pruned.empty() ? "" : ", ") + group.describe();
  for (const auto& [layer, ratio] : params_.ratio_by_layer) {
    if (layer == config::kDefaultLayerKey) continue;
    const std::string key = at("ratio." + layer);
    const ChannelGroup& group = prunable_group_of(model, groups, layer, key);
    LATHE_CHECK(is_chosen(chosen, group), key, ": layer '", layer,
                "' is not in a group this step prunes (its groups: ", pruned, ")");
    const double own = ratio_of(group);
    LATHE_CHECK(own == ratio, key, ": layer '", layer, "' is in the group ", group.describe(),
                " whose ratio is already ", own, " (a group's layers are pruned together)");
  }
}

void FilterPruneStep::validate(const nn::Model& model) const {
  (void)chosen_groups(model);
}

std::int64_t FilterPruneStep::prune_count(const ChannelGroup& group,
                                          const std::vector<double>& saliencies) const {
  const std::int64_t n = group.channels;
  std::int64_t count = 1;
  if (params_.select == "ratio") {
    count = ratio_prune_count(n, ratio_of(group));
  } else if (params_.select == "threshold") {
    count = threshold_prune_count(saliencies, params_.threshold);
    LATHE_CHECK(count < n, at("threshold"), ": ", params_.threshold, " would prune all ", n,
                " channels of layer '", group.producers.front(),
                "' (saliencies divided by the group's largest are at most 1; one must stay)");
  } else {
    count = knee_prune_count(saliencies);
  }
  // At least one channel pruned, and never fewer than min_channels left.
  return std::clamp<std::int64_t>(count, 1, n - params_.min_channels);
}

void FilterPruneStep::apply(nn::Model& model, CompressionContext& context) {
  const std::vector<ChannelGroup> groups = chosen_groups(model);
  const SaliencyData data{context.backend, context.data.train, context.data.validation,
                          params_.batches,  context.batch_size,  context.seed};
  const std::vector<std::vector<double>> saliencies =
      channel_saliencies(model, groups, params_.saliency, data);
  selections_.clear();
  pruned_.clear();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::int64_t count = prune_count(groups[g], saliencies[g]);
    std::vector<std::int64_t> channels = least_salient_channels(saliencies[g], count);
    selections_.push_back({groups[g].producers.front(), channels});
    pruned_.push_back({groups[g].describe(), groups[g].channels, saliencies[g], channels});
  }
  const PruneMask mask = make_prune_mask(model, selections_, at("layers"));
  ParameterCuts cuts = parameter_cuts(mask, false);
  zero_pruned_entries(model, cuts);
  hook_ = std::make_unique<PruneMaskHook>(std::move(cuts));
}

void FilterPruneStep::finalize(nn::Model& model, CompressionContext& /*context*/) {
  if (selections_.empty()) return;
  const PruneMask mask = make_prune_mask(model, selections_, at("layers"));
  model = compact(model, mask);
}

std::unique_ptr<CompressionStep> make_filter_prune_step(const YAML::Node& params,
                                                        const StepSource& source) {
  FilterPruneParams p;
  config::read_with_by_layer(params, p, "ratio", p.ratio_by_layer, source.where,
                             source.label + ".");
  LATHE_CHECK(p.method == "filter", source.where, ": ", source.key("method"), ": '", p.method,
              "' is not the filter pruner (known methods: ", prune_methods().describe(),
              "; the recipe's step factory picks the method's own step)");
  return std::make_unique<FilterPruneStep>(std::move(p), source);
}

}  // namespace lathe::compress
