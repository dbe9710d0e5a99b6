#include "compress/ablate/ablation_selection.h"

#include <map>

#include "core/error.h"

namespace lathe::compress::ablate {
namespace {

// Filters per layer in the table: a layer's filter groups are all its channels.
std::map<std::string, std::size_t> filters_per_layer(const AblationTable& table) {
  std::map<std::string, std::size_t> count;
  for (const AblationEntry& entry : table.entries) {
    if (entry.kind == GroupKind::filters) ++count[entry.layer];
  }
  return count;
}

}  // namespace

std::size_t selectable_count(const AblationTable& table) {
  std::size_t count = table.entries.size();
  for (const auto& [layer, filters] : filters_per_layer(table)) {
    (void)layer;
    count -= filters > 0 ? 1 : 0;
  }
  return count;
}

std::vector<AblationEntry> select_removable(const AblationTable& table, const SelectionRule& rule,
                                            const std::string& where) {
  LATHE_CHECK(rule.remove >= 0, where, ": expected remove to be at least 1, got ", rule.remove);
  if (rule.remove > 0) {
    LATHE_CHECK(static_cast<std::size_t>(rule.remove) <= selectable_count(table), where, ": expected at most ",
                selectable_count(table), " (the removable groups of ", table.entries.size(),
                "; one filter of each layer always stays), got ", rule.remove);
  }
  const std::map<std::string, std::size_t> per_layer = filters_per_layer(table);
  std::map<std::string, std::size_t> taken;
  std::vector<AblationEntry> selected;
  for (const AblationEntry& entry : table.entries) {
    if (rule.remove > 0 && selected.size() == static_cast<std::size_t>(rule.remove)) break;
    if (rule.remove == 0 && !(entry.score < rule.threshold)) break;  // ascending: the rest are not below
    if (entry.kind == GroupKind::filters && taken[entry.layer] + 1 == per_layer.at(entry.layer)) continue;
    if (entry.kind == GroupKind::filters) ++taken[entry.layer];
    selected.push_back(entry);
  }
  return selected;
}

}  // namespace lathe::compress::ablate
