#include "search/results_table.h"

#include <cmath>
#include <set>
#include <vector>

#include "core/error.h"
#include "recipe/json_text.h"
#include "search/csv_text.h"
#include "search/record_json.h"

namespace lathe::search {
namespace {

using recipe::json_number;
using recipe::json_string;

// The ids on the front, checked against the evaluations: a flag for an id that is not
// there would silently be lost.
std::set<std::int64_t> pareto_set(const SearchOutcome& outcome) {
  std::set<std::int64_t> ids;
  for (const EvaluationRecord& record : outcome.evaluations) ids.insert(record.id);
  for (const std::int64_t id : outcome.pareto_ids) {
    LATHE_CHECK(ids.count(id) > 0, "search results of '", outcome.experiment_name, "': pareto id ", id,
                ": expected the id of an evaluation, found none with it among ", outcome.evaluations.size());
  }
  return {outcome.pareto_ids.begin(), outcome.pareto_ids.end()};
}

std::string yes_no(bool value) { return value ? "yes" : "no"; }

// The K objective values of `record`, NaN where it has none (a failed evaluation).
std::vector<double> objective_values(const SearchOutcome& outcome, const EvaluationRecord& record) {
  const std::size_t k = outcome.objectives.size();
  if (record.objectives.empty()) return std::vector<double>(k, std::nan(""));
  LATHE_CHECK(record.objectives.size() == k, "search results of '", outcome.experiment_name, "': evaluation ",
              record.id, ": expected ", k, " objective values (or none), found ", record.objectives.size());
  return record.objectives;
}

}  // namespace

std::string results_csv(const SearchOutcome& outcome) {
  const std::set<std::int64_t> pareto = pareto_set(outcome);
  CsvLine header;
  header << "id" << "rung" << "status" << "feasible" << "pareto";
  for (const ObjectiveSpec& objective : outcome.objectives) header << csv_text("objective_" + objective.metric);
  header << "validation_loss" << "validation_accuracy" << "test_accuracy" << "size_bytes" << "parameter_count"
         << "macs" << "latency_batch1_ms" << "wall_seconds" << "rank" << "host" << "seed" << "recipe_hash"
         << "violated" << "message" << "point" << "artifact" << "continued_steps";
  std::string csv = header.text();
  for (const EvaluationRecord& r : outcome.evaluations) {
    const recipe::CandidateMetrics& m = r.metrics;
    CsvLine row;
    row << std::to_string(r.id) << std::to_string(r.rung) << recipe::status_name(m.status) << yes_no(r.feasible)
        << yes_no(pareto.count(r.id) > 0);
    for (const double value : objective_values(outcome, r)) row << csv_number(value);
    row << csv_number(m.validation_loss) << csv_number(m.validation_accuracy) << csv_number(m.test_accuracy)
        << std::to_string(m.size_bytes) << std::to_string(m.parameter_count) << std::to_string(m.macs)
        << csv_number(m.latency_batch1_ms) << csv_number(m.wall_seconds) << std::to_string(m.rank)
        << csv_text(m.host) << std::to_string(m.seed) << csv_text(m.recipe_hash) << csv_text(r.violated)
        << csv_text(m.message) << csv_text(r.point_json) << csv_text(r.artifact)
        << std::to_string(m.continued_steps);
    csv += row.text();
  }
  return csv;
}

std::string results_json(const SearchOutcome& outcome) {
  const std::set<std::int64_t> pareto = pareto_set(outcome);
  std::string objectives;
  for (const ObjectiveSpec& objective : outcome.objectives) {
    objectives += std::string(objectives.empty() ? "" : ", ") + "{\"metric\": " + json_string(objective.metric) +
                  ", \"goal\": " + (objective.maximize ? "\"maximize\"" : "\"minimize\"") + "}";
  }
  const recipe::TargetCondition& c = outcome.constraints;
  std::string json = "{\"experiment_name\": " + json_string(outcome.experiment_name) +
                     ", \"experiment_path\": " + json_string(outcome.experiment_path) +
                     ", \"experiment_yaml\": " + json_string(outcome.experiment_yaml) +
                     ", \"strategy\": " + json_string(outcome.strategy) + ", \"mode\": " + json_string(outcome.mode) +
                     ", \"budget_evaluations\": " + std::to_string(outcome.budget_evaluations) +
                     ", \"elapsed_seconds\": " + json_number(outcome.elapsed_seconds) + ",\n\"objectives\": [" +
                     objectives + "],\n\"constraints\": {\"max_size_bytes\": " + std::to_string(c.max_size_bytes) +
                     ", \"max_accuracy_drop\": " + json_number(c.max_accuracy_drop) +
                     ", \"max_macs\": " + std::to_string(c.max_macs) +
                     ", \"max_latency_ms\": " + json_number(c.max_latency_ms) +
                     "},\n\"base\": " + recipe::metrics_to_json(outcome.base) + ",\n\"evaluations\": [";
  for (std::size_t i = 0; i < outcome.evaluations.size(); ++i) {
    const EvaluationRecord& record = outcome.evaluations[i];
    // record_to_json is one object: the flag goes in right after its opening brace.
    json += std::string(i == 0 ? "\n" : ",\n") + "{\"pareto\": " + (pareto.count(record.id) > 0 ? "true" : "false") +
            ", " + record_to_json(record).substr(1);
  }
  json += "],\n\"pareto_ids\": [";
  for (std::size_t i = 0; i < outcome.pareto_ids.size(); ++i) {
    json += (i == 0 ? "" : ", ") + std::to_string(outcome.pareto_ids[i]);
  }
  return json + "]}\n";
}

}  // namespace lathe::search
