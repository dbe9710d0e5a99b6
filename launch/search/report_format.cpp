#include "search/report_format.h"

#include <cmath>
#include <cstdio>

namespace lathe::search {
namespace {

const char* const kUnknown = "—";

std::string printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string format_bytes(double bytes) {
  if (!std::isfinite(bytes) || bytes <= 0.0) return kUnknown;
  if (bytes < 1e3) return printed("%.0f B", bytes);
  struct Unit {
    double size;
    const char* name;
  };
  static const Unit units[] = {{1e3, "kB"}, {1e6, "MB"}, {1e9, "GB"}, {1e12, "TB"}};
  const Unit* unit = &units[0];
  for (const Unit& candidate : units) {
    if (bytes >= candidate.size) unit = &candidate;
  }
  const double scaled = bytes / unit->size;
  // Three significant digits; no trailing ".0" on round values such as tick labels.
  const char* format = scaled >= 100.0 ? "%.0f" : scaled >= 10.0 ? "%.1f" : "%.2f";
  std::string number = printed(format, scaled);
  if (number.find('.') != std::string::npos) {
    while (number.back() == '0') number.pop_back();
    if (number.back() == '.') number.pop_back();
  }
  return number + " " + unit->name;
}

std::string format_percent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return kUnknown;
  return format_fixed(100.0 * fraction, decimals) + " %";
}

std::string format_ratio(std::int64_t base_bytes, std::int64_t bytes) {
  if (base_bytes <= 0 || bytes <= 0) return kUnknown;
  const double ratio = static_cast<double>(base_bytes) / static_cast<double>(bytes);
  return printed(ratio >= 100.0 ? "%.0f×" : ratio >= 10.0 ? "%.1f×" : "%.2f×", ratio);
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0) return kUnknown;
  if (seconds < 10.0) return printed("%.2f s", seconds);
  if (seconds < 60.0) return printed("%.1f s", seconds);
  const auto whole = static_cast<std::int64_t>(std::llround(seconds));
  char text[64];
  if (whole < 3600) {
    std::snprintf(text, sizeof text, "%lld min %02lld s", static_cast<long long>(whole / 60),
                  static_cast<long long>(whole % 60));
  } else {
    std::snprintf(text, sizeof text, "%lld h %02lld min", static_cast<long long>(whole / 3600),
                  static_cast<long long>((whole % 3600) / 60));
  }
  return text;
}

std::string format_count(std::int64_t value) {
  const bool negative = value < 0;
  std::string digits =
      std::to_string(negative ? -(value + 1) + 1ULL : static_cast<unsigned long long>(value));
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return negative ? "-" + grouped : grouped;
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return kUnknown;
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", significant, value);
  return text;
}

std::string format_fixed(double value, int decimals) {
  if (!std::isfinite(value)) return kUnknown;
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

}  // namespace lathe::search
