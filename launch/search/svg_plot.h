// The pieces report.html draws its charts from, as inline SVG text: scales that map data
// to pixels (linear or log), domains that never collapse to a point (one evaluation, or
// all of equal size, still gives an axis), readable ticks, axes and step lines. Nothing
// here prints a non-finite number into a coordinate.
#pragma once

#include <string>
#include <vector>

namespace lathe::search {

struct Interval {
  double low = 0.0;
  double high = 1.0;
};

// Maps a data interval onto a pixel interval (`to` may be below `from`: SVG's y grows
// downwards). Values outside the domain are clamped to its ends, and a non-finite value
// maps to the domain's low end, so every result is a finite pixel inside the range.
class Scale {
 public:
  static Scale linear(Interval domain, double from, double to);
  // `domain` must be positive; values <= 0 map to its low end.
  static Scale log10(Interval domain, double from, double to);

  double operator()(double value) const;
  [[nodiscard]] Interval domain() const { return domain_; }
  [[nodiscard]] bool contains(double value) const;

 private:
  Scale(Interval domain, double from, double to, bool logarithmic);
  Interval domain_;
  double from_;
  double to_;
  bool logarithmic_;
};

// The finite values' range widened by `pad` of its span on each side and to at least
// `min_span`; `fallback` when there is no finite value.
Interval linear_domain(const std::vector<double>& values, double min_span, double pad, Interval fallback);
// The positive finite values' range widened by the factor `pad` on each side and to at
// least a factor of `min_ratio` (> 1); `fallback` when there is no positive value.
Interval log_domain(const std::vector<double>& values, double min_ratio, double pad, Interval fallback);

// Round values (1, 2 or 5 times a power of ten) inside `domain`, about `target` of them.
std::vector<double> linear_ticks(Interval domain, int target);
// Powers of ten inside a positive `domain`, with 2 and 5 (or every digit) in between when
// the domain spans too few decades for powers alone; always at least two.
std::vector<double> log_ticks(Interval domain);

// An SVG coordinate or length: one decimal, never "nan" or "inf" (0 instead, which the
// callers never reach: Scale returns finite pixels).
std::string svg_number(double value);

struct Tick {
  double pixel = 0.0;
  std::string label;
};

// `ticks` (in pixel order) less those closer than `min_gap` pixels to the last one kept,
// so that labels never overlap (a log axis over one decade has a tick per digit).
std::vector<Tick> spaced_ticks(const std::vector<Tick>& ticks, double min_gap);

// The plotting rectangle, in pixels.
struct PlotArea {
  double left = 0.0;
  double top = 0.0;
  double right = 0.0;
  double bottom = 0.0;
};

// Grid lines, tick labels, the frame and the axis titles of a chart.
std::string svg_axes(const PlotArea& area, const std::vector<Tick>& x_ticks, const std::vector<Tick>& y_ticks,
                     const std::string& x_title, const std::string& y_title);

struct PixelPoint {
  double x = 0.0;
  double y = 0.0;
};

// A step line through `points` (in the given order): horizontal first, then vertical,
// the shape of a running best. "" for no points.
std::string svg_step_path(const std::vector<PixelPoint>& points, const std::string& css_class);

// Centred text in the plot area, for a chart with nothing to show yet.
std::string svg_placeholder(const PlotArea& area, const std::string& text);

}  // namespace lathe::search
