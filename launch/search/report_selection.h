// What report.html picks out of a search before drawing it: the smallest feasible model
// under each accuracy-drop limit, and how the search progressed over time. Plain data, so
// the choices are tested apart from the HTML.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "search/evaluation_record.h"

namespace lathe::search {

// Validation accuracy a candidate may not fall below under the experiment's own limit:
// base accuracy - max_accuracy_drop; NaN when the experiment has no accuracy limit or the
// base's accuracy is unknown.
double accuracy_floor(const SearchOutcome& outcome);

// The smallest feasible evaluation whose validation accuracy is at most `max_drop` below
// the base's (negative: no limit); ties go to the higher accuracy, then the lower id.
// Null when there is none.
const EvaluationRecord* smallest_feasible_within_drop(const SearchOutcome& outcome, double max_drop);

struct AccuracyLimitChoice {
  double max_drop = -1.0;                  // fraction; negative: no accuracy limit
  bool experiment_limit = false;           // this is (also) the experiment's own limit
  const EvaluationRecord* best = nullptr;  // smallest feasible within it; null when none
};

// For drops of 0.5, 1 and 2 points and the experiment's own limit (in increasing order,
// the experiment's merged into an equal one; "no limit" last), the smallest feasible
// evaluation whose validation accuracy is at most that far below the base's. Ties go to
// the higher accuracy, then the lower id. With an unknown base accuracy only the "no
// limit" row can have a choice.
std::vector<AccuracyLimitChoice> best_per_accuracy_limit(const SearchOutcome& outcome);

struct ProgressStep {
  double seconds = 0.0;        // finished_seconds of this step's evaluation (NaN: unknown)
  std::int64_t best_size = 0;  // smallest feasible stored size so far (0: none yet)
  std::int64_t feasible = 0;   // feasible evaluations so far
  std::int64_t finished = 0;   // evaluations so far
};

// One step per evaluation, in order of finished_seconds (ids break ties, unknown times
// last): the running best size among feasible evaluations (feasibility includes the
// experiment's accuracy limit) and the running feasible count.
std::vector<ProgressStep> progress_over_time(const SearchOutcome& outcome);

}  // namespace lathe::search
