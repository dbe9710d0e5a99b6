#include "config/field_checks.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lathe::config {
namespace {

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

bool Range::contains(double value) const {
  if (std::isnan(value)) return false;
  const bool above_min = min_inclusive ? value >= min : value > min;
  const bool below_max = max_inclusive ? value <= max : value < max;
  return above_min && below_max;
}

std::string Range::describe() const {
  const bool has_min = std::isfinite(min);
  const bool has_max = std::isfinite(max);
  if (has_min && has_max) {
    return "in " + std::string(min_inclusive ? "[" : "(") + number_text(min) + ", " +
           number_text(max) + (max_inclusive ? "]" : ")");
  }
  if (has_min) return (min_inclusive ? "at least " : "greater than ") + number_text(min);
  if (has_max) return (max_inclusive ? "at most " : "less than ") + number_text(max);
  return "";
}

bool Choices::contains(const std::string& word) const {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::string Choices::describe() const {
  std::string text = "one of ";
  for (std::size_t i = 0; i < words.size(); ++i) text += (i ? ", " : "") + words[i];
  return text;
}

}  // namespace lathe::config
