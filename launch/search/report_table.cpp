#include "search/report_table.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "search/report_format.h"

namespace lathe::search {
namespace {

constexpr double kUnknown = std::numeric_limits<double>::quiet_NaN();

// The raw value for sorting: "" (sorts last) when unknown.
std::string sort_value(double value) {
  if (!std::isfinite(value)) return "";
  char text[40];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

std::string number_cell(double sort_key, const std::string& shown) {
  return "<td class=\"num\" data-v=\"" + sort_value(sort_key) + "\">" + html_escape(shown) + "</td>";
}

std::string text_cell(const std::string& text, const std::string& css = "") {
  return "<td" + (css.empty() ? std::string() : " class=\"" + css + "\"") + ">" + html_escape(text) + "</td>";
}

// Counts print whole, fractions with four decimals, anything else with five digits.
std::string objective_text(const std::string& metric, double value) {
  if (!std::isfinite(value)) return format_number(value);
  if (metric == "size_bytes" || metric == "parameter_count" || metric == "macs") {
    return format_count(static_cast<std::int64_t>(std::llround(value)));
  }
  if (metric == "validation_accuracy" || metric == "validation_error") return format_fixed(value, 4);
  return format_number(value, 5);
}

// One column per objective; a record with fewer values than objectives shows dashes.
std::string objective_cells(const EvaluationRecord& record, const SearchOutcome& outcome) {
  std::string html;
  for (std::size_t i = 0; i < outcome.objectives.size(); ++i) {
    const double value = i < record.objectives.size() ? record.objectives[i] : kUnknown;
    html += number_cell(value, objective_text(outcome.objectives[i].metric, value));
  }
  return html;
}

// Metric names wrap after their underscores, so long ones do not widen the table.
std::string breakable(std::string name) {
  for (std::size_t at = name.find('_'); at != std::string::npos; at = name.find('_', at + 6))
    name.insert(at + 1, "<wbr>");
  return name;
}

std::string objective_headers(const SearchOutcome& outcome) {
  std::string html;
  for (const ObjectiveSpec& objective : outcome.objectives) {
    html += "<th class=\"num objective\" data-sort title=\"objective: " +
            std::string(objective.maximize ? "maximize" : "minimize") + "\">" +
            breakable(html_escape(objective.metric)) + (objective.maximize ? " ↑" : " ↓") + "</th>";
  }
  return html;
}

std::string message_cell(const EvaluationRecord& record) {
  std::string text = record.metrics.message;
  if (!record.violated.empty()) text += (text.empty() ? "" : "; ") + ("violates " + record.violated);
  return text_cell(text, "message");
}

std::string details_cell(const EvaluationRecord& record) {
  std::string html = "<td><details><summary>point &amp; recipe</summary>";
  html += "<div class=\"note\">point</div><pre>" +
          html_escape(record.point_json.empty() ? "{}" : record.point_json) + "</pre>";
  html += "<div class=\"note\">recipe</div><pre>" + html_escape(record.recipe_yaml) + "</pre>";
  html += "<div class=\"note\">seed " + std::to_string(record.metrics.seed) + " · recipe hash " +
          html_escape(record.metrics.recipe_hash.empty() ? "—" : record.metrics.recipe_hash) + " · rung " +
          std::to_string(record.rung) + " · artifact " +
          html_escape(record.artifact.empty() ? "—" : record.artifact) + "</div>";
  return html + "</details></td>";
}

std::string row(const EvaluationRecord& record, const SearchOutcome& outcome, bool on_front) {
  const recipe::CandidateMetrics& m = record.metrics;
  const bool ok = m.status == recipe::CandidateStatus::ok;
  const std::string id = std::to_string(record.id);
  std::string css = record.feasible ? "feasible" : "infeasible";
  if (on_front) css += " front";
  std::string html = "<tr id=\"eval-" + id + "\" class=\"" + css + "\">";
  html += "<td class=\"num\" data-v=\"" + id + "\">" + id + "</td>";
  html += std::string("<td><span class=\"badge ") + (ok ? "ok" : "bad") + "\">" +
          recipe::status_name(m.status) + "</span></td>";
  html +=
      "<td data-v=\"" + std::string(record.feasible ? "1" : "0") + "\">" +
      (record.feasible ? std::string(on_front ? "<span class=\"badge front\">front</span>" : "yes") : "no") +
      "</td>";
  html += objective_cells(record, outcome);
  html += number_cell(m.validation_accuracy, format_percent(m.validation_accuracy));
  html += number_cell(m.test_accuracy, format_percent(m.test_accuracy));
  html += number_cell(m.size_bytes > 0 ? static_cast<double>(m.size_bytes) : kUnknown,
                      m.size_bytes > 0 ? format_count(m.size_bytes) : "—");
  const double ratio = outcome.base.size_bytes > 0 && m.size_bytes > 0
                           ? static_cast<double>(outcome.base.size_bytes) / static_cast<double>(m.size_bytes)
                           : kUnknown;
  html += number_cell(ratio, format_ratio(outcome.base.size_bytes, m.size_bytes));
  html += number_cell(m.macs > 0 ? static_cast<double>(m.macs) : kUnknown,
                      m.macs > 0 ? format_count(m.macs) : "—");
  html += number_cell(m.wall_seconds, format_duration(m.wall_seconds));
  html += number_cell(m.rank >= 0 ? m.rank : kUnknown, m.rank >= 0 ? std::to_string(m.rank) : "—");
  html += text_cell(m.host.empty() ? "—" : m.host);
  html += message_cell(record);
  html += details_cell(record);
  return html + "</tr>";
}

}  // namespace

std::string render_evaluation_table(const SearchOutcome& outcome) {
  if (outcome.evaluations.empty()) return "<p class=\"note\">No evaluations yet.</p>";
  const std::set<std::int64_t> front(outcome.pareto_ids.begin(), outcome.pareto_ids.end());
  std::string html =
      "<div class=\"scroll\"><table class=\"evaluations sortable\"><thead><tr>"
      "<th class=\"num\" data-sort>id</th><th data-sort>status</th><th data-sort>feasible</th>" +
      objective_headers(outcome) +
      "<th class=\"num\" data-sort>val. acc.</th><th class=\"num\" data-sort>test acc.</th>"
      "<th class=\"num\" data-sort>bytes</th><th class=\"num\" data-sort>ratio</th>"
      "<th class=\"num\" data-sort>MACs</th><th class=\"num\" data-sort>time</th>"
      "<th class=\"num\" data-sort>rank</th><th data-sort>host</th><th>message</th><th>point / recipe</th>"
      "</tr></thead><tbody>";
  for (const EvaluationRecord& record : outcome.evaluations)
    html += row(record, outcome, front.count(record.id) != 0);
  return html + "</tbody></table></div>";
}

}  // namespace lathe::search
