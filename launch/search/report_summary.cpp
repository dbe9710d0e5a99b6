#include "search/report_summary.h"

#include <algorithm>
#include <cmath>

#include "search/report_format.h"
#include "search/report_selection.h"

namespace lathe::search {
namespace {

std::string tile(const std::string& label, const std::string& value) {
  return "<div class=\"tile\"><div class=\"label\">" + html_escape(label) + "</div><div class=\"value\">" +
         html_escape(value) + "</div></div>";
}

std::string describe_objectives(const SearchOutcome& outcome) {
  if (outcome.objectives.empty()) return "none";
  std::string text;
  for (const ObjectiveSpec& objective : outcome.objectives) {
    if (!text.empty()) text += ", ";
    text += (objective.maximize ? "maximize " : "minimize ") + objective.metric;
  }
  return text;
}

std::string describe_constraints(const recipe::TargetCondition& target) {
  std::vector<std::string> parts;
  if (target.max_size_bytes > 0)
    parts.push_back("stored size ≤ " + format_bytes(static_cast<double>(target.max_size_bytes)));
  if (target.max_accuracy_drop >= 0.0) {
    parts.push_back("validation accuracy drop ≤ " + format_fixed(100.0 * target.max_accuracy_drop, 2) +
                    " pt");
  }
  if (target.max_macs > 0) parts.push_back("MACs ≤ " + format_count(target.max_macs));
  if (target.max_latency_ms > 0.0)
    parts.push_back("batch-1 latency ≤ " + format_number(target.max_latency_ms) + " ms");
  if (parts.empty()) return "none";
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

std::string limit_name(const AccuracyLimitChoice& choice) {
  std::string name = choice.max_drop < 0.0 ? "no accuracy limit"
                                           : "drop ≤ " + format_fixed(100.0 * choice.max_drop, 2) + " pt";
  return choice.experiment_limit ? name + " (the experiment's)" : name;
}

}  // namespace

std::string render_report_header(const SearchOutcome& outcome) {
  const auto feasible = std::count_if(outcome.evaluations.begin(), outcome.evaluations.end(),
                                      [](const EvaluationRecord& record) { return record.feasible; });
  const auto done = static_cast<std::int64_t>(outcome.evaluations.size());
  std::string evaluations = format_count(done);
  if (outcome.budget_evaluations > 0) evaluations += " / " + format_count(outcome.budget_evaluations);

  std::string html = "<header><h1>" +
                     html_escape(outcome.experiment_name.empty() ? "Search" : outcome.experiment_name) +
                     "</h1>";
  if (!outcome.experiment_path.empty())
    html += "<div class=\"path\">" + html_escape(outcome.experiment_path) + "</div>";
  html += "<div class=\"tiles\">";
  html += tile("strategy", outcome.strategy.empty() ? "—" : outcome.strategy);
  html += tile("mode", outcome.mode.empty() ? "—" : outcome.mode);
  html += tile("evaluations", evaluations);
  html += tile("feasible", format_count(feasible));
  html += tile("Pareto front", format_count(static_cast<std::int64_t>(outcome.pareto_ids.size())));
  html += tile("elapsed", format_duration(outcome.elapsed_seconds));
  html += tile("base size", format_bytes(static_cast<double>(outcome.base.size_bytes)));
  html += tile("base val. acc.", format_percent(outcome.base.validation_accuracy));
  html += "</div>";
  html += "<p class=\"facts\"><b>Objectives:</b> " + html_escape(describe_objectives(outcome)) +
          " &nbsp;·&nbsp; <b>Constraints:</b> " + html_escape(describe_constraints(outcome.constraints)) +
          "</p>";
  return html + "</header>";
}

std::string render_best_per_limit(const SearchOutcome& outcome) {
  std::string html =
      "<table class=\"best\"><thead><tr><th>accuracy limit</th><th>id</th><th class=\"num\">stored size</th>"
      "<th class=\"num\">ratio</th><th class=\"num\">val. accuracy</th><th class=\"num\">drop</th>"
      "<th>artifact</th></tr></thead><tbody>";
  for (const AccuracyLimitChoice& choice : best_per_accuracy_limit(outcome)) {
    html += "<tr><td>" + html_escape(limit_name(choice)) + "</td>";
    if (choice.best == nullptr) {
      html += "<td colspan=\"6\" class=\"note\">no feasible evaluation within it</td></tr>";
      continue;
    }
    const EvaluationRecord& best = *choice.best;
    const std::string id = std::to_string(best.id);
    html += "<td><a href=\"#eval-" + id + "\">#" + id + "</a></td>";
    html += "<td class=\"num\">" + format_bytes(static_cast<double>(best.metrics.size_bytes)) + "</td>";
    html += "<td class=\"num\">" + format_ratio(outcome.base.size_bytes, best.metrics.size_bytes) + "</td>";
    html += "<td class=\"num\">" + format_percent(best.metrics.validation_accuracy) + "</td>";
    const double drop = outcome.base.validation_accuracy - best.metrics.validation_accuracy;
    html +=
        "<td class=\"num\">" + (std::isfinite(drop) ? format_fixed(100.0 * drop, 2) + " pt" : "—") + "</td>";
    html += "<td><code>" + (best.artifact.empty() ? std::string("—") : html_escape(best.artifact)) +
            "</code></td></tr>";
  }
  return html + "</tbody></table>";
}

}  // namespace lathe::search
