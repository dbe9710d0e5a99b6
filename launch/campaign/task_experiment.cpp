#include "campaign/task_experiment.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "core/error.h"

namespace lathe::campaign {
namespace {

std::string flow_yaml(const YAML::Node& node) {
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

// A scalar quoted where YAML needs it (a path with ': ' or '#').
std::string scalar_yaml(const std::string& text) {
  YAML::Emitter out;
  out << text;
  return out.c_str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `text` with the top-level keys in `replaced` commented out, each from its own line to
// the line before the next top-level key. Empty when the file is not a block mapping of
// one key per line (then the caller writes the experiment out afresh).
std::string without_keys(const std::string& text, const YAML::Node& root, const std::set<std::string>& replaced) {
  if (!root.IsMap() || root.Style() == YAML::EmitterStyle::Flow) return "";
  std::vector<std::pair<int, std::string>> starts;
  for (const auto& entry : root) starts.emplace_back(entry.first.Mark().line, entry.first.Scalar());
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 0; i + 1 < starts.size(); ++i) {
    if (starts[i].first == starts[i + 1].first || starts[i].first < 0) return "";
  }
  std::vector<std::string> lines = split_lines(text);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    if (!replaced.contains(starts[i].second)) continue;
    const std::size_t end = i + 1 < starts.size() ? static_cast<std::size_t>(starts[i + 1].first) : lines.size();
    for (std::size_t line = static_cast<std::size_t>(starts[i].first); line < end && line < lines.size(); ++line) {
      lines[line] = "#~ " + lines[line];
    }
  }
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace

std::string task_experiment_text(const Campaign& campaign, const CampaignTask& task) {
  LATHE_CHECK(task.experiment < campaign.experiments.size(), campaign.path,
              ": the experiments were not read (internal: parse the campaign with Reading::experiments)");
  const CampaignExperiment& source = campaign.experiments[task.experiment];
  std::vector<std::pair<std::string, std::string>> values = {
      {"name", scalar_yaml(task.name)},
      {"seed", std::to_string(task.seed)},
      {"output", scalar_yaml(task_folder(campaign, task))}};
  YAML::Node strategy = YAML::Clone(campaign.strategy_nodes[task.strategy]);
  strategy.remove("label");
  values.emplace_back("strategy", flow_yaml(strategy));
  if (campaign.budget_given) values.emplace_back("budget", flow_yaml(YAML::Load(campaign.yaml_text)["budget"]));
  if (task.base >= 0) {
    const BaseEntry& base = campaign.bases[static_cast<std::size_t>(task.base)];
    values.emplace_back("base", scalar_yaml(base.base));
    if (!base.train.empty()) values.emplace_back("train", scalar_yaml(base.train));
  }
  std::set<std::string> replaced;
  for (const auto& [key, value] : values) replaced.insert(key);
  // A base entry without a training config: the experiment's `train` would train another.
  if (task.base >= 0) replaced.insert("train");

  std::string text = without_keys(source.text, source.root, replaced);
  if (text.empty()) {
    YAML::Node rest = YAML::Clone(source.root);
    for (const std::string& key : replaced) rest.remove(key);
    YAML::Emitter out;
    out << rest;
    text = std::string(out.c_str()) + "\n";
  }
  text += "# lathe campaign " + campaign.file.name + ", task " + std::to_string(task.index) + " (" + task.name +
          "): the keys commented out with '#~' are replaced by these\n";
  for (const auto& [key, value] : values) text += key + ": " + value + "\n";
  return text;
}

search::Experiment task_experiment(const Campaign& campaign, const CampaignTask& task) {
  return search::parse_experiment(task_experiment_text(campaign, task),
                                  campaign.experiments[task.experiment].path);
}

}  // namespace lathe::campaign
