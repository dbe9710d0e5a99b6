// NSGA-II (Deb, Pratap, Agarwal and Meyarivan 2002) with Deb's constraint-domination.
// Generation 0 is the initial points, then uniform samples up to `population`; each later
// generation is `population` offspring of the parents, picked by binary tournament on
// (front rank, crowding distance) and varied by SBX and polynomial mutation (variation.h).
// When every candidate of a generation has been told, the parents and all results told
// since the last selection are sorted into constraint-domination fronts and the best
// `population` (whole fronts, then the least crowded of the next) become the parents.
//
// Candidates that did not complete count as infeasible with an infinite violation. A
// generation's candidates are drawn when it starts, so how many are asked at a time
// changes nothing; results are sorted by id before selection, so neither does the order
// in which they are told. Once a whole generation has been asked, ask() returns nothing
// until it is told, unless settings.asynchronous: then it breeds further offspring from
// the current parents (uniform samples before there are any), whose results join the
// next selection, and selection also happens as soon as a generation's worth of results
// has arrived, so that one slow candidate does not hold the search back (its result
// joins a later selection).
#pragma once

#include <cstdint>
#include <map>

#include "strategies/strategy.h"
#include "strategies/variation.h"

namespace lathe::search {

class Nsga2Strategy final : public Strategy {
 public:
  Nsga2Strategy(SearchSpace space, int objective_count, const StrategySettings& settings);

  std::vector<Candidate> ask(int count) override;
  void tell(const Evaluation& evaluation) override;
  [[nodiscard]] bool exhausted() const override { return false; }
  [[nodiscard]] std::string name() const override { return "nsga2"; }

  // Selections made so far (0 until generation 0 has been told).
  [[nodiscard]] int generations_selected() const { return generations_selected_; }
  // The current parents, in id order (empty until the first selection).
  [[nodiscard]] std::vector<Evaluation> parents() const;

 private:
  struct Parent {
    Evaluation evaluation;
    std::size_t rank = 0;
    double crowding = 0.0;
  };
  struct Asked {
    Point point;
    int generation = -1;  // the generation it belongs to; -1: an asynchronous extra
  };

  void start_generation(std::vector<Point> points);
  void select();
  std::vector<Point> breed(std::size_t count);
  const Parent& tournament();
  Point next_extra();

  SearchSpace space_;
  std::size_t objective_count_;
  std::size_t population_;
  bool asynchronous_;
  VariationSettings variation_;
  Rng rng_;
  std::int64_t next_id_ = 0;

  std::vector<Point> generation_;        // this generation's points, in ask order
  std::size_t generation_asked_ = 0;     // how many of them have been asked
  std::size_t generation_untold_ = 0;    // how many of them have no result yet
  std::map<std::int64_t, Asked> asked_;  // asked and not yet told, by id
  std::vector<Evaluation> told_;         // results told since the last selection
  std::vector<Parent> parents_;          // in id order
  std::vector<Point> extras_;            // bred for asynchronous asks, not yet asked
  int generations_selected_ = 0;         // also the number of the current generation
};

}  // namespace lathe::search
