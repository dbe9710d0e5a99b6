#include "search/search_history.h"

#include <yaml-cpp/yaml.h>

#include "core/error.h"
#include "recipe/json_text.h"
#include "search/journal.h"
#include "search/protocol.h"
#include "search/record_json.h"

namespace lathe::search {
namespace {

using recipe::json_string;

}  // namespace

std::string experiment_event(const std::string& identity, const std::string& name) {
  return "{\"type\": \"experiment\", \"identity\": " + json_string(identity) +
         ", \"name\": " + json_string(name) + ", \"format\": " + std::to_string(kJournalFormat) + "}";
}
std::string run_event(int run, int workers) {
  return "{\"type\": \"run\", \"run\": " + std::to_string(run) + ", \"workers\": " +
         std::to_string(workers) + "}";
}
std::string base_event(const recipe::CandidateMetrics& base, const std::string& base_file_hash) {
  return "{\"type\": \"base\", \"file_hash\": " + json_string(base_file_hash) +
         ", \"metrics\": " + recipe::metrics_to_json(base) + "}";
}
std::string asked_event(std::int64_t id, int rung, const std::string& point_json) {
  return "{\"type\": \"asked\", \"id\": " + std::to_string(id) + ", \"rung\": " + std::to_string(rung) +
         ", \"point\": " + json_string(point_json) + "}";
}
std::string dispatched_event(std::int64_t id, int run, int rank, const std::string& paused_state) {
  return "{\"type\": \"dispatched\", \"id\": " + std::to_string(id) + ", \"run\": " +
         std::to_string(run) + ", \"rank\": " + std::to_string(rank) +
         (paused_state.empty() ? "" : ", \"continues_paused\": " + json_string(paused_state)) + "}";
}
std::string paused_event(std::int64_t id, int run, const std::string& state, const std::string& message) {
  return "{\"type\": \"paused\", \"id\": " + std::to_string(id) + ", \"run\": " + std::to_string(run) +
         ", \"state\": " + json_string(state) + ", \"message\": " + json_string(message) + "}";
}
std::string result_event(const EvaluationRecord& record) {
  return "{\"type\": \"result\", \"record\": " + record_to_json(record) + "}";
}
std::string probe_event(const std::string& dimension, const recipe::CandidateMetrics& metrics) {
  return "{\"type\": \"probe\", \"dimension\": " + json_string(dimension) +
         ", \"metrics\": " + recipe::metrics_to_json(metrics) + "}";
}
std::string interrupted_event(int run) {
  return "{\"type\": \"interrupted\", \"run\": " + std::to_string(run) + "}";
}

int SearchHistory::deaths_in_flight(std::int64_t id) const {
  if (results.contains(id)) return 0;
  const auto found = dispatched_in_runs.find(id);
  if (found == dispatched_in_runs.end()) return 0;
  int deaths = 0;
  for (const int run : found->second) {
    if (!interrupted_runs.contains(run)) ++deaths;
  }
  return deaths;
}

SearchHistory read_search_history(const std::string& path) {
  const JournalContents contents = read_journal(path);
  SearchHistory history;
  history.dropped_torn_tail = contents.torn_tail_dropped;
  for (std::size_t i = 0; i < contents.payloads.size(); ++i) {
    const std::string& payload = contents.payloads[i];
    const std::string where = path + ": record " + std::to_string(i + 1);
    YAML::Node node;
    try {
      node = YAML::Load(payload);
    } catch (const YAML::Exception& e) {
      fail(where, ": not a JSON object (", e.msg, ")");
    }
    LATHE_CHECK(node.IsMap() && node["type"], where, ": expected a JSON object with a \"type\"");
    const std::string type = node["type"].Scalar();
    if (i == 0) {
      LATHE_CHECK(type == "experiment", where, ": expected the experiment record first, found '", type, "'");
    }
    if (type == "experiment") {
      LATHE_CHECK(node["format"].as<int>() == kJournalFormat, where, ": journal format ",
                  node["format"].Scalar(), ", this Lathe reads format ", kJournalFormat);
      history.identity = node["identity"].as<std::string>();
      history.name = node["name"].as<std::string>();
    } else if (type == "run") {
      history.runs = std::max(history.runs, node["run"].as<int>());
    } else if (type == "base") {
      history.base = recipe::metrics_from_json(last_object_field(payload, "metrics", where), where);
      if (node["file_hash"]) history.base_file_hash = node["file_hash"].as<std::string>();
    } else if (type == "asked") {
      const auto id = node["id"].as<std::int64_t>();
      history.asked[id] = {node["rung"].as<int>(), node["point"].as<std::string>()};
      history.events.push_back({HistoryEvent::Kind::asked, id});
    } else if (type == "dispatched") {
      history.dispatched_in_runs[node["id"].as<std::int64_t>()].insert(node["run"].as<int>());
    } else if (type == "result") {
      EvaluationRecord record = record_from_json(last_object_field(payload, "record", where), where);
      history.elapsed_seconds = std::max(history.elapsed_seconds, record.finished_seconds);
      history.events.push_back({HistoryEvent::Kind::result, record.id});
      history.paused_states.erase(record.id);
      history.results[record.id] = std::move(record);
    } else if (type == "probe") {
      history.probes[node["dimension"].as<std::string>()] =
          recipe::metrics_from_json(last_object_field(payload, "metrics", where), where);
    } else if (type == "paused") {
      history.paused_states[node["id"].as<std::int64_t>()] = node["state"].as<std::string>();
    } else if (type == "interrupted") {
      history.interrupted_runs.insert(node["run"].as<int>());
    } else {
      fail(where, ": unknown record type '", type, "'");
    }
  }
  return history;
}

}  // namespace lathe::search
