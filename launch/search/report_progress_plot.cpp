#include "search/report_progress_plot.h"

#include <algorithm>
#include <cmath>

#include "search/report_format.h"
#include "search/report_selection.h"
#include "search/svg_plot.h"

namespace lathe::search {
namespace {

constexpr double kWidth = 960;
constexpr double kHeight = 300;
const PlotArea kSizeArea{84, 20, 452, kHeight - 62};
const PlotArea kCountArea{576, 20, kWidth - 28, kHeight - 62};

// An unknown finish time (sorted last by progress_over_time) is drawn at the end.
double at_time(const ProgressStep& step, double end) {
  return std::isfinite(step.seconds) ? step.seconds : end;
}

// Time ticks in the unit that keeps their labels short.
std::vector<Tick> time_ticks(const Scale& x) {
  const double end = x.domain().high;
  const double unit = end >= 2 * 3600.0 ? 3600.0 : end >= 120.0 ? 60.0 : 1.0;
  const char* name = unit == 3600.0 ? " h" : unit == 60.0 ? " min" : " s";
  std::vector<Tick> ticks;
  for (const double value : linear_ticks({x.domain().low / unit, end / unit}, 6)) {
    ticks.push_back({x(value * unit), format_number(value, 4) + name});
  }
  return ticks;
}

std::string size_panel(const std::vector<ProgressStep>& steps, const Scale& x, double end) {
  std::vector<double> sizes;
  for (const ProgressStep& step : steps) {
    if (step.best_size > 0) sizes.push_back(static_cast<double>(step.best_size));
  }
  const Scale y = Scale::log10(log_domain(sizes, 3.0, 1.15, {1e3, 1e6}), kSizeArea.bottom, kSizeArea.top);
  std::vector<Tick> y_ticks;
  for (const double value : log_ticks(y.domain())) y_ticks.push_back({y(value), format_bytes(value)});
  y_ticks = spaced_ticks(y_ticks, 18);
  std::string svg = svg_axes(kSizeArea, time_ticks(x), y_ticks, "search time", "smallest feasible size");
  if (sizes.empty()) return svg + svg_placeholder(kSizeArea, "No feasible evaluation yet");

  std::vector<PixelPoint> line;
  std::string marks;
  std::int64_t previous = 0;
  for (const ProgressStep& step : steps) {
    if (step.best_size <= 0 || step.best_size == previous) continue;
    const PixelPoint at{x(at_time(step, end)), y(static_cast<double>(step.best_size))};
    line.push_back(at);
    marks += "<circle class=\"improvement\" cx=\"" + svg_number(at.x) + "\" cy=\"" + svg_number(at.y) +
             "\" r=\"3\"><title>" +
             html_escape(format_duration(step.seconds) + ": " +
                         format_bytes(static_cast<double>(step.best_size))) +
             "</title></circle>";
    previous = step.best_size;
  }
  line.push_back({x(end), line.back().y});
  return svg + svg_step_path(line, "progress-line best-size") + marks;
}

std::string count_panel(const std::vector<ProgressStep>& steps, const Scale& x, double end) {
  const double total = steps.empty() ? 0.0 : static_cast<double>(steps.back().feasible);
  const Scale y = Scale::linear({0.0, std::max(total, 1.0)}, kCountArea.bottom, kCountArea.top);
  std::vector<Tick> y_ticks;
  for (const double value : linear_ticks(y.domain(), 5)) {
    if (value == std::floor(value)) y_ticks.push_back({y(value), format_number(value, 6)});
  }
  std::string svg = svg_axes(kCountArea, time_ticks(x), y_ticks, "search time", "feasible evaluations");
  if (steps.empty()) return svg + svg_placeholder(kCountArea, "No evaluations yet");
  std::vector<PixelPoint> line{{x(0.0), y(0.0)}};
  for (const ProgressStep& step : steps) {
    line.push_back({x(at_time(step, end)), y(static_cast<double>(step.feasible))});
  }
  line.push_back({x(end), line.back().y});
  return svg + svg_step_path(line, "progress-line feasible-count");
}

}  // namespace

std::string render_progress_plot(const SearchOutcome& outcome) {
  const std::vector<ProgressStep> steps = progress_over_time(outcome);
  double end = std::isfinite(outcome.elapsed_seconds) ? outcome.elapsed_seconds : 0.0;
  for (const ProgressStep& step : steps) {
    if (std::isfinite(step.seconds)) end = std::max(end, step.seconds);
  }
  if (!(end > 0.0)) end = 1.0;
  const Scale size_x = Scale::linear({0.0, end}, kSizeArea.left, kSizeArea.right);
  const Scale count_x = Scale::linear({0.0, end}, kCountArea.left, kCountArea.right);
  return "<svg class=\"chart progress\" viewBox=\"0 0 " + svg_number(kWidth) + " " + svg_number(kHeight) +
         "\" role=\"img\" aria-label=\"Progress over search time\">" + size_panel(steps, size_x, end) +
         count_panel(steps, count_x, end) + "</svg>";
}

}  // namespace lathe::search
