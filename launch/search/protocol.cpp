#include "search/protocol.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "core/error.h"
#include "recipe/json_text.h"
#include "strategies/number_text.h"

namespace lathe::search {
namespace {

using recipe::json_string;

YAML::Node parse(const std::string& json) {
  try {
    YAML::Node node = YAML::Load(json);
    LATHE_CHECK(node.IsMap(), "search protocol: expected a JSON object, got '", json.substr(0, 80), "'");
    return node;
  } catch (const YAML::Exception& e) {
    fail("search protocol: malformed message (", e.msg, "): '", json.substr(0, 80), "'");
  }
}

std::uint64_t parse_u64(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  LATHE_CHECK(error == std::errc() && end == text.data() + text.size(),
              "search protocol: expected an unsigned integer, got '", text, "'");
  return value;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string text = "[";
  for (const std::int64_t id : ids) text += (text.size() > 1 ? ", " : "") + std::to_string(id);
  return text + "]";
}

}  // namespace

std::string task_to_json(const Task& task) {
  return "{\"type\": \"task\", \"id\": " + std::to_string(task.id) + ", \"seed\": \"" +
         std::to_string(task.seed) + "\", \"recipe\": " + json_string(task.recipe_yaml) +
         ", \"artifact\": " + json_string(task.artifact_path) +
         ", \"time_limit_seconds\": " + exact_number(task.time_limit_seconds) +
         ", \"continues\": " + std::to_string(task.continues) +
         ", \"keep_state\": " + (task.keep_state ? "true" : "false") +
         ", \"start\": " + json_string(task.start_artifact) +
         ", \"release\": " + id_list(task.release) +
         ", \"paused_state\": " + json_string(task.paused_state) + "}";
}

std::string result_to_json(const TaskResult& result) {
  return "{\"type\": \"result\", \"id\": " + std::to_string(result.id) +
         ", \"artifact\": " + json_string(result.artifact_path) +
         ", \"state_kept\": " + (result.state_kept ? "true" : "false") +
         ", \"paused\": " + (result.paused ? "true" : "false") +
         ", \"paused_state\": " + json_string(result.paused_state) +
         ", \"metrics\": " + recipe::metrics_to_json(result.metrics) + "}";
}

std::string ready_to_json(const ReadyMessage& ready) {
  return "{\"type\": \"ready\", \"rank\": " + std::to_string(ready.rank) +
         ", \"host\": " + json_string(ready.host) + "}";
}

std::string message_type(const std::string& json) {
  // Every message this protocol writes starts with its type: read it without parsing the
  // whole message (which the handler of that type does once).
  const std::string prefix = "{\"type\": \"";
  if (json.compare(0, prefix.size(), prefix) == 0) {
    const std::size_t end = json.find('"', prefix.size());
    if (end != std::string::npos) return json.substr(prefix.size(), end - prefix.size());
  }
  const YAML::Node node = parse(json);
  LATHE_CHECK(node["type"], "search protocol: a message without a type: '", json.substr(0, 80), "'");
  return node["type"].Scalar();
}

Task task_from_json(const std::string& json) {
  const YAML::Node node = parse(json);
  Task task;
  task.id = node["id"].as<std::int64_t>();
  task.seed = parse_u64(node["seed"]);
  task.recipe_yaml = node["recipe"].as<std::string>();
  task.artifact_path = node["artifact"].as<std::string>();
  task.time_limit_seconds = node["time_limit_seconds"].as<double>();
  task.continues = node["continues"].as<std::int64_t>();
  task.keep_state = node["keep_state"].as<bool>();
  task.start_artifact = node["start"].as<std::string>();
  for (const YAML::Node& id : node["release"]) task.release.push_back(id.as<std::int64_t>());
  if (node["paused_state"]) task.paused_state = node["paused_state"].as<std::string>();
  return task;
}

TaskResult result_from_json(const std::string& json) {
  const YAML::Node node = parse(json);
  TaskResult result;
  result.id = node["id"].as<std::int64_t>();
  result.artifact_path = node["artifact"].as<std::string>();
  result.state_kept = node["state_kept"].as<bool>();
  if (node["paused"]) result.paused = node["paused"].as<bool>();
  if (node["paused_state"]) result.paused_state = node["paused_state"].as<std::string>();
  const std::string where = "search protocol: result " + std::to_string(result.id);
  result.metrics = recipe::metrics_from_json(last_object_field(json, "metrics", where), where);
  return result;
}

ReadyMessage ready_from_json(const std::string& json) {
  const YAML::Node node = parse(json);
  return {node["rank"].as<int>(), node["host"].as<std::string>()};
}

std::string last_object_field(const std::string& json, const std::string& key, const std::string& where) {
  const std::string marker = "\"" + key + "\": ";
  const std::size_t start = json.find(marker);
  const std::size_t end = json.find_last_of('}');
  LATHE_CHECK(start != std::string::npos && end != std::string::npos && end > start, where,
              ": expected a \"", key, "\" object as the last field");
  return json.substr(start + marker.size(), end - start - marker.size());
}

std::uint64_t candidate_seed(std::uint64_t experiment_seed, std::int64_t id) {
  std::uint64_t z = experiment_seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(id) + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace lathe::search
