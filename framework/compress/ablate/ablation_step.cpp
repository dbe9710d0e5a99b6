#include "compress/ablate/ablation_step.h"

#include "compress/ablate/ablation_selection.h"
#include "compress/ablate/ablation_table_file.h"
#include "compress/ablate/group_removal.h"
#include "compress/ablate/model_simplification.h"
#include "compress/prune/compaction.h"
#include "compress/prune/prune_mask.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/file_cache.h"

namespace lathe::compress::ablate {
namespace {

// The table a rule would see before any score is known: selectable_count needs only
// the groups' kinds and layers.
AblationTable unscored_table(const std::vector<AblationGroup>& groups) {
  AblationTable table;
  for (const AblationGroup& group : groups) table.entries.push_back(table_entry(group, GroupScore{}));
  return table;
}

}  // namespace

AblationStep::AblationStep(AblationParams params, StepSource source, bool has_threshold)
    : params_(std::move(params)),
      source_(std::move(source)),
      groups_(parse_group_kind(params_.groups, source_.where + ": " + source_.key("groups"))),
      has_threshold_(has_threshold) {}

bool AblationStep::scores_only() const { return params_.remove == 0 && !has_threshold_; }

std::string AblationStep::key_of_rule() const {
  return source_.where + ": " + source_.key(params_.remove > 0 ? "remove" : "threshold");
}

AblationTable AblationStep::read_table_for(const nn::Model& model) const {
  // Read once per process while the file stays the same: every candidate names it.
  AblationTable table = *io::cached_file<AblationTable>(
      params_.table, [](const std::string& path) { return read_ablation_table(path); });
  const std::string where = source_.where + ": " + source_.key("table") + ": " + params_.table;
  const std::vector<AblationGroup> groups = enumerate_groups(model, groups_, params_.bypass);
  for (const AblationEntry& entry : table.entries) {
    LATHE_CHECK(entry.kind == groups_, where, ": expected ", group_kind_name(groups_), " groups (groups: ",
                params_.groups, "), found ", group_kind_name(entry.kind), " group '", entry.group, "'");
    (void)find_group(groups, entry.group, where);
  }
  return table;
}

void AblationStep::validate(const nn::Model& model) const {
  const std::vector<AblationGroup> groups = enumerate_groups(model, groups_, params_.bypass);
  LATHE_CHECK(!groups.empty(), source_.where, ": ", source_.key("groups"), ": model '", model.spec().name,
              "' has no ", group_kind_name(groups_), " groups (the logits layer is never one)");
  const AblationTable table = params_.table.empty() ? unscored_table(groups) : read_table_for(model);
  if (params_.remove > 0) {
    const std::size_t selectable = selectable_count(table);
    LATHE_CHECK(static_cast<std::size_t>(params_.remove) <= selectable, source_.where, ": ", source_.key("remove"),
                ": expected at most ", selectable, " (model '", model.spec().name, "' has ", table.entries.size(), " ",
                group_kind_name(groups_), " groups",
                groups_ == GroupKind::filters ? "; one filter of each layer always stays" : "", "), got ",
                params_.remove);
  }
}

void AblationStep::apply(nn::Model& model, CompressionContext& context) {
  if (params_.table.empty()) {
    AblationOptions options;
    options.groups = groups_;
    options.score = parse_score_kind(params_.score, source_.where + ": " + source_.key("score"));
    options.batch_size = context.batch_size;
    options.max_batches = params_.batches;
    options.allow_bypass = params_.bypass;
    options.shard = params_.shard;
    options.shards = params_.shards;
    table_ = run_ablation(model, context.data.validation, context.backend, options);
  } else {
    table_ = read_table_for(model);
  }
  if (!params_.write_table.empty()) {
    write_ablation_table(params_.write_table, table_);
    io::forget_cached_file(params_.write_table);
  }
  selected_.clear();
  removed_filters_.clear();
  hook_.reset();
  if (scores_only()) return;  // the scores are the result; the model stays as it is

  selected_ = select_removable(table_, SelectionRule{params_.remove, params_.threshold}, key_of_rule());
  const std::vector<AblationGroup> groups = enumerate_groups(model, groups_, params_.bypass);
  const std::string where = source_.where + ": " + source_.label;
  std::vector<ParameterEdit> kept_zero;
  std::vector<SpecBypass> bypasses;
  removed_filters_.clear();
  for (const AblationEntry& entry : selected_) {
    const AblationGroup group = find_group(groups, entry.group, where);
    if (!group.structural.empty()) {
      bypasses.insert(bypasses.end(), group.structural.begin(), group.structural.end());
      continue;
    }
    apply_edits(model, group.edits, where);
    kept_zero.insert(kept_zero.end(), group.edits.begin(), group.edits.end());
    removed_filters_.insert(removed_filters_.end(), group.filters.begin(), group.filters.end());
  }
  if (!bypasses.empty()) model = simplified_model(model, bypasses, where);
  hook_.reset();
  if (!kept_zero.empty()) hook_.emplace(std::move(kept_zero), where);
}

std::unique_ptr<CompressionStep> make_ablation_step(const YAML::Node& params, const StepSource& source) {
  AblationParams p;
  config::YamlReader::read(params, p, source.where, source.label + ".");
  const YAML::Node& node = params;  // const: yaml-cpp's non-const [] inserts keys
  const bool has_remove = node.IsMap() && node["remove"];
  const bool has_threshold = node.IsMap() && node["threshold"];
  const std::string at = source.where + ": " + source.label;
  LATHE_CHECK(!(has_remove && has_threshold), at, ": give remove (the k lowest-scoring groups) or threshold, not both");
  const bool scores_only = !has_remove && !has_threshold;
  LATHE_CHECK(!scores_only || p.table.empty(), at,
              ": table given but neither remove nor threshold: nothing would be selected from it");
  LATHE_CHECK(!scores_only || !p.write_table.empty(), at,
              ": expected remove (the k lowest-scoring groups) or threshold (every group below it), or "
              "write_table to score the groups only");
  LATHE_CHECK(p.shard < p.shards, at, ".shard: expected less than shards (", p.shards, "), got ", p.shard);
  LATHE_CHECK(p.shards == 1 || scores_only, at,  // scoring with a table is refused above
              ".shards: a slice of the groups can only be scored (write_table, no remove, threshold or "
              "table), got shards ", p.shards);
  if (!has_remove) p.remove = 0;
  return std::make_unique<AblationStep>(std::move(p), source, has_threshold);
}

void AblationStep::finalize(nn::Model& model, CompressionContext& /*context*/) {
  if (removed_filters_.empty()) return;
  std::vector<ChannelSelection> selections;
  for (const FilterRef& filter : removed_filters_) selections.push_back({filter.layer, {filter.channel}});
  const PruneMask mask = make_prune_mask(model, selections, source_.where + ": " + source_.label);
  // The hook stays: finalize may compact a copy while the trained model goes on training
  // (a promoted candidate continues), and no finetune follows a finalize of `model` itself.
  model = compact(model, mask);
}

}  // namespace lathe::compress::ablate
