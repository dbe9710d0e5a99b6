#include "search/record_json.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <set>

#include "core/error.h"
#include "recipe/json_text.h"

namespace lathe::search {
namespace {

using recipe::json_number;
using recipe::json_string;

std::string numbers_json(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i == 0 ? "" : ", ") + json_number(values[i]);
  return text + "]";
}

int int_from_yaml(const YAML::Node& value, const std::string& where) {
  const std::int64_t parsed = recipe::int64_from_yaml(value, where);
  LATHE_CHECK(parsed >= std::numeric_limits<int>::min() && parsed <= std::numeric_limits<int>::max(), where,
              ": expected an integer from ", std::numeric_limits<int>::min(), " to ",
              std::numeric_limits<int>::max(), ", found ", parsed);
  return static_cast<int>(parsed);
}

std::vector<double> numbers_from_yaml(const YAML::Node& value, const std::string& where) {
  LATHE_CHECK(value.IsSequence(), where, ": expected a list of numbers, found ",
              value.IsMap() ? "an object" : value.IsNull() ? "null" : "'" + value.Scalar() + "'");
  std::vector<double> numbers;
  for (std::size_t i = 0; i < value.size(); ++i) {
    numbers.push_back(recipe::double_from_yaml(value[i], where + "[" + std::to_string(i) + "]"));
  }
  return numbers;
}

}  // namespace

std::string record_to_json(const EvaluationRecord& r) {
  return "{\"id\": " + std::to_string(r.id) + ", \"rung\": " + std::to_string(r.rung) +
         ", \"point\": " + json_string(r.point_json) + ", \"recipe\": " + json_string(r.recipe_yaml) +
         ", \"metrics\": " + recipe::metrics_to_json(r.metrics) + ", \"objectives\": " + numbers_json(r.objectives) +
         ", \"feasible\": " + (r.feasible ? "true" : "false") + ", \"violated\": " + json_string(r.violated) +
         ", \"finished_seconds\": " + json_number(r.finished_seconds) + ", \"artifact\": " + json_string(r.artifact) +
         "}";
}

EvaluationRecord record_from_json(const std::string& json, const std::string& source) {
  const YAML::Node object = recipe::parse_json(json, source);
  LATHE_CHECK(object.IsMap(), source, ": expected a JSON object (an evaluation record), found ",
              object.IsNull() ? "nothing" : "another kind of value");
  EvaluationRecord record;
  std::set<std::string> seen;
  for (const auto& field : object) {
    const std::string key = field.first.Scalar();
    const YAML::Node& value = field.second;
    const std::string where = source + ": " + key;
    LATHE_CHECK(seen.insert(key).second, where, ": expected each field once, found it twice");
    if (key == "id") {
      record.id = recipe::int64_from_yaml(value, where);
    } else if (key == "rung") {
      record.rung = int_from_yaml(value, where);
    } else if (key == "point") {
      record.point_json = recipe::text_from_yaml(value, where);
    } else if (key == "recipe") {
      record.recipe_yaml = recipe::text_from_yaml(value, where);
    } else if (key == "metrics") {
      record.metrics = recipe::metrics_from_yaml(value, source, "metrics.");
    } else if (key == "objectives") {
      record.objectives = numbers_from_yaml(value, where);
    } else if (key == "feasible") {
      record.feasible = recipe::bool_from_yaml(value, where);
    } else if (key == "violated") {
      record.violated = recipe::text_from_yaml(value, where);
    } else if (key == "finished_seconds") {
      record.finished_seconds = recipe::double_from_yaml(value, where);
    } else if (key == "artifact") {
      record.artifact = recipe::text_from_yaml(value, where);
    } else {
      fail(where, ": unknown field (expected id, rung, point, recipe, metrics, objectives, feasible, violated, "
                  "finished_seconds or artifact)");
    }
  }
  return record;
}

}  // namespace lathe::search
