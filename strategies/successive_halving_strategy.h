// Successive halving (Jamieson and Talwalkar 2016) in brackets: a bracket starts with
// `population` new candidates at rung 0 (the initial points first, then uniform samples);
// when every candidate of a rung has been told, the best floor(n / eta) of them (at least
// one; promotion_ranking.h orders several objectives) are asked again at the next rung,
// each as a new candidate whose `parent` is its rung-below self, so that it continues from
// that state. After the top rung a new bracket starts. Like NSGA-II's generations, ask()
// returns nothing while a rung is being evaluated, which makes the search reproducible
// for any number of workers.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "strategies/strategy.h"

namespace lathe::search {

class SuccessiveHalvingStrategy final : public Strategy {
 public:
  SuccessiveHalvingStrategy(SearchSpace space, int objective_count, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;
  [[nodiscard]] bool exhausted() const override { return false; }
  [[nodiscard]] std::string name() const override { return "successive_halving"; }
  std::vector<std::int64_t> take_settled() override { return std::exchange(settled_, {}); }

  [[nodiscard]] int brackets_started() const { return brackets_; }

 private:
  struct Planned {
    Point point;
    std::int64_t parent = -1;
  };
  void start_bracket();
  void next_rung();

  SearchSpace space_;
  std::size_t objective_count_;
  std::size_t population_;
  RungSchedule schedule_;
  std::vector<Point> initial_points_;
  std::size_t initial_used_ = 0;
  Rng rng_;
  std::int64_t next_id_ = 0;
  int brackets_ = 0;

  int rung_ = 0;                           // the rung being evaluated
  std::vector<Planned> planned_;           // this rung's candidates, in ask order
  std::size_t asked_in_rung_ = 0;
  std::map<std::int64_t, Point> untold_;   // asked at this rung, not yet told
  std::vector<Evaluation> rung_results_;   // told at this rung
  std::vector<std::int64_t> settled_;      // decided and not promoted, since take_settled()
};

}  // namespace lathe::search
