#include "campaign/campaign_file.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "campaign/task_experiment.h"
#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::campaign {
namespace {

// Labels become parts of folder names joined by '-', so they hold neither '-' nor '/'.
void check_label(const std::string& label, const std::string& where, const std::string& key) {
  const bool readable = !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  LATHE_CHECK(readable, where, ": ", key,
              ": expected letters, digits and _ only (it names task folders, joined by '-'), got '", label, "'");
}

void check_unique(std::set<std::string>& seen, const std::string& label, const std::string& where,
                  const std::string& key) {
  LATHE_CHECK(seen.insert(label).second, where, ": ", key, ": '", label,
              "' is named twice (task folders would collide)");
}

// A non-empty YAML list, or one clear message.
void check_list(const YAML::Node& node, const std::string& where, const std::string& key, const std::string& of) {
  LATHE_CHECK(node.IsSequence() && node.size() > 0, where, ": ", key, ": expected a non-empty list of ", of,
              ", got ", node.IsSequence() ? "an empty list" : node.IsMap() ? "a mapping" : "'" + node.Scalar() + "'");
}

std::vector<std::int64_t> read_seeds(const YAML::Node& node, const std::string& source) {
  check_list(node, config::source_line(source, node), "seeds", "integers");
  std::vector<std::int64_t> seeds;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string where = config::source_line(source, node[i]);
    const std::string key = "seeds[" + std::to_string(i) + "]";
    const std::string text = node[i].IsScalar() ? node[i].Scalar() : "";
    std::int64_t seed = -1;
    const auto parsed = std::from_chars(text.data(), text.data() + text.size(), seed);
    LATHE_CHECK(node[i].IsScalar() && parsed.ec == std::errc() && parsed.ptr == text.data() + text.size() &&
                    seed >= 0 && seed <= 4600000000000000000LL,
                where, ": ", key, ": expected an integer in [0, 4.6e18] (an experiment seed), got ",
                node[i].IsScalar() ? "'" + text + "'" : node[i].IsMap() ? "a mapping" : "a list");
    LATHE_CHECK(std::find(seeds.begin(), seeds.end(), seed) == seeds.end(), where, ": ", key, ": seed ", seed,
                " is named twice");
    seeds.push_back(seed);
  }
  return seeds;
}

template <class Entry>
std::vector<Entry> read_entries(const YAML::Node& node, const std::string& source, const std::string& key,
                                std::vector<YAML::Node>* nodes) {
  std::vector<Entry> entries;
  std::set<std::string> labels;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string item = key + "[" + std::to_string(i) + "]";
    Entry entry;
    config::YamlReader::read(node[i], entry, source, item + ".");
    const std::string where = config::source_line(source, node[i]);
    check_label(entry.label, where, item + ".label");
    check_unique(labels, entry.label, where, item + ".label");
    entries.push_back(std::move(entry));
    if (nodes != nullptr) nodes->push_back(node[i]);
  }
  return entries;
}

std::string read_text_file(const std::string& path, const std::string& where, const std::string& key) {
  std::ifstream in(path);
  LATHE_CHECK(in.good() && std::filesystem::is_regular_file(path), where, ": ", key, ": ", path,
              ": no such file (expected an experiment YAML file)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<CampaignTask> matrix(const Campaign& campaign) {
  std::vector<int> bases;  // -1: the experiment's own
  for (std::size_t b = 0; b < campaign.bases.size(); ++b) bases.push_back(static_cast<int>(b));
  if (bases.empty()) bases.push_back(-1);
  std::vector<CampaignTask> tasks;
  for (std::size_t e = 0; e < campaign.experiment_labels.size(); ++e) {
    for (const int b : bases) {
      for (std::size_t s = 0; s < campaign.strategies.size(); ++s) {
        for (const std::int64_t seed : campaign.seeds) {
          CampaignTask task;
          task.index = tasks.size();
          task.experiment = e;
          task.base = b;
          task.strategy = s;
          task.seed = seed;
          task.experiment_label = campaign.experiment_labels[e];
          task.base_label = b < 0 ? "" : campaign.bases[static_cast<std::size_t>(b)].label;
          task.strategy_label = campaign.strategies[s].label;
          task.name = task.experiment_label + (b < 0 ? "" : "-" + task.base_label) + "-" + task.strategy_label +
                      "-seed" + std::to_string(seed);
          tasks.push_back(std::move(task));
        }
      }
    }
  }
  return tasks;
}

// The experiment files, each checked as `lathe search` checks it, then every task's
// experiment (its overrides may break a cross-key rule, e.g. more sensitivity seeds than
// the population): a failure names the campaign's entry and the experiment.
void read_experiments(Campaign& campaign, const YAML::Node& root, const std::string& source) {
  const YAML::Node list = root["experiments"];
  for (std::size_t i = 0; i < campaign.file.experiments.size(); ++i) {
    const std::string& path = campaign.file.experiments[i];
    const std::string where = config::source_line(source, list[i]);
    CampaignExperiment experiment;
    experiment.path = path;
    experiment.text = read_text_file(path, where, "experiments[" + std::to_string(i) + "]");
    experiment.experiment = search::parse_experiment(experiment.text, path);
    experiment.root = YAML::Load(experiment.text);
    const double own_drop = experiment.experiment.file.constraints.max_accuracy_drop;
    LATHE_CHECK(campaign.file.summary.reference_accuracy_drop >= 0.0 || own_drop >= 0.0, source,
                ": summary.reference_accuracy_drop: ", path,
                " has no constraints.max_accuracy_drop, so the hypervolume's reference point needs this; "
                "expected a number in [0, 1], got none");
    campaign.experiments.push_back(std::move(experiment));
  }
  for (const CampaignTask& task : campaign.tasks) {
    try {
      (void)task_experiment(campaign, task);
    } catch (const Error& e) {
      const YAML::Node& entry = campaign.strategy_nodes[task.strategy];
      fail(config::source_line(source, entry), ": strategies[", task.strategy, "] (", task.strategy_label,
           ") on ", campaign.file.experiments[task.experiment],
           task.base < 0 ? "" : " with base " + task.base_label, ": ", e.what());
    }
  }
}

}  // namespace

Campaign parse_campaign(const std::string& yaml_text, const std::string& source, Reading reading) {
  YAML::Node loaded;
  try {
    loaded = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    fail(source, ":", e.mark.line + 1, ": not valid YAML: ", e.msg);
  }
  const YAML::Node& root = loaded;  // const: yaml-cpp's non-const [] inserts keys
  Campaign campaign;
  campaign.path = source;
  campaign.yaml_text = yaml_text;
  config::YamlReader::read(root, campaign.file, source);
  CampaignFile& file = campaign.file;
  check_label(file.name, config::source_line(source, root["name"]), "name");

  const YAML::Node experiments = root["experiments"];
  LATHE_CHECK(experiments, source, ": experiments: required key is missing");
  check_list(experiments, config::source_line(source, experiments), "experiments", "experiment files");
  std::set<std::string> labels;
  for (std::size_t i = 0; i < file.experiments.size(); ++i) {
    const std::string key = "experiments[" + std::to_string(i) + "]";
    const std::string where = config::source_line(source, experiments[i]);
    const std::filesystem::path path(file.experiments[i]);
    LATHE_CHECK(path.extension() == ".yaml" || path.extension() == ".yml", where, ": ", key,
                ": expected an experiment file ending in .yaml, got '", file.experiments[i], "'");
    const std::string label = path.stem().string();
    check_label(label, where, key + " (the file's name)");
    check_unique(labels, label, where, key + " (the file's name)");
    campaign.experiment_labels.push_back(label);
  }

  check_list(file.strategies, config::source_line(source, file.strategies), "strategies",
             "strategy entries {label: NAME, name: nsga2|random|grid, ...}");
  campaign.strategies = read_entries<StrategyEntry>(file.strategies, source, "strategies", &campaign.strategy_nodes);
  campaign.seeds = read_seeds(file.seeds, source);
  if (file.bases && !file.bases.IsNull()) {
    check_list(file.bases, config::source_line(source, file.bases), "bases", "base entries {label: NAME, base: PATH}");
    campaign.bases = read_entries<BaseEntry>(file.bases, source, "bases", nullptr);
  }
  campaign.budget_given = static_cast<bool>(root["budget"]) && !root["budget"].IsNull();
  if (campaign.budget_given) {
    LATHE_CHECK(file.budget.evaluations > 0 || file.budget.wall_minutes > 0.0, config::source_line(source, root["budget"]),
                ": budget: expected evaluations or wall_minutes greater than 0 (a search needs an end)");
  }
  for (std::size_t i = 0; i < file.slurm.options.size(); ++i) {
    const std::string& option = file.slurm.options[i];
    LATHE_CHECK(option.rfind("--", 0) == 0 && option.size() > 2 && option.find('\n') == std::string::npos,
                config::source_line(source, root["slurm"]["options"][i]), ": slurm.options[", i,
                "]: expected an sbatch option `--name=value`, got '", option, "'");
  }
  campaign.tasks = matrix(campaign);
  if (reading == Reading::experiments) read_experiments(campaign, root, source);
  return campaign;
}

Campaign load_campaign(const std::string& path, Reading reading) {
  std::ifstream in(path);
  LATHE_CHECK(in.good() && std::filesystem::is_regular_file(path), path,
              ": no such file (expected a campaign YAML file)");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_campaign(text.str(), path, reading);
}

std::string task_folder(const Campaign& campaign, const CampaignTask& task) {
  return (std::filesystem::path(campaign.file.output) / task.name).string();
}

}  // namespace lathe::campaign
