#include "config/canonical_yaml.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "recipe/json_text.h"

namespace lathe::config {
namespace {

// A scalar that reads completely as a number prints as that number.
std::string scalar_text(const std::string& text) {
  if (!text.empty()) {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size() && errno == 0 && std::isfinite(value)) {
      char out[40];
      std::snprintf(out, sizeof out, "%.17g", value);
      return out;
    }
  }
  return recipe::json_string(text);
}

}  // namespace

std::string canonical_yaml_text(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return scalar_text(node.Scalar());
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.size(); ++i) {
        out += (i ? ", " : "") + canonical_yaml_text(node[i]);
      }
      return out + "]";
    }
    case YAML::NodeType::Map: {
      std::vector<std::pair<std::string, std::string>> entries;
      for (const auto& entry : node) {
        entries.emplace_back(entry.first.Scalar(), canonical_yaml_text(entry.second));
      }
      std::sort(entries.begin(), entries.end());
      std::string out = "{";
      for (std::size_t i = 0; i < entries.size(); ++i) {
        out += (i ? ", " : "") + recipe::json_string(entries[i].first) + ": " + entries[i].second;
      }
      return out + "}";
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
  }
  return "null";
}

std::string fnv1a_hex(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

}  // namespace lathe::config
