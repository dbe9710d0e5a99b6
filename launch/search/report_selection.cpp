#include "search/report_selection.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lathe::search {
namespace {

bool smaller_then_better(const EvaluationRecord& a, const EvaluationRecord& b) {
  if (a.metrics.size_bytes != b.metrics.size_bytes) return a.metrics.size_bytes < b.metrics.size_bytes;
  const double accuracy_a = std::isnan(a.metrics.validation_accuracy) ? -1.0 : a.metrics.validation_accuracy;
  const double accuracy_b = std::isnan(b.metrics.validation_accuracy) ? -1.0 : b.metrics.validation_accuracy;
  if (accuracy_a != accuracy_b) return accuracy_a > accuracy_b;
  return a.id < b.id;
}

bool within_drop(const EvaluationRecord& record, double base_accuracy, double max_drop) {
  if (max_drop < 0.0) return true;
  // NaN on either side fails: an unmeasured accuracy is not within any limit.
  return base_accuracy - record.metrics.validation_accuracy <= max_drop + 1e-12;
}

}  // namespace

double accuracy_floor(const SearchOutcome& outcome) {
  const double drop = outcome.constraints.max_accuracy_drop;
  if (drop < 0.0 || !std::isfinite(outcome.base.validation_accuracy)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return outcome.base.validation_accuracy - drop;
}

const EvaluationRecord* smallest_feasible_within_drop(const SearchOutcome& outcome, double max_drop) {
  const EvaluationRecord* best = nullptr;
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (!record.feasible || !within_drop(record, outcome.base.validation_accuracy, max_drop)) continue;
    if (best == nullptr || smaller_then_better(record, *best)) best = &record;
  }
  return best;
}

std::vector<AccuracyLimitChoice> best_per_accuracy_limit(const SearchOutcome& outcome) {
  std::vector<AccuracyLimitChoice> choices;
  for (const double drop : {0.005, 0.01, 0.02}) choices.push_back({drop, false, nullptr});
  const double own = outcome.constraints.max_accuracy_drop;
  const auto same = std::find_if(choices.begin(), choices.end(), [&](const AccuracyLimitChoice& c) {
    return std::fabs(c.max_drop - own) < 1e-9;
  });
  if (same != choices.end()) {
    same->experiment_limit = true;
  } else {
    choices.push_back({own < 0.0 ? -1.0 : own, true, nullptr});
  }
  // Increasing limits, with "no limit" (negative) last.
  std::stable_sort(
      choices.begin(), choices.end(), [](const AccuracyLimitChoice& a, const AccuracyLimitChoice& b) {
        const double key_a = a.max_drop < 0.0 ? std::numeric_limits<double>::infinity() : a.max_drop;
        const double key_b = b.max_drop < 0.0 ? std::numeric_limits<double>::infinity() : b.max_drop;
        return key_a < key_b;
      });
  for (AccuracyLimitChoice& choice : choices) choice.best = smallest_feasible_within_drop(outcome, choice.max_drop);
  return choices;
}

std::vector<ProgressStep> progress_over_time(const SearchOutcome& outcome) {
  std::vector<const EvaluationRecord*> order;
  order.reserve(outcome.evaluations.size());
  for (const EvaluationRecord& record : outcome.evaluations) order.push_back(&record);
  // An unknown finish time sorts last (and keeps the ordering strict).
  const auto when = [](const EvaluationRecord* record) {
    return std::isnan(record->finished_seconds) ? std::numeric_limits<double>::infinity()
                                                : record->finished_seconds;
  };
  std::stable_sort(order.begin(), order.end(), [&](const EvaluationRecord* a, const EvaluationRecord* b) {
    if (when(a) != when(b)) return when(a) < when(b);
    return a->id < b->id;
  });
  std::vector<ProgressStep> steps;
  ProgressStep state;
  for (const EvaluationRecord* record : order) {
    state.seconds = record->finished_seconds;
    ++state.finished;
    if (record->feasible) {
      ++state.feasible;
      const std::int64_t size = record->metrics.size_bytes;
      if (size > 0 && (state.best_size == 0 || size < state.best_size)) state.best_size = size;
    }
    steps.push_back(state);
  }
  return steps;
}

}  // namespace lathe::search
