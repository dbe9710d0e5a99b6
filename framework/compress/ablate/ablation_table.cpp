#include "compress/ablate/ablation_table.h"

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

#include "core/error.h"

namespace lathe::compress::ablate {

AblationEntry table_entry(const AblationGroup& group, const GroupScore& score) {
  return {group.name, group.kind, group.layer, group.index, group.removal, score.test_loss, score.score};
}

void sort_by_score(std::vector<AblationEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const AblationEntry& a, const AblationEntry& b) { return a.score < b.score; });
}

AblationTable run_ablation(nn::Model& model, const data::Dataset& data, Backend& backend,
                           const AblationOptions& options) {
  const std::vector<AblationGroup> groups = enumerate_groups(model, options.groups, options.allow_bypass);
  LATHE_CHECK(!groups.empty(), "model '", model.spec().name, "' has no ", group_kind_name(options.groups),
              " groups to score (the logits layer never is one)");
  const EvaluationBatches batches(data, options.batch_size, options.max_batches);
  const ModelOutputs reference = model_outputs(model, batches, backend);
  AblationTable table;
  table.score_kind = options.score;
  table.reference_loss = reference.loss;
  const ShardRange range = shard_range(groups.size(), options.shard, options.shards);
  for (std::size_t i = range.begin; i < range.end; ++i) {
    const AblationGroup& group = groups[i];
    table.entries.push_back(table_entry(group, score_group(model, group, reference, batches, backend, options.score)));
  }
  sort_by_score(table.entries);
  return table;
}

ShardRange shard_range(std::size_t count, int shard, int shards) {
  LATHE_CHECK(shards >= 1 && shard >= 0 && shard < shards, "ablation shard ", shard, " of ", shards,
              ": expected 0 <= shard < shards");
  const auto at = [&](int k) { return count * static_cast<std::size_t>(k) / static_cast<std::size_t>(shards); };
  return {at(shard), at(shard + 1)};
}

AblationTable merge_ablation_tables(const std::vector<AblationTable>& shards, const std::string& where) {
  LATHE_CHECK(!shards.empty(), where, ": no ablation tables to merge");
  AblationTable merged;
  merged.score_kind = shards.front().score_kind;
  // Every shard measured the same unmodified model on the same batches.
  merged.reference_loss = shards.front().reference_loss;
  std::set<std::string> seen;
  for (std::size_t s = 0; s < shards.size(); ++s) {
    LATHE_CHECK(shards[s].score_kind == merged.score_kind, where, ": shard ", s, " scores ",
                score_kind_name(shards[s].score_kind), ", shard 0 ", score_kind_name(merged.score_kind));
    for (const AblationEntry& entry : shards[s].entries) {
      LATHE_CHECK(seen.insert(entry.group).second, where, ": group '", entry.group, "' is in two shards");
      merged.entries.push_back(entry);
    }
  }
  // Shards are contiguous slices in group order, so equal scores keep group order.
  sort_by_score(merged.entries);
  return merged;
}

std::string format_ablation_table(const AblationTable& table) {
  std::size_t group_width = 5;
  for (const AblationEntry& entry : table.entries) group_width = std::max(group_width, entry.group.size());
  std::ostringstream out;
  out << "ablation importance: " << table.entries.size() << " groups, score "
      << score_kind_name(table.score_kind) << ", reference loss " << std::fixed << std::setprecision(6)
      << table.reference_loss << "\n";
  out << std::right << std::setw(5) << "rank" << "  " << std::left << std::setw(static_cast<int>(group_width))
      << "group" << "  " << std::setw(8) << "kind" << "  " << std::setw(8) << "removal" << "  " << std::right
      << std::setw(12) << "test_loss" << "  " << std::setw(12) << "score" << "\n";
  for (std::size_t i = 0; i < table.entries.size(); ++i) {
    const AblationEntry& e = table.entries[i];
    out << std::right << std::setw(5) << i + 1 << "  " << std::left << std::setw(static_cast<int>(group_width))
        << e.group << "  " << std::setw(8) << group_kind_name(e.kind) << "  " << std::setw(8)
        << removal_name(e.removal) << "  " << std::right << std::setw(12) << e.test_loss << "  "
        << std::setw(12) << e.score << "\n";
  }
  return out.str();
}

}  // namespace lathe::compress::ablate
