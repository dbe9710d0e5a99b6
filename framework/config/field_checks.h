// What a config value may be: a numeric range or one of a list of words. Declared next to
// each field, so that the YAML reader, `--help` and docs/configuration.md all come from
// one declaration (the habit of LightGBM's config.h).
#pragma once

#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

namespace lathe::config {

struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_inclusive = true;
  bool max_inclusive = true;

  [[nodiscard]] bool contains(double value) const;
  // "in [0, 1)", "at least 1", "greater than 0", or "" when unbounded.
  [[nodiscard]] std::string describe() const;

  static Range at_least(double min) { return {min, std::numeric_limits<double>::infinity()}; }
  static Range positive() {
    return {0.0, std::numeric_limits<double>::infinity(), false, true};
  }
  static Range closed(double min, double max) { return {min, max, true, true}; }
  static Range half_open(double min, double max) { return {min, max, true, false}; }
  static Range unbounded() { return {}; }
};

struct Choices {
  std::vector<std::string> words;
  Choices(std::initializer_list<const char*> list) : words(list.begin(), list.end()) {}
  [[nodiscard]] bool contains(const std::string& word) const;
  // "one of sgd, adam"
  [[nodiscard]] std::string describe() const;
};

// Whether a key must be present in the file.
enum class Presence { optional, required };

}  // namespace lathe::config
