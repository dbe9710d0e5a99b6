// What a search's records mean under its experiment: each result's objective values,
// feasibility (the hard constraints, and being smaller than the base) and the Pareto front;
// and the evaluation a strategy hears. Derived from the journal every time, never stored
// apart from it.
#pragma once

#include "search/experiment.h"
#include "search/search_history.h"
#include "strategies/search_space.h"

namespace lathe::search {

// Fills `record`'s objectives, feasible and violated from its metrics.
void judge_record(const Experiment& experiment, const recipe::CandidateMetrics& base,
                  EvaluationRecord& record);

// The strategy's view: objectives minimised (maximised ones negated), the normalised
// constraint violation, completed only when ok with finite objectives.
Evaluation strategy_evaluation(const Experiment& experiment, const recipe::CandidateMetrics& base,
                               const EvaluationRecord& record, const Point& point);

SearchOutcome build_outcome(const Experiment& experiment, const SearchHistory& history);

}  // namespace lathe::search
