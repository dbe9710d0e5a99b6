#include "strategies/promotion_ranking.h"

#include <algorithm>
#include <numeric>

#include "strategies/pareto.h"

namespace lathe::search {

std::vector<std::size_t> best_first(const std::vector<Evaluation>& evaluations) {
  std::vector<std::size_t> rank(evaluations.size(), 0);
  std::vector<double> crowding(evaluations.size(), 0.0);
  const std::vector<std::vector<std::size_t>> fronts = non_dominated_fronts(evaluations);
  for (std::size_t f = 0; f < fronts.size(); ++f) {
    const std::vector<double> distances = crowding_distances(evaluations, fronts[f]);
    for (std::size_t k = 0; k < fronts[f].size(); ++k) {
      rank[fronts[f][k]] = f;
      crowding[fronts[f][k]] = distances[k];
    }
  }
  std::vector<std::size_t> order(evaluations.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool a_done = evaluations[a].completed;
    const bool b_done = evaluations[b].completed;
    if (a_done != b_done) return a_done;
    if (rank[a] != rank[b]) return rank[a] < rank[b];
    if (crowding[a] != crowding[b]) return crowding[a] > crowding[b];
    return evaluations[a].id < evaluations[b].id;
  });
  return order;
}

std::vector<std::size_t> promoted(const std::vector<Evaluation>& evaluations, int eta) {
  const std::size_t completed = static_cast<std::size_t>(
      std::count_if(evaluations.begin(), evaluations.end(), [](const Evaluation& e) { return e.completed; }));
  if (completed == 0) return {};
  const std::size_t quota = std::max<std::size_t>(1, evaluations.size() / static_cast<std::size_t>(eta));
  std::vector<std::size_t> order = best_first(evaluations);
  order.resize(std::min(quota, completed));
  return order;
}

}  // namespace lathe::search
