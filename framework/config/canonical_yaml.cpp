#include "config/canonical_yaml.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "core/json_text.h"

namespace lathe::config {
namespace {

// A plain scalar as a JSON number in one form for every way of writing the same value:
// integers that fit 64 bits exactly, anything else as the shortest text that reads
// back to the same double. Empty when the text is not a finite number.
std::string canonical_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front())) != 0) return "";
  const char* begin = text.c_str();
  const char* end = begin + text.size();
  char* stop = nullptr;
  errno = 0;
  const long long integer = std::strtoll(begin, &stop, 10);
  if (stop == end && errno == 0) return std::to_string(integer);
  const double value = std::strtod(begin, &stop);
  if (stop != end || !std::isfinite(value)) return "";
  if (value == std::floor(value) && std::abs(value) < 9.2e18) {
    return std::to_string(static_cast<long long>(value));  // 8.0 and 8; -0.0 and 0
  }
  char shortest[64];
  const auto written = std::to_chars(shortest, shortest + sizeof shortest, value);
  return std::string(shortest, written.ptr);
}

}  // namespace

std::string canonical_yaml_text(const YAML::Node& node) {
  if (node.IsMap()) {
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& entry : node) {
      if (!entry.second.IsDefined() || entry.second.IsNull()) continue;
      entries.emplace_back(entry.first.Scalar(), canonical_yaml_text(entry.second));
    }
    std::sort(entries.begin(), entries.end());
    std::string out = "{";
    for (const auto& [key, value] : entries) {
      out += (out.size() > 1 ? ", " : "") + json_string(key) + ": " + value;
    }
    return out + "}";
  }
  if (node.IsSequence()) {
    std::string out = "[";
    for (const YAML::Node& item : node) {
      out += (out.size() > 1 ? ", " : "") + canonical_yaml_text(item);
    }
    return out + "]";
  }
  if (!node.IsDefined() || node.IsNull()) return "null";
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return json_string(text);  // quoted: a string as written
  if (text == "true" || text == "false") return text;
  const std::string number = canonical_number(text);
  return number.empty() ? json_string(text) : number;
}

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}


}  // namespace lathe::config
