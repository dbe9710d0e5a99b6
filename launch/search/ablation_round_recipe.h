// The recipes of ablation-greedy candidates (strategies/ablation_greedy_strategy.h). The
// experiment's recipe holds one `prune: {method: ablation, remove: k, ...}` step; a round
// turns it into:
//   scoring candidate (shard i of n): that step alone, scoring slice i of the start
//     model's groups and writing them to its own table; nothing is removed.
//       # ablation-greedy scores: round 2, shard 1 of 4
//       - prune: {method: ablation, groups: filters, ..., shard: 1, shards: 4, write_table: ablation/...}
//   removal candidate: the whole recipe, its ablation step selecting from the round's
//     table (the shards' tables merged: the same table one worker would have computed).
//       - prune: {method: ablation, groups: filters, remove: 16, ..., table: ablation/round-002-scores.h5}
//       - finetune: {...}
// Paths are recorded relative to the output folder. Scoring candidates measure their
// unchanged start model, so they never enter the front.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "search/recipe_space.h"

namespace lathe::search {

// Where the tables live, relative to the output folder.
std::string shard_table_name(std::int64_t candidate_id);
std::string round_table_name(int round);

std::string scoring_recipe(const std::string& recipe_yaml, int round, int shard, int shards,
                           const std::string& table_path);
std::string removal_recipe(const std::string& recipe_yaml, const std::string& table_path);

// Whether a recipe as recorded is a scoring candidate's (its first line says so).
bool is_scoring_recipe(const std::string& recipe_yaml);

// Throws lathe::Error naming `source` unless the recipe of `point` has exactly one
// ablation prune step, with `remove` or `threshold` and none of the keys the rounds set
// (table, write_table, shard, shards), and otherwise only finetune and distill steps
// (the steps run again on every round's model; a quantize or share step would compress
// an already compressed model).
void check_space_for_ablation_rounds(const RecipeSpace& space, const Point& point, const std::string& source);

// Merges the shards' tables (paths in shard order) into the round's table at `round_path`,
// written atomically; errors name the file at fault.
void write_round_table(const std::vector<std::string>& shard_paths, const std::string& round_path);

}  // namespace lathe::search
