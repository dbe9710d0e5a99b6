#include "campaign/summary_plot.h"

#include <algorithm>
#include <cmath>

#include "search/report_format.h"
#include "search/svg_plot.h"

namespace lathe::campaign {
namespace {

using search::svg_number;

constexpr double kWidth = 960;
constexpr double kHeight = 360;
const search::PlotArea kArea{96, 24, kWidth - 28, kHeight - 58};

bool in_group(const TaskSummary& task, const GroupSummary& group) {
  return task.progress.state == TaskState::finished && task.task.experiment_label == group.experiment &&
         task.task.base_label == group.base && task.task.strategy_label == group.strategy;
}

std::string circle(const std::string& css, double x, double y, double r, const std::string& title,
                   const std::string& data) {
  return "<circle class=\"" + css + "\"" + data + " cx=\"" + svg_number(x) + "\" cy=\"" + svg_number(y) +
         "\" r=\"" + svg_number(r) + "\"><title>" + search::html_escape(title) + "</title></circle>";
}

}  // namespace

std::string render_hypervolume_plot(const std::vector<const GroupSummary*>& groups,
                                    const std::vector<TaskSummary>& tasks) {
  std::vector<double> values{0.0};  // the axis starts at 0: an empty front claims nothing
  for (const TaskSummary& task : tasks) {
    for (const GroupSummary* group : groups) {
      if (in_group(task, *group)) values.push_back(task.hypervolume);
    }
  }
  const double largest = *std::max_element(values.begin(), values.end());
  const search::Interval domain = search::linear_domain(values, std::max(1e-12, 0.1 * largest), 0.08, {0.0, 1.0});
  const search::Scale y = search::Scale::linear(domain, kArea.bottom, kArea.top);
  std::vector<search::Tick> y_ticks;
  for (const double value : search::linear_ticks(domain, 6)) y_ticks.push_back({y(value), search::format_number(value, 3)});
  // One column per strategy, evenly spaced.
  const double column = (kArea.right - kArea.left) / static_cast<double>(std::max<std::size_t>(1, groups.size()));
  const auto x_of = [&](std::size_t i) { return kArea.left + column * (static_cast<double>(i) + 0.5); };
  std::vector<search::Tick> x_ticks;
  for (std::size_t i = 0; i < groups.size(); ++i) x_ticks.push_back({x_of(i), groups[i]->strategy});

  std::string svg = "<svg class=\"chart hypervolume\" viewBox=\"0 0 " + svg_number(kWidth) + " " + svg_number(kHeight) +
                    "\" role=\"img\" aria-label=\"hypervolume per strategy\">";
  svg += search::svg_axes(kArea, x_ticks, y_ticks, "strategy", "hypervolume");
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const GroupSummary& group = *groups[i];
    if (group.finished == 0) continue;
    const double x = x_of(i);
    const std::string data = " data-experiment=\"" + search::html_escape(group.experiment) + "\" data-strategy=\"" +
                             search::html_escape(group.strategy) + "\"";
    svg += "<line class=\"spread\" x1=\"" + svg_number(x) + "\" y1=\"" + svg_number(y(group.hypervolume.min)) +
           "\" x2=\"" + svg_number(x) + "\" y2=\"" + svg_number(y(group.hypervolume.max)) + "\"/>";
    for (const TaskSummary& task : tasks) {
      if (!in_group(task, group)) continue;
      svg += circle("seed-point", x + 14, y(task.hypervolume), 3,
                    "seed " + std::to_string(task.task.seed) + ": " + search::format_number(task.hypervolume, 4), "");
    }
    svg += circle("strategy-point", x, y(group.hypervolume.mean), 6.5,
                  group.strategy + ": mean " + search::format_number(group.hypervolume.mean, 4) + ", deviation " +
                      search::format_number(group.hypervolume.deviation, 3) + " over " +
                      std::to_string(group.finished) + " seeds",
                  data);
  }
  return svg + "</svg>";
}

}  // namespace lathe::campaign
