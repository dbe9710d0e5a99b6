#include "search/report_pareto_plot.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "search/report_format.h"
#include "search/report_selection.h"
#include "search/svg_plot.h"

namespace lathe::search {
namespace {

constexpr double kWidth = 960;
constexpr double kHeight = 520;
const PlotArea kArea{84, 48, kWidth - 28, kHeight - 62};

bool completed_infeasible(const EvaluationRecord& record) {
  return !record.feasible && record.metrics.status == recipe::CandidateStatus::ok;
}

struct Axes {
  Scale x;
  Scale y;
};

// Every value the chart shows goes into the domains, the limits included, so a limit
// line is never off the chart.
Axes make_axes(const SearchOutcome& outcome) {
  std::vector<double> sizes;
  std::vector<double> accuracies;
  const auto add = [&](const recipe::CandidateMetrics& metrics) {
    sizes.push_back(static_cast<double>(metrics.size_bytes));
    accuracies.push_back(100.0 * metrics.validation_accuracy);
  };
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (record.feasible || completed_infeasible(record)) add(record.metrics);
  }
  add(outcome.base);
  if (outcome.constraints.max_size_bytes > 0) {
    sizes.push_back(static_cast<double>(outcome.constraints.max_size_bytes));
  }
  accuracies.push_back(100.0 * accuracy_floor(outcome));
  const Interval x_domain = log_domain(sizes, 4.0, 1.3, {1e3, 1e6});
  const Interval y_domain = linear_domain(accuracies, 1.0, 0.08, {0.0, 100.0});
  return {Scale::log10(x_domain, kArea.left, kArea.right), Scale::linear(y_domain, kArea.bottom, kArea.top)};
}

std::vector<Tick> x_ticks(const Scale& x) {
  std::vector<Tick> ticks;
  for (const double value : log_ticks(x.domain())) ticks.push_back({x(value), format_bytes(value)});
  return spaced_ticks(ticks, 56);
}

std::vector<Tick> y_ticks(const Scale& y) {
  const std::vector<double> values = linear_ticks(y.domain(), 6);
  const double step = values.size() > 1 ? values[1] - values[0] : 1.0;
  const int decimals = step >= 1.0 ? 0 : step >= 0.1 ? 1 : 2;
  std::vector<Tick> ticks;
  for (const double value : values) ticks.push_back({y(value), format_fixed(value, decimals) + " %"});
  return ticks;
}

std::string tooltip(const EvaluationRecord& record, const SearchOutcome& outcome, bool on_front) {
  std::string text =
      "#" + std::to_string(record.id) + ": " + format_bytes(static_cast<double>(record.metrics.size_bytes)) +
      ", " + format_percent(record.metrics.validation_accuracy) + " validation accuracy, " +
      format_ratio(outcome.base.size_bytes, record.metrics.size_bytes) + " smaller than the base";
  if (on_front) text += " (Pareto front)";
  if (!record.feasible)
    text += "; infeasible: " + (record.violated.empty() ? std::string("?") : record.violated);
  return html_escape(text);
}

// Where a record is drawn; an unmeasured size or accuracy sits on the axis (Scale clamps
// it there) and the mark says so with class "unmeasured".
struct Placement {
  double x;
  double y;
  bool measured;
};

Placement place(const Axes& axes, const recipe::CandidateMetrics& metrics) {
  const double size = static_cast<double>(metrics.size_bytes);
  const double accuracy = 100.0 * metrics.validation_accuracy;
  return {axes.x(size), axes.y(accuracy), size > 0.0 && std::isfinite(accuracy)};
}

std::string point_mark(const EvaluationRecord& record, const SearchOutcome& outcome, const Axes& axes,
                       bool on_front) {
  const Placement at = place(axes, record.metrics);
  std::string css = on_front ? "point front" : "point";
  if (!at.measured) css += " unmeasured";
  return "<a href=\"#eval-" + std::to_string(record.id) + "\"><circle class=\"" + css + "\" data-id=\"" +
         std::to_string(record.id) + "\" cx=\"" + svg_number(at.x) + "\" cy=\"" + svg_number(at.y) +
         "\" r=\"" + (on_front ? "6.5" : "4.5") + "\"><title>" + tooltip(record, outcome, on_front) +
         "</title></circle></a>";
}

std::string cross_mark(const EvaluationRecord& record, const SearchOutcome& outcome, const Axes& axes) {
  const Placement at = place(axes, record.metrics);
  const double r = 3.5;
  const std::string d = "M" + svg_number(at.x - r) + " " + svg_number(at.y - r) + " L" +
                        svg_number(at.x + r) + " " + svg_number(at.y + r) + " M" + svg_number(at.x - r) +
                        " " + svg_number(at.y + r) + " L" + svg_number(at.x + r) + " " + svg_number(at.y - r);
  return "<a href=\"#eval-" + std::to_string(record.id) + "\"><path class=\"infeasible" +
         (at.measured ? "" : " unmeasured") + "\" data-id=\"" + std::to_string(record.id) + "\" d=\"" + d +
         "\"><title>" + tooltip(record, outcome, false) + "</title></path></a>";
}

std::string base_mark(const SearchOutcome& outcome, const Axes& axes) {
  const Placement at = place(axes, outcome.base);
  if (!at.measured) return "";
  const double r = 8;
  const std::string d = "M" + svg_number(at.x) + " " + svg_number(at.y - r) + " L" + svg_number(at.x + r) +
                        " " + svg_number(at.y) + " L" + svg_number(at.x) + " " + svg_number(at.y + r) + " L" +
                        svg_number(at.x - r) + " " + svg_number(at.y) + " Z";
  const std::string title = "base: " + format_bytes(static_cast<double>(outcome.base.size_bytes)) + ", " +
                            format_percent(outcome.base.validation_accuracy) + " validation accuracy";
  // The label goes left of the diamond: the base is usually the largest model, at the right.
  return "<path class=\"base\" d=\"" + d + "\"><title>" + html_escape(title) + "</title></path>" +
         "<text class=\"base-label\" x=\"" + svg_number(at.x - r - 5) + "\" y=\"" + svg_number(at.y - r - 2) +
         "\" text-anchor=\"end\">base</text>";
}

std::string limit_lines(const SearchOutcome& outcome, const Axes& axes) {
  std::string svg;
  if (outcome.constraints.max_size_bytes > 0) {
    const double x = axes.x(static_cast<double>(outcome.constraints.max_size_bytes));
    svg += "<line class=\"constraint\" x1=\"" + svg_number(x) + "\" y1=\"" + svg_number(kArea.top) +
           "\" x2=\"" + svg_number(x) + "\" y2=\"" + svg_number(kArea.bottom) + "\"/>";
    svg += "<text class=\"constraint-label\" x=\"" + svg_number(x - 6) + "\" y=\"" +
           svg_number(kArea.top + 16) + "\" text-anchor=\"end\">max size " +
           html_escape(format_bytes(static_cast<double>(outcome.constraints.max_size_bytes))) + "</text>";
  }
  const double floor = accuracy_floor(outcome);
  if (std::isfinite(floor)) {
    const double y = axes.y(100.0 * floor);
    svg += "<line class=\"constraint\" x1=\"" + svg_number(kArea.left) + "\" y1=\"" + svg_number(y) +
           "\" x2=\"" + svg_number(kArea.right) + "\" y2=\"" + svg_number(y) + "\"/>";
    svg += "<text class=\"constraint-label\" x=\"" + svg_number(kArea.left + 8) + "\" y=\"" +
           svg_number(y + 16) + "\">max drop " +
           format_fixed(100.0 * outcome.constraints.max_accuracy_drop, 2) + " pt (" + format_percent(floor) +
           ")</text>";
  }
  return svg;
}

std::string front_line(const SearchOutcome& outcome, const std::set<std::int64_t>& front, const Axes& axes) {
  std::vector<const EvaluationRecord*> members;
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (front.count(record.id) != 0 && place(axes, record.metrics).measured) members.push_back(&record);
  }
  std::sort(members.begin(), members.end(), [](const EvaluationRecord* a, const EvaluationRecord* b) {
    if (a->metrics.size_bytes != b->metrics.size_bytes) return a->metrics.size_bytes < b->metrics.size_bytes;
    return a->metrics.validation_accuracy < b->metrics.validation_accuracy;
  });
  std::vector<PixelPoint> points;
  for (const EvaluationRecord* record : members) {
    const Placement at = place(axes, record->metrics);
    points.push_back({at.x, at.y});
  }
  return svg_step_path(points, "front-line");
}

std::string legend() {
  const double y = 22;
  double x = kArea.left;
  std::string svg = "<g class=\"legend\">";
  const auto label = [&](const std::string& text, double width) {
    svg += "<text x=\"" + svg_number(x + 12) + "\" y=\"" + svg_number(y + 4) + "\">" + text + "</text>";
    x += width;
  };
  svg += "<circle class=\"swatch front\" cx=\"" + svg_number(x) + "\" cy=\"" + svg_number(y) + "\" r=\"6\"/>";
  label("Pareto front", 118);
  svg += "<circle class=\"swatch feasible\" cx=\"" + svg_number(x) + "\" cy=\"" + svg_number(y) +
         "\" r=\"4.5\"/>";
  label("feasible", 90);
  svg += "<path class=\"swatch infeasible\" d=\"M" + svg_number(x - 3.5) + " " + svg_number(y - 3.5) + " L" +
         svg_number(x + 3.5) + " " + svg_number(y + 3.5) + " M" + svg_number(x - 3.5) + " " +
         svg_number(y + 3.5) + " L" + svg_number(x + 3.5) + " " + svg_number(y - 3.5) + "\"/>";
  label("infeasible", 100);
  svg += "<path class=\"swatch base\" d=\"M" + svg_number(x) + " " + svg_number(y - 7) + " L" +
         svg_number(x + 7) + " " + svg_number(y) + " L" + svg_number(x) + " " + svg_number(y + 7) + " L" +
         svg_number(x - 7) + " " + svg_number(y) + " Z\"/>";
  label("base", 70);
  svg += "<line class=\"swatch constraint\" x1=\"" + svg_number(x - 8) + "\" y1=\"" + svg_number(y) +
         "\" x2=\"" + svg_number(x + 8) + "\" y2=\"" + svg_number(y) + "\"/>";
  label("constraint", 0);
  return svg + "</g>";
}

}  // namespace

std::string render_pareto_plot(const SearchOutcome& outcome) {
  const Axes axes = make_axes(outcome);
  const std::set<std::int64_t> front(outcome.pareto_ids.begin(), outcome.pareto_ids.end());
  std::string svg = "<svg class=\"chart pareto\" viewBox=\"0 0 " + svg_number(kWidth) + " " +
                    svg_number(kHeight) +
                    "\" role=\"img\" aria-label=\"Pareto front: stored size against validation accuracy\">";
  svg += legend();
  svg += svg_axes(kArea, x_ticks(axes.x), y_ticks(axes.y), "stored size (bytes, log scale)",
                  "validation accuracy");
  svg += limit_lines(outcome, axes);
  bool any_feasible = false;
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (completed_infeasible(record)) svg += cross_mark(record, outcome, axes);
  }
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (record.feasible && front.count(record.id) == 0) svg += point_mark(record, outcome, axes, false);
    any_feasible = any_feasible || record.feasible;
  }
  svg += front_line(outcome, front, axes);
  for (const EvaluationRecord& record : outcome.evaluations) {
    if (record.feasible && front.count(record.id) != 0) svg += point_mark(record, outcome, axes, true);
  }
  svg += base_mark(outcome, axes);
  if (!any_feasible) {
    svg += svg_placeholder(kArea,
                           outcome.evaluations.empty() ? "No evaluations yet" : "No feasible evaluation yet");
  }
  return svg + "</svg>";
}

}  // namespace lathe::search
