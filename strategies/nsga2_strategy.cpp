#include "strategies/nsga2_strategy.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "strategies/pareto.h"
#include "strategies/strategy_checks.h"

namespace lathe::search {
namespace {

VariationSettings variation_from(const StrategySettings& s, std::size_t dimensions) {
  LATHE_CHECK(s.crossover_probability >= 0.0 && s.crossover_probability <= 1.0,
              "nsga2: crossover_probability: expected a probability in [0, 1], found ",
              s.crossover_probability);
  LATHE_CHECK(s.mutation_probability <= 1.0,
              "nsga2: mutation_probability: expected a probability in [0, 1] (or negative for 1 / "
              "dimensions), found ",
              s.mutation_probability);
  VariationSettings variation;
  variation.crossover_probability = s.crossover_probability;
  variation.mutation_probability =
      s.mutation_probability < 0.0 ? 1.0 / static_cast<double>(dimensions) : s.mutation_probability;
  return variation;
}

}  // namespace

Nsga2Strategy::Nsga2Strategy(SearchSpace space, int objective_count,
                             const StrategySettings& settings)
    : space_(std::move(space)),
      objective_count_(static_cast<std::size_t>(std::max(objective_count, 0))),
      population_(static_cast<std::size_t>(std::max(settings.population, 0))),
      asynchronous_(settings.asynchronous),
      rng_(settings.seed) {
  check_strategy_inputs("nsga2", space_, settings.initial_points);
  LATHE_CHECK(objective_count >= 1, "nsga2: expected at least one objective, found ",
              objective_count);
  LATHE_CHECK(settings.population >= 2, "nsga2: population: expected at least 2, found ",
              settings.population);
  variation_ = variation_from(settings, space_.dimensions.size());
  std::vector<Point> first = settings.initial_points;
  while (first.size() < population_) first.push_back(sample_point(space_, rng_));
  start_generation(std::move(first));
}

std::vector<Evaluation> Nsga2Strategy::parents() const {
  std::vector<Evaluation> evaluations;
  for (const Parent& parent : parents_) evaluations.push_back(parent.evaluation);
  return evaluations;
}

std::vector<Candidate> Nsga2Strategy::ask(int count) {
  std::vector<Candidate> candidates;
  for (int i = 0; i < count; ++i) {
    Asked asked;
    if (generation_asked_ < generation_.size()) {
      asked.point = generation_[generation_asked_++];
      asked.generation = generations_selected_;
    } else if (asynchronous_) {
      asked.point = next_extra();
    } else {
      break;  // the generation must be told before the next one can be bred
    }
    Candidate candidate;
    candidate.id = next_id_++;
    candidate.point = asked.point;
    asked_.emplace(candidate.id, std::move(asked));
    candidates.push_back(std::move(candidate));
  }
  return candidates;
}

void Nsga2Strategy::tell(const Evaluation& evaluation) {
  check_told_id("nsga2", evaluation.id, next_id_);
  const auto found = asked_.find(evaluation.id);
  check_told_result("nsga2", evaluation, found != asked_.end(), objective_count_);
  Evaluation result = evaluation;
  result.point = found->second.point;  // the point as asked, whatever the caller sends back
  if (found->second.generation == generations_selected_) --generation_untold_;
  asked_.erase(found);
  told_.push_back(std::move(result));
  const bool generation_told = generation_untold_ == 0;
  const bool enough_results = asynchronous_ && told_.size() >= generation_.size();
  if (generation_told || enough_results) {
    select();
    start_generation(breed(population_));
  }
}

void Nsga2Strategy::start_generation(std::vector<Point> points) {
  generation_ = std::move(points);
  generation_asked_ = 0;
  generation_untold_ = generation_.size();
}

void Nsga2Strategy::select() {
  std::vector<Evaluation> combined;
  for (Parent& parent : parents_) combined.push_back(std::move(parent.evaluation));
  for (Evaluation& evaluation : told_) combined.push_back(std::move(evaluation));
  told_.clear();
  // Id order: the selection must not depend on the order results were told.
  std::sort(combined.begin(), combined.end(),
            [](const Evaluation& a, const Evaluation& b) { return a.id < b.id; });

  std::vector<Parent> survivors;
  const std::vector<std::vector<std::size_t>> fronts = non_dominated_fronts(combined);
  for (std::size_t rank = 0; rank < fronts.size() && survivors.size() < population_; ++rank) {
    const std::vector<std::size_t>& front = fronts[rank];
    const std::vector<double> crowding = crowding_distances(combined, front);
    std::vector<std::size_t> order(front.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (survivors.size() + front.size() > population_) {
      // The last front that fits only in part: its least crowded members, ties by id.
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return crowding[a] > crowding[b]; });
      order.resize(population_ - survivors.size());
    }
    for (const std::size_t p : order) {
      survivors.push_back({combined[front[p]], rank, crowding[p]});
    }
  }
  std::sort(survivors.begin(), survivors.end(),
            [](const Parent& a, const Parent& b) { return a.evaluation.id < b.evaluation.id; });
  parents_ = std::move(survivors);
  extras_.clear();  // bred from the parents just replaced
  ++generations_selected_;
}

const Nsga2Strategy::Parent& Nsga2Strategy::tournament() {
  const std::size_t n = parents_.size();
  const std::size_t i = rng_.below(n);
  // Two different parents when there are two to choose from.
  const std::size_t j = n > 1 ? (i + 1 + rng_.below(n - 1)) % n : i;
  const Parent& a = parents_[std::min(i, j)];
  const Parent& b = parents_[std::max(i, j)];
  if (a.rank != b.rank) return a.rank < b.rank ? a : b;
  return b.crowding > a.crowding ? b : a;
}

std::vector<Point> Nsga2Strategy::breed(std::size_t count) {
  std::vector<Point> children;
  while (children.size() < count) {
    const Point& a = tournament().evaluation.point;
    const Point& b = tournament().evaluation.point;
    auto [first, second] = make_children(space_, a, b, variation_, rng_);
    children.push_back(std::move(first));
    if (children.size() < count) children.push_back(std::move(second));
  }
  return children;
}

Point Nsga2Strategy::next_extra() {
  if (parents_.empty()) return sample_point(space_, rng_);
  if (extras_.empty()) {
    extras_ = breed(2);
    std::reverse(extras_.begin(), extras_.end());  // handed out from the back, in bred order
  }
  Point point = std::move(extras_.back());
  extras_.pop_back();
  return point;
}

}  // namespace lathe::search
