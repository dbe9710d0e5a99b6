#include "campaign/summary_html.h"

#include <cmath>
#include <map>
#include <utility>

#include "campaign/summary_plot.h"
#include "search/report_format.h"
#include "search/report_style.h"
#include "strategies/number_text.h"

namespace lathe::campaign {
namespace {

using search::format_bytes;
using search::format_duration;
using search::format_number;
using search::html_escape;

const char* kExtraStyle = R"CSS(
.chart .strategy-point { fill: var(--front); stroke: #7a2e00; stroke-width: 1.5; }
.chart .seed-point { fill: var(--feasible); fill-opacity: .6; stroke: #364fc7; stroke-width: 1; }
.chart .spread { stroke: #7a2e00; stroke-width: 2; }
td.state-finished { color: #116329; }
td.state-started { color: #953800; }
)CSS";

std::string tile(const std::string& label, const std::string& value) {
  return "<div class=\"tile\"><div class=\"label\">" + html_escape(label) + "</div><div class=\"value\">" +
         html_escape(value) + "</div></div>";
}

// A numeric cell: `sort` is what a click on the header sorts by ("" sorts last).
std::string num(double sort, const std::string& shown) {
  return "<td class=\"num\" data-v=\"" + (std::isfinite(sort) ? search::exact_number(sort) : std::string()) + "\">" +
         html_escape(shown) + "</td>";
}

std::string text(const std::string& value, const std::string& css = "") {
  return "<td" + (css.empty() ? std::string() : " class=\"" + css + "\"") + ">" + html_escape(value) + "</td>";
}

std::string drop_name(double drop) { return "drop ≤ " + search::format_fixed(100.0 * drop, 2) + " pt"; }

std::string spread_text(const Spread& spread) {
  if (spread.count == 0) return "—";
  return format_number(spread.mean, 4) + " ± " + format_number(spread.deviation, 2) + " [" +
         format_number(spread.min, 4) + " – " + format_number(spread.max, 4) + "]";
}

std::string best_text(const Spread& best, int finished) {
  if (finished == 0) return "—";
  if (best.count == 0) return "none (0/" + std::to_string(finished) + ")";
  return format_bytes(best.mean) + " [" + format_bytes(best.min) + " – " + format_bytes(best.max) + "] (" +
         std::to_string(best.count) + "/" + std::to_string(finished) + ")";
}

std::string headers(const std::vector<std::string>& names) {
  std::string html = "<thead><tr>";
  for (const std::string& name : names) html += "<th data-sort>" + html_escape(name) + "</th>";
  return html + "</tr></thead>";
}

std::string strategy_table(const std::vector<const GroupSummary*>& groups, const std::vector<double>& drops) {
  std::vector<std::string> names{"strategy", "finished", "hypervolume: mean ± deviation [least – largest]"};
  for (const double drop : drops) names.push_back("smallest, " + drop_name(drop));
  names.insert(names.end(), {"evaluations", "evaluations / hour", "search time (mean)"});
  std::string html = "<div class=\"scroll\"><table class=\"sortable strategies\">" + headers(names) + "<tbody>";
  for (const GroupSummary* group : groups) {
    html += "<tr class=\"strategy-row\">" + text(group->strategy) +
            num(group->finished, std::to_string(group->finished) + " / " + std::to_string(group->tasks)) +
            num(group->hypervolume.mean, spread_text(group->hypervolume));
    for (const Spread& best : group->best_size_bytes) {
      html += num(best.count > 0 ? best.mean : NAN, best_text(best, group->finished));
    }
    html += num(group->evaluations.mean, group->finished ? format_number(group->evaluations.mean, 4) : "—") +
            num(group->evaluations_per_hour.mean,
                group->finished ? format_number(group->evaluations_per_hour.mean, 4) : "—") +
            num(group->wall_seconds.mean, group->finished ? format_duration(group->wall_seconds.mean) : "—") + "</tr>";
  }
  return html + "</tbody></table></div>";
}

std::string task_table(const CampaignSummary& summary) {
  std::vector<std::string> names{"task", "seed", "state", "evaluations", "feasible", "hypervolume"};
  for (const double drop : summary.accuracy_drops) names.push_back("smallest, " + drop_name(drop));
  names.insert(names.end(), {"search time", "evaluations / hour"});
  std::string html = "<div class=\"scroll\"><table class=\"sortable tasks\">" + headers(names) + "<tbody>";
  for (const TaskSummary& task : summary.tasks) {
    const bool started = task.progress.state != TaskState::not_started;
    const std::string state = task_state_name(task.progress.state);
    // Relative links: the page sits beside the task folders.
    html += "<tr id=\"task-" + std::to_string(task.task.index) + "\"><td>" +
            (started ? "<a href=\"" + html_escape(task.task.name) + "/report.html\">" + html_escape(task.task.name) + "</a>"
                     : html_escape(task.task.name)) +
            "</td>" + num(static_cast<double>(task.task.seed), std::to_string(task.task.seed)) +
            text(state, started ? "state-" + std::string(task.progress.state == TaskState::finished ? "finished" : "started") : "") +
            num(static_cast<double>(task.progress.results),
                std::to_string(task.progress.results) +
                    (started && task.progress.planned > 0 ? " / " + std::to_string(task.progress.planned) : "")) +
            num(static_cast<double>(task.feasible), std::to_string(task.feasible)) +
            num(started ? task.hypervolume : NAN, started ? format_number(task.hypervolume, 4) : "—");
    for (const std::int64_t bytes : task.best_size_bytes) {
      html += num(bytes > 0 ? static_cast<double>(bytes) : NAN, bytes > 0 ? format_bytes(static_cast<double>(bytes)) : "—");
    }
    html += num(started ? task.wall_seconds : NAN, started ? format_duration(task.wall_seconds) : "—") +
            num(started ? task.evaluations_per_hour : NAN, started ? format_number(task.evaluations_per_hour, 4) : "—") +
            "</tr>";
  }
  return html + "</tbody></table></div>";
}

std::string header(const CampaignSummary& summary) {
  int finished = 0;
  double seconds = 0.0;
  std::map<std::string, int> strategies, seeds, experiments;
  for (const TaskSummary& task : summary.tasks) {
    finished += task.progress.state == TaskState::finished ? 1 : 0;
    seconds += task.wall_seconds;
    strategies[task.task.strategy_label] = 1;
    seeds[std::to_string(task.task.seed)] = 1;
    experiments[task.task.experiment_label + "/" + task.task.base_label] = 1;
  }
  return "<header><h1>" + html_escape("Lathe campaign: " + summary.name) + "</h1><div class=\"path\">" +
         html_escape(summary.campaign_path) + "</div></header><div class=\"tiles\">" +
         tile("tasks", std::to_string(summary.tasks.size())) + tile("finished", std::to_string(finished)) +
         tile("experiments", std::to_string(experiments.size())) + tile("strategies", std::to_string(strategies.size())) +
         tile("seeds", std::to_string(seeds.size())) + tile("search time, all tasks", format_duration(seconds)) +
         "</div>";
}

}  // namespace

std::string render_summary_html(const CampaignSummary& summary) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
                     html_escape("Lathe campaign: " + summary.name) + "</title><style>" +
                     search::report_stylesheet() + kExtraStyle + "</style></head><body><main>";
  html += header(summary);
  html += "<p class=\"note\">Hypervolume: the area the feasible evaluations dominate in (stored size / base size, "
          "minimised; validation accuracy, maximised) up to the reference point (1, base validation accuracy − d), "
          "d the reference accuracy drop (shown per experiment below). Spreads are over the seeds whose tasks "
          "finished: mean ± sample standard deviation [least – largest]. \"smallest\" is the smallest feasible model "
          "within that drop of the base's validation accuracy (mean [least – largest] over the seeds that found one, "
          "and how many did).</p>";
  // One section per experiment (and base), its strategies in campaign order.
  std::vector<std::pair<std::string, std::string>> order;
  std::map<std::pair<std::string, std::string>, std::vector<const GroupSummary*>> sections;
  for (const GroupSummary& group : summary.groups) {
    const auto key = std::make_pair(group.experiment, group.base);
    if (!sections.contains(key)) order.push_back(key);
    sections[key].push_back(&group);
  }
  for (const auto& key : order) {
    const std::vector<const GroupSummary*>& groups = sections[key];
    double drop = NAN;
    for (const GroupSummary* group : groups) drop = group->finished > 0 ? group->reference_drop : drop;
    const std::string title = key.first + (key.second.empty() ? "" : " on base " + key.second);
    html += "<section class=\"experiment\"><h2>" + html_escape(title) + "</h2><p class=\"note\">" +
            html_escape("reference point: (1, base validation accuracy − " +
                        (std::isfinite(drop) ? search::format_fixed(100.0 * drop, 2) + " pt)" : "?)")) +
            "</p>" + render_hypervolume_plot(groups, summary.tasks) + strategy_table(groups, summary.accuracy_drops) +
            "</section>";
  }
  html += "<section id=\"tasks\"><h2>Tasks</h2><p class=\"note\">Each task is one search in its own folder; its "
          "name links to its report.</p>" +
          task_table(summary) + "</section>";
  html += "<section id=\"campaign\"><h2>Campaign file</h2><pre class=\"experiment\">" +
          html_escape(summary.campaign_yaml) + "</pre></section>";
  html += "<footer>Written by <code>lathe campaign summarize</code>.</footer></main><script>";
  html += search::report_script();
  return html + "</script></body></html>\n";
}

}  // namespace lathe::campaign
