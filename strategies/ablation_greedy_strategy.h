// M1, ablation importance, as a greedy search over rounds (ours: the claim scores once).
// Every round scores all leave-one-group-out test models of the round's model, spread
// over the workers as `shards` scoring candidates, then one candidate removes the k
// least important groups (the recipe's `remove`) and fine-tunes; its model is the next
// round's. The search ends at the first round whose model meets the constraints (the
// size limit, as M1 repeats until it holds), when a round fails, or after `rounds`.
//
// The strategy only sequences the rounds: which model each candidate starts from
// (Candidate::start_from) and which part of a round it is (round, shard). launch/search/
// turns those into recipes and gathers the shards' scores into the round's table.
#pragma once

#include <cstdint>
#include <set>

#include "strategies/strategy.h"

namespace lathe::search {

class AblationGreedyStrategy final : public Strategy {
 public:
  AblationGreedyStrategy(SearchSpace space, int objective_count, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;
  [[nodiscard]] bool exhausted() const override { return finished_; }
  [[nodiscard]] std::string name() const override { return "ablation_greedy"; }

  // The round under way (0-based), and the candidate whose model it starts from (-1: the base).
  [[nodiscard]] int round() const { return round_; }
  [[nodiscard]] std::int64_t round_start() const { return start_; }

 private:
  [[nodiscard]] Candidate next_candidate(int shard);

  SearchSpace space_;
  std::size_t objective_count_;
  Point point_;
  int shards_;
  int rounds_;
  int round_ = 0;
  std::int64_t start_ = -1;         // the round's start model: the previous round's removal
  int shards_asked_ = 0;            // of this round
  std::set<std::int64_t> scoring_;  // this round's scoring candidates not yet told
  bool scoring_failed_ = false;
  std::int64_t removal_ = -1;       // this round's removal candidate, once asked
  std::int64_t next_id_ = 0;
  bool finished_ = false;
};

}  // namespace lathe::search
