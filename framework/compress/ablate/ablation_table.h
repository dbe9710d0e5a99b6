// docs/methods.md M1 steps 3-5: the scores of every group, sorted ascending (least important
// first), with the reference loss; plain data, so it can be written, read back and
// merged from MPI ranks. ablation_table_file.h stores it as HDF5.
#pragma once

#include <string>
#include <vector>

#include "compress/ablate/ablation_evaluation.h"
#include "compress/ablate/ablation_group.h"

namespace lathe::compress::ablate {

struct AblationEntry {
  std::string group;  // AblationGroup::name
  GroupKind kind = GroupKind::layers;
  std::string layer;
  std::int64_t index = -1;
  Removal removal = Removal::zeroed;
  double test_loss = 0.0;
  double score = 0.0;
};

struct AblationTable {
  ScoreKind score_kind = ScoreKind::loss_increase;
  double reference_loss = 0.0;
  std::vector<AblationEntry> entries;  // ascending by score, ties in group order
};

struct AblationOptions {
  GroupKind groups = GroupKind::filters;
  ScoreKind score = ScoreKind::loss_increase;
  int batch_size = 128;
  int max_batches = 8;  // 0 = the whole data set
  bool allow_bypass = true;
  // Score only slice `shard` of `shards` equal slices of the groups in spec order (the
  // search spreads one round's groups over its workers this way).
  int shard = 0;
  int shards = 1;
};

// The entry for `group` with its scores.
[[nodiscard]] AblationEntry table_entry(const AblationGroup& group, const GroupScore& score);
// Sorts ascending by score; equal scores keep their order (stable).
void sort_by_score(std::vector<AblationEntry>& entries);

// Scores every group of `options.groups` (of the options' shard) in turn on `data` (sequentially; each call of
// score_group is independent) and returns the sorted table. Fails when the model has no
// such groups.
[[nodiscard]] AblationTable run_ablation(nn::Model& model, const data::Dataset& data, Backend& backend,
                                         const AblationOptions& options);

// The slice [begin, end) of `count` groups that shard `shard` of `shards` scores.
struct ShardRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};
[[nodiscard]] ShardRange shard_range(std::size_t count, int shard, int shards);

// One table from the tables of every shard of the same model, given in shard order: the
// same entries, reference loss and order as one run_ablation over all groups. Fails
// (naming `where`) when the tables disagree on the score kind or name a group twice.
[[nodiscard]] AblationTable merge_ablation_tables(const std::vector<AblationTable>& shards, const std::string& where);

// A fixed-width text table for stdout: rank, group, kind, removal, test loss, score.
[[nodiscard]] std::string format_ablation_table(const AblationTable& table);

}  // namespace lathe::compress::ablate
