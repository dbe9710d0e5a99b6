#include "cli/search_point.h"

#include <cstdio>

#include "cli/search_setup.h"
#include "core/error.h"
#include "recipe/json_text.h"
#include "search/protocol.h"
#include "search/recipe_candidate_runner.h"
#include "search/record_json.h"
#include "search/search_outcome.h"

namespace lathe::cli {

int evaluate_one_point(const search::Experiment& experiment, const std::string& point_json, std::int64_t id) {
  const search::Point point = search::point_from_json(experiment.space.space(), point_json, "--point");
  search::RunnerSettings settings = runner_settings(experiment, 1, false);
  settings.output_dir.clear();
  const auto runner_owner = make_runner(experiment, settings);
  search::CandidateRunner& runner = *runner_owner;
  search::Task base_task;
  base_task.id = search::kBaseTaskId;
  const search::TaskResult base = runner.run(base_task);
  LATHE_CHECK(base.metrics.status == recipe::CandidateStatus::ok, experiment.file.base,
              ": measuring the base failed: ", base.metrics.message);
  search::Task task;
  task.id = id;
  task.seed = search::candidate_seed(static_cast<std::uint64_t>(experiment.file.seed), id);
  task.recipe_yaml = experiment.space.recipe_yaml(point);
  task.time_limit_seconds = experiment.file.candidate.time_limit_seconds;
  search::EvaluationRecord record;
  record.id = id;
  record.point_json = search::point_to_json(experiment.space.space(), point);
  record.recipe_yaml = task.recipe_yaml;
  record.metrics = runner.run(task).metrics;
  record.metrics.candidate_id = id;
  search::judge_record(experiment, base.metrics, record);
  std::printf("{\"base\": %s, \"record\": %s}\n", recipe::metrics_to_json(base.metrics).c_str(),
              search::record_to_json(record).c_str());
  return 0;
}

std::string dimensions_json(const search::Experiment& experiment) {
  std::string out = "[";
  for (const search::Dimension& d : experiment.space.space().dimensions) {
    out += out.size() > 1 ? ", " : "";
    out += "{\"name\": " + recipe::json_string(d.name) + ", \"kind\": ";
    switch (d.kind) {
      case search::Dimension::Kind::categorical: {
        out += "\"categorical\", \"choices\": [";
        for (std::size_t c = 0; c < d.choices.size(); ++c) out += (c ? ", " : "") + recipe::json_string(d.choices[c]);
        out += "]}";
        continue;
      }
      case search::Dimension::Kind::integer: out += "\"integer\""; break;
      case search::Dimension::Kind::real: out += "\"real\""; break;
      case search::Dimension::Kind::log_real: out += "\"log_real\""; break;
    }
    char bounds[96];
    std::snprintf(bounds, sizeof bounds, ", \"low\": %.17g, \"high\": %.17g}", d.low, d.high);
    out += bounds;
  }
  return out + "]";
}

}  // namespace lathe::cli
