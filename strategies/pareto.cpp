#include "strategies/pareto.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"

namespace lathe::search {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

bool has_usable_objectives(const Evaluation& e) {
  return e.completed && !e.objectives.empty() &&
         std::none_of(e.objectives.begin(), e.objectives.end(),
                      [](double value) { return std::isnan(value); });
}

// Indices of the feasible evaluations sorted by objective vector, ties by index: anything
// that dominates a point (or repeats it) comes before it in this order.
std::vector<std::size_t> feasible_in_lexicographic_order(
    const std::vector<Evaluation>& evaluations) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    if (is_feasible(evaluations[i])) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return evaluations[a].objectives < evaluations[b].objectives;
  });
  return order;
}

bool weakly_dominates(const std::vector<double>& a, const std::vector<double>& b) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
  }
  return true;
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b) {
  LATHE_CHECK(a.size() == b.size(), "pareto: cannot compare ", a.size(), " objectives with ",
              b.size());
  bool better_somewhere = false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) better_somewhere = true;
  }
  return better_somewhere;
}

double effective_violation(const Evaluation& evaluation) {
  if (!has_usable_objectives(evaluation) || std::isnan(evaluation.constraint_violation)) {
    return infinity;
  }
  return std::max(evaluation.constraint_violation, 0.0);
}

bool is_feasible(const Evaluation& evaluation) { return effective_violation(evaluation) == 0.0; }

bool constraint_dominates(const Evaluation& a, const Evaluation& b) {
  const double va = effective_violation(a);
  const double vb = effective_violation(b);
  if (va == 0.0 && vb == 0.0) return dominates(a.objectives, b.objectives);
  return va < vb;
}

std::vector<std::vector<std::size_t>> non_dominated_fronts(
    const std::vector<Evaluation>& evaluations) {
  const std::size_t n = evaluations.size();
  std::vector<std::vector<std::size_t>> dominated_by(n);  // i -> the indices i dominates
  std::vector<std::size_t> domination_count(n, 0);        // how many dominate i
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      if (constraint_dominates(evaluations[i], evaluations[j])) {
        dominated_by[i].push_back(j);
        ++domination_count[j];
      } else if (constraint_dominates(evaluations[j], evaluations[i])) {
        dominated_by[j].push_back(i);
        ++domination_count[i];
      }
    }
  }
  std::vector<std::vector<std::size_t>> fronts;
  std::vector<std::size_t> current;
  for (std::size_t i = 0; i < n; ++i) {
    if (domination_count[i] == 0) current.push_back(i);
  }
  while (!current.empty()) {
    std::vector<std::size_t> next;
    for (const std::size_t i : current) {
      for (const std::size_t j : dominated_by[i]) {
        if (--domination_count[j] == 0) next.push_back(j);
      }
    }
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(current));
    current = std::move(next);
  }
  return fronts;
}

std::vector<double> crowding_distances(const std::vector<Evaluation>& evaluations,
                                       const std::vector<std::size_t>& front) {
  std::vector<double> distance(front.size(), 0.0);
  std::vector<std::size_t> members;  // positions in `front` of the members with objectives
  for (std::size_t p = 0; p < front.size(); ++p) {
    if (has_usable_objectives(evaluations[front[p]])) members.push_back(p);
  }
  if (members.empty()) return distance;
  const std::size_t objective_count = evaluations[front[members.front()]].objectives.size();
  for (const std::size_t p : members) {
    LATHE_CHECK(evaluations[front[p]].objectives.size() == objective_count,
                "pareto: crowding: evaluation ", evaluations[front[p]].id, " has ",
                evaluations[front[p]].objectives.size(), " objectives, expected ", objective_count);
  }
  for (std::size_t k = 0; k < objective_count; ++k) {
    auto value = [&](std::size_t p) { return evaluations[front[p]].objectives[k]; };
    std::vector<std::size_t> order = members;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    distance[order.front()] = infinity;
    distance[order.back()] = infinity;
    const double range = value(order.back()) - value(order.front());
    // A flat (or unbounded) objective says nothing about how crowded a member is.
    if (!(range > 0.0) || !std::isfinite(range)) continue;
    for (std::size_t r = 1; r + 1 < order.size(); ++r) {
      distance[order[r]] += (value(order[r + 1]) - value(order[r - 1])) / range;
    }
  }
  return distance;
}

std::vector<std::size_t> pareto_front(const std::vector<Evaluation>& evaluations) {
  const std::vector<std::size_t> order = feasible_in_lexicographic_order(evaluations);
  std::vector<std::size_t> front;
  if (order.empty()) return front;
  const std::size_t objective_count = evaluations[order.front()].objectives.size();
  for (const std::size_t i : order) {
    LATHE_CHECK(evaluations[i].objectives.size() == objective_count, "pareto: evaluation ",
                evaluations[i].id, " has ", evaluations[i].objectives.size(),
                " objectives, expected ", objective_count);
  }
  // Only points earlier in lexicographic order can dominate or repeat a point, so each one
  // is checked against the front kept so far. With two objectives the last kept point,
  // which has the smallest second objective so far, is the only one to check.
  double smallest_second = infinity;
  for (const std::size_t i : order) {
    const std::vector<double>& f = evaluations[i].objectives;
    bool kept;
    if (objective_count == 2) {
      kept = front.empty() || f[1] < smallest_second;
      if (kept) smallest_second = f[1];
    } else {
      kept = std::none_of(front.begin(), front.end(), [&](std::size_t j) {
        return weakly_dominates(evaluations[j].objectives, f);
      });
    }
    if (kept) front.push_back(i);
  }
  std::sort(front.begin(), front.end());
  return front;
}

}  // namespace lathe::search
