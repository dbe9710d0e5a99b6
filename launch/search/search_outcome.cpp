#include "search/search_outcome.h"

#include <algorithm>
#include <cmath>

#include "search/ablation_round_recipe.h"
#include "strategies/pareto.h"
#include "strategies/search_space.h"

namespace lathe::search {
namespace {

// How far a candidate is from meeting the constraints, each limit's overshoot relative to
// the limit (accuracy in points): 0 when it meets them all.
double violation_amount(const recipe::TargetCondition& target, const recipe::CandidateMetrics& base,
                        const recipe::CandidateMetrics& m, bool compress) {
  double amount = 0.0;
  const auto relative = [](double value, double limit) { return std::max(0.0, value / limit - 1.0); };
  if (target.max_size_bytes > 0) {
    amount += relative(static_cast<double>(m.size_bytes), static_cast<double>(target.max_size_bytes));
  }
  if (target.max_accuracy_drop >= 0.0) {
    const double drop = base.validation_accuracy - m.validation_accuracy;
    amount += std::isfinite(drop) ? std::max(0.0, 100.0 * (drop - target.max_accuracy_drop)) : 1e6;
  }
  if (target.max_macs > 0) {
    amount += relative(static_cast<double>(m.macs), static_cast<double>(target.max_macs));
  }
  if (target.max_latency_ms > 0.0) {
    amount += std::isfinite(m.latency_batch1_ms) ? relative(m.latency_batch1_ms, target.max_latency_ms) : 1e6;
  }
  if (compress && base.size_bytes > 0 && m.size_bytes >= base.size_bytes) {
    amount += relative(static_cast<double>(m.size_bytes) + 1.0, static_cast<double>(base.size_bytes));
  }
  return amount;
}

}  // namespace

void judge_record(const Experiment& experiment, const recipe::CandidateMetrics& base,
                  EvaluationRecord& record) {
  record.objectives.clear();
  for (const ObjectiveSpec& objective : experiment.objectives) {
    record.objectives.push_back(record.metrics.status == recipe::CandidateStatus::ok
                                    ? metric_value(record.metrics, objective.metric)
                                    : std::nan(""));
  }
  record.violated = recipe::unmet_conditions(experiment.file.constraints, base, record.metrics);
  const auto also_violates = [&](const char* reason) {
    record.violated += (record.violated.empty() ? "" : "; ") + std::string(reason);
  };
  // "Really smaller": a compressed model no smaller than the base is never a result.
  if (experiment.file.kind == "compress" && record.metrics.status == recipe::CandidateStatus::ok &&
      base.size_bytes > 0 &&
      record.metrics.size_bytes >= base.size_bytes) {
    also_violates("not smaller than the base");
  }
  // An ablation-greedy scoring candidate measured its start model, already recorded.
  if (is_scoring_recipe(record.recipe_yaml)) {
    also_violates("scores ablation groups (not a model of its own)");
  }
  record.feasible = record.metrics.status == recipe::CandidateStatus::ok && record.violated.empty();
}

Evaluation strategy_evaluation(const Experiment& experiment, const recipe::CandidateMetrics& base,
                               const EvaluationRecord& record, const Point& point) {
  Evaluation evaluation;
  evaluation.id = record.id;
  evaluation.point = point;
  evaluation.rung = record.rung;
  evaluation.completed = record.metrics.status == recipe::CandidateStatus::ok;
  for (std::size_t i = 0; i < experiment.objectives.size(); ++i) {
    const double value = metric_value(record.metrics, experiment.objectives[i].metric);
    if (!std::isfinite(value)) evaluation.completed = false;
    evaluation.objectives.push_back(experiment.objectives[i].maximize ? -value : value);
  }
  if (!evaluation.completed) {
    evaluation.objectives.clear();
    return evaluation;
  }
  evaluation.constraint_violation =
      violation_amount(experiment.file.constraints, base, record.metrics, experiment.file.kind == "compress");
  return evaluation;
}

SearchOutcome build_outcome(const Experiment& experiment, const SearchHistory& history) {
  SearchOutcome outcome;
  outcome.experiment_name = experiment.file.name;
  outcome.experiment_path = experiment.path;
  outcome.experiment_yaml = experiment.yaml_text;
  outcome.strategy = experiment.file.strategy.name;
  outcome.mode = experiment.file.mode;
  outcome.budget_evaluations = experiment.file.budget.evaluations;
  outcome.objectives = experiment.objectives;
  outcome.constraints = experiment.file.constraints;
  outcome.elapsed_seconds = history.elapsed_seconds;
  if (history.base) outcome.base = *history.base;
  std::vector<Evaluation> evaluations;
  for (const auto& [id, stored] : history.results) {
    EvaluationRecord record = stored;
    judge_record(experiment, outcome.base, record);
    evaluations.push_back(strategy_evaluation(experiment, outcome.base, record, {}));
    outcome.evaluations.push_back(std::move(record));
  }
  for (const std::size_t index : pareto_front(evaluations)) {
    outcome.pareto_ids.push_back(outcome.evaluations[index].id);
  }
  return outcome;
}

}  // namespace lathe::search
