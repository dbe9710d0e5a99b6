#include "search/report_html.h"

#include "search/atomic_text_file.h"
#include "search/report_format.h"
#include "search/report_pareto_plot.h"
#include "search/report_progress_plot.h"
#include "search/report_style.h"
#include "search/report_summary.h"
#include "search/report_table.h"

namespace lathe::search {
namespace {

std::string section(const std::string& id, const std::string& title, const std::string& note,
                    const std::string& body) {
  return "<section id=\"" + id + "\"><h2>" + html_escape(title) + "</h2>" +
         (note.empty() ? std::string() : "<p class=\"note\">" + html_escape(note) + "</p>") + body +
         "</section>";
}

}  // namespace

std::string render_report_html(const SearchOutcome& outcome) {
  const std::string title =
      "Lathe search: " + (outcome.experiment_name.empty() ? "report" : outcome.experiment_name);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      html_escape(title) + "</title><style>" + report_stylesheet() + "</style></head><body><main>";
  html += render_report_header(outcome);
  html +=
      section("front", "Pareto front",
              "Stored size against validation accuracy. Feasible evaluations are circles (the Pareto front "
              "in orange, joined by its step line), infeasible ones grey crosses; click a point for its row.",
              render_pareto_plot(outcome));
  html += section("best", "Best model per accuracy limit",
                  "The smallest feasible evaluation whose validation accuracy is at most that far below the "
                  "base's (feasible: meets every constraint of the experiment).",
                  render_best_per_limit(outcome));
  html += section("progress", "Progress over time",
                  "The smallest feasible stored size found so far and the number of feasible evaluations, "
                  "against search time.",
                  render_progress_plot(outcome));
  html +=
      section("evaluations", "Evaluations",
              "Every evaluation in id order (click a column to sort). Test accuracy is reported, never used "
              "for selection.",
              render_evaluation_table(outcome));
  html += section("experiment", "Experiment file", outcome.experiment_path,
                  "<pre class=\"experiment\">" + html_escape(outcome.experiment_yaml) + "</pre>");
  html += "<footer>Written by <code>lathe search</code>.</footer></main><script>";
  html += report_script();
  return html + "</script></body></html>\n";
}

void write_report_html(const std::string& path, const SearchOutcome& outcome) {
  write_text_file_atomically(path, render_report_html(outcome), "report");
}

}  // namespace lathe::search
