// One evaluation of a search, as the journal stores it, results.h5 tables it and the
// report draws it: the candidate (id, point, recipe), what the evaluator measured, and
// what the experiment makes of it (objective values, feasibility).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recipe/fallback.h"
#include "recipe/metrics.h"

namespace lathe::search {

struct EvaluationRecord {
  std::int64_t id = -1;
  int rung = 0;                 // multi-fidelity level (0 for single-fidelity strategies)
  std::string point_json;       // the point by dimension name: {"prune.ratio": 0.5, ...}
  std::string recipe_yaml;      // the candidate's recipe, as the worker ran it
  recipe::CandidateMetrics metrics;  // status, message, values and provenance
  std::vector<double> objectives;    // the experiment's objectives as measured (not negated)
  bool feasible = false;        // status ok and every constraint holds
  std::string violated;         // the constraints it fails, readable ("" when feasible)
  double finished_seconds = 0.0;  // search time when its result was journaled (across resumes)
  std::string artifact;         // path of its artifact relative to the output folder ("" none)
};

struct ObjectiveSpec {
  std::string metric;  // a CandidateMetrics field: validation_loss, size_bytes, macs, ...
  bool maximize = false;
};

// Everything results.h5 and report.html are written from; derived from the journal.
struct SearchOutcome {
  std::string experiment_name;
  std::string experiment_path;
  std::string experiment_yaml;     // the experiment file as written
  std::string strategy;            // its name
  std::string mode;                // reproducible | asynchronous
  std::int64_t budget_evaluations = 0;
  std::vector<ObjectiveSpec> objectives;
  recipe::TargetCondition constraints;  // hard: infeasible points never enter the front
  recipe::CandidateMetrics base;   // the base model measured like the candidates
  std::vector<EvaluationRecord> evaluations;  // in id order
  std::vector<std::int64_t> pareto_ids;       // feasible, non-dominated, in id order
  double elapsed_seconds = 0.0;
};

// The metrics an objective may name, in the order --help lists them.
const std::vector<std::string>& objective_metric_names();
// The value of the metric `name` (one of objective_metric_names()) in `metrics`; throws
// lathe::Error for any other name.
double metric_value(const recipe::CandidateMetrics& metrics, const std::string& name);

}  // namespace lathe::search
