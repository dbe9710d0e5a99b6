#include "search/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "search/report_format.h"

namespace lathe::search {
namespace {

// A domain of zero width, or one a caller got backwards, still maps somewhere sensible.
Interval ordered(Interval domain) {
  if (domain.high < domain.low) std::swap(domain.low, domain.high);
  return domain;
}

double nice_step(double rough) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  for (const double multiple : {1.0, 2.0, 5.0}) {
    if (multiple * magnitude >= rough) return multiple * magnitude;
  }
  return 10.0 * magnitude;
}

std::vector<double> log_ticks_with(Interval domain, const std::vector<int>& multiples, int decade_stride) {
  std::vector<double> ticks;
  const int first = static_cast<int>(std::floor(std::log10(domain.low)));
  const int last = static_cast<int>(std::ceil(std::log10(domain.high)));
  for (int exponent = first; exponent <= last; ++exponent) {
    if (decade_stride > 1 && exponent % decade_stride != 0) continue;
    for (const int multiple : multiples) {
      const double tick = multiple * std::pow(10.0, exponent);
      // Relative slack: the domain's ends are themselves computed in floating point.
      if (tick >= domain.low * (1 - 1e-9) && tick <= domain.high * (1 + 1e-9)) ticks.push_back(tick);
    }
  }
  return ticks;
}

}  // namespace

Scale::Scale(Interval domain, double from, double to, bool logarithmic)
    : domain_(ordered(domain)), from_(from), to_(to), logarithmic_(logarithmic) {}

Scale Scale::linear(Interval domain, double from, double to) { return {domain, from, to, false}; }

Scale Scale::log10(Interval domain, double from, double to) {
  domain = ordered(domain);
  if (!(domain.low > 0.0)) domain.low = 1.0;
  if (!(domain.high > domain.low)) domain.high = domain.low * 10.0;
  return {domain, from, to, true};
}

bool Scale::contains(double value) const {
  if (!std::isfinite(value)) return false;
  if (logarithmic_ && value <= 0.0) return false;
  return value >= domain_.low && value <= domain_.high;
}

double Scale::operator()(double value) const {
  if (!std::isfinite(value) || (logarithmic_ && value <= 0.0)) value = domain_.low;
  value = std::clamp(value, domain_.low, domain_.high);
  const double low = logarithmic_ ? std::log10(domain_.low) : domain_.low;
  const double high = logarithmic_ ? std::log10(domain_.high) : domain_.high;
  const double at = logarithmic_ ? std::log10(value) : value;
  const double fraction = high > low ? (at - low) / (high - low) : 0.5;
  return from_ + fraction * (to_ - from_);
}

Interval linear_domain(const std::vector<double>& values, double min_span, double pad, Interval fallback) {
  bool any = false;
  Interval domain{0.0, 0.0};
  for (const double value : values) {
    if (!std::isfinite(value)) continue;
    domain.low = any ? std::min(domain.low, value) : value;
    domain.high = any ? std::max(domain.high, value) : value;
    any = true;
  }
  if (!any) return ordered(fallback);
  const double span = domain.high - domain.low;
  domain.low -= pad * span;
  domain.high += pad * span;
  if (domain.high - domain.low < min_span) {
    const double centre = 0.5 * (domain.low + domain.high);
    domain = {centre - 0.5 * min_span, centre + 0.5 * min_span};
  }
  return domain;
}

Interval log_domain(const std::vector<double>& values, double min_ratio, double pad, Interval fallback) {
  bool any = false;
  Interval domain{1.0, 1.0};
  for (const double value : values) {
    if (!std::isfinite(value) || value <= 0.0) continue;
    domain.low = any ? std::min(domain.low, value) : value;
    domain.high = any ? std::max(domain.high, value) : value;
    any = true;
  }
  if (!any) return ordered(fallback);
  domain.low /= pad;
  domain.high *= pad;
  if (domain.high / domain.low < min_ratio) {
    const double centre = std::sqrt(domain.low * domain.high);
    const double half = std::sqrt(min_ratio);
    domain = {centre / half, centre * half};
  }
  return domain;
}

std::vector<double> linear_ticks(Interval domain, int target) {
  domain = ordered(domain);
  const double span = domain.high - domain.low;
  if (!(span > 0.0) || !std::isfinite(span)) return {domain.low};
  const double step = nice_step(span / std::max(target, 1));
  std::vector<double> ticks;
  for (double k = std::ceil(domain.low / step - 1e-9); k * step <= domain.high + 1e-9 * step; ++k) {
    const double tick = k * step;
    ticks.push_back(std::fabs(tick) < 1e-12 * step ? 0.0 : tick);
  }
  return ticks;
}

std::vector<double> log_ticks(Interval domain) {
  domain = ordered(domain);
  if (!(domain.low > 0.0) || !(domain.high > domain.low)) return {domain.low, domain.high};
  std::vector<double> ticks = log_ticks_with(domain, {1}, 1);
  if (ticks.size() > 8) return log_ticks_with(domain, {1}, 2);
  if (ticks.size() >= 3) return ticks;
  ticks = log_ticks_with(domain, {1, 2, 5}, 1);
  if (ticks.size() >= 3) return ticks;
  ticks = log_ticks_with(domain, {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1);
  if (ticks.size() >= 2) return ticks;
  return {domain.low, domain.high};
}

std::string svg_number(double value) {
  if (!std::isfinite(value)) return "0";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  std::string number = text;
  if (number == "-0.0") return "0";
  if (number.size() > 2 && number.compare(number.size() - 2, 2, ".0") == 0) number.resize(number.size() - 2);
  return number;
}

std::vector<Tick> spaced_ticks(const std::vector<Tick>& ticks, double min_gap) {
  std::vector<Tick> kept;
  for (const Tick& tick : ticks) {
    if (kept.empty() || std::fabs(tick.pixel - kept.back().pixel) >= min_gap) kept.push_back(tick);
  }
  return kept;
}

std::string svg_axes(const PlotArea& area, const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks,
                     const std::string& x_title, const std::string& y_title) {
  std::string svg = "<g class=\"axes\">";
  for (const Tick& tick : x_ticks) {
    svg += "<line class=\"grid\" x1=\"" + svg_number(tick.pixel) + "\" y1=\"" + svg_number(area.top) +
           "\" x2=\"" + svg_number(tick.pixel) + "\" y2=\"" + svg_number(area.bottom) + "\"/>";
    svg += "<text class=\"tick\" x=\"" + svg_number(tick.pixel) + "\" y=\"" + svg_number(area.bottom + 18) +
           "\" text-anchor=\"middle\">" + html_escape(tick.label) + "</text>";
  }
  for (const Tick& tick : y_ticks) {
    svg += "<line class=\"grid\" x1=\"" + svg_number(area.left) + "\" y1=\"" + svg_number(tick.pixel) +
           "\" x2=\"" + svg_number(area.right) + "\" y2=\"" + svg_number(tick.pixel) + "\"/>";
    svg += "<text class=\"tick\" x=\"" + svg_number(area.left - 8) + "\" y=\"" + svg_number(tick.pixel + 4) +
           "\" text-anchor=\"end\">" + html_escape(tick.label) + "</text>";
  }
  svg += "<rect class=\"frame\" x=\"" + svg_number(area.left) + "\" y=\"" + svg_number(area.top) +
         "\" width=\"" + svg_number(area.right - area.left) + "\" height=\"" +
         svg_number(area.bottom - area.top) + "\"/>";
  svg += "<text class=\"axis-title\" x=\"" + svg_number(0.5 * (area.left + area.right)) + "\" y=\"" +
         svg_number(area.bottom + 40) + "\" text-anchor=\"middle\">" + html_escape(x_title) + "</text>";
  const std::string y_middle = svg_number(0.5 * (area.top + area.bottom));
  const std::string y_x = svg_number(area.left - 52);
  svg += "<text class=\"axis-title\" x=\"" + y_x + "\" y=\"" + y_middle +
         "\" text-anchor=\"middle\" transform=\"rotate(-90 " + y_x + " " + y_middle + ")\">" +
         html_escape(y_title) + "</text>";
  return svg + "</g>";
}

std::string svg_step_path(const std::vector<PixelPoint>& points, const std::string& css_class) {
  if (points.empty()) return "";
  std::string d = "M" + svg_number(points.front().x) + " " + svg_number(points.front().y);
  for (std::size_t i = 1; i < points.size(); ++i) {
    d += " H" + svg_number(points[i].x) + " V" + svg_number(points[i].y);
  }
  return "<path class=\"" + css_class + "\" d=\"" + d + "\"/>";
}

std::string svg_placeholder(const PlotArea& area, const std::string& text) {
  return "<text class=\"placeholder\" x=\"" + svg_number(0.5 * (area.left + area.right)) + "\" y=\"" +
         svg_number(0.5 * (area.top + area.bottom)) + "\" text-anchor=\"middle\">" + html_escape(text) +
         "</text>";
}

}  // namespace lathe::search
