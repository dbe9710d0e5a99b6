#include "recipe/fallback.h"

#include <algorithm>
#include <cmath>

#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::recipe {
namespace {

int count_unmet(const std::string& unmet) {
  return unmet.empty() ? 0 : static_cast<int>(std::count(unmet.begin(), unmet.end(), ';')) + 1;
}

FallbackAttempt parse_attempt(const YAML::Node& node, std::size_t index, const std::string& source) {
  const std::string where = config::source_line(source, node);
  const std::string label = "attempts[" + std::to_string(index) + "]";
  LATHE_CHECK(node.IsMap(), where, ": ", label, ": expected a mapping with name and recipe");
  FallbackAttempt attempt;
  attempt.name = node["name"] ? node["name"].as<std::string>() : label;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    LATHE_CHECK(key == "name" || key == "recipe" || key == "start_from", where, ": ", label, ".",
                key, ": unknown key; an attempt has name, recipe and start_from");
  }
  if (node["start_from"]) {
    attempt.start_from = node["start_from"].as<std::string>();
    LATHE_CHECK(attempt.start_from == "base" || attempt.start_from == "best", where, ": ", label,
                ".start_from: expected base or best, got '", attempt.start_from, "'");
  }
  const YAML::Node recipe = node["recipe"];
  LATHE_CHECK(recipe, where, ": ", label, ".recipe: required (a recipe file or a list of steps)");
  if (recipe.IsScalar()) {
    attempt.recipe = load_recipe(recipe.Scalar());
  } else {
    attempt.recipe = recipe_from_yaml(recipe, source, label + ".recipe.", YAML::Dump(recipe));
  }
  return attempt;
}

}  // namespace

FallbackChain parse_fallback_chain(const std::string& yaml_text, const std::string& source) {
  const YAML::Node root = config::parse_yaml_document(yaml_text, source);
  return fallback_chain_from_yaml(root, source);
}

FallbackChain fallback_chain_from_yaml(const YAML::Node& root, const std::string& source) {
  LATHE_CHECK(root.IsMap(), source, ": expected a mapping with target and attempts");
  FallbackChain chain;
  chain.source = source;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    LATHE_CHECK(key == "target" || key == "attempts", config::source_line(source, entry.first), ": ", key,
                ": unknown key; a fallback chain has target and attempts");
  }
  LATHE_CHECK(root["target"], source, ": target: required (e.g. {max_size_bytes: 12000})");
  config::YamlReader::read(root["target"], chain.target, source, "target.");
  const YAML::Node attempts = root["attempts"];
  LATHE_CHECK(attempts && attempts.IsSequence() && attempts.size() > 0, source,
              ": attempts: required, a non-empty list of {name, recipe}");
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    chain.attempts.push_back(parse_attempt(attempts[i], i, source));
  }
  return chain;
}

FallbackChain load_fallback_chain(const std::string& path) {
  return fallback_chain_from_yaml(config::load_yaml_file(path), path);
}

std::string unmet_conditions(const TargetCondition& target, const CandidateMetrics& base,
                             const CandidateMetrics& candidate) {
  std::string unmet;
  const auto add = [&](const std::string& text) { unmet += (unmet.empty() ? "" : "; ") + text; };
  if (candidate.status != CandidateStatus::ok) return std::string(status_name(candidate.status));
  if (target.max_size_bytes > 0 && candidate.size_bytes > target.max_size_bytes) {
    add("size " + std::to_string(candidate.size_bytes) + " > " + std::to_string(target.max_size_bytes));
  }
  if (target.max_accuracy_drop >= 0.0) {
    const double drop = base.validation_accuracy - candidate.validation_accuracy;
    if (!(drop <= target.max_accuracy_drop)) {
      char text[96];
      std::snprintf(text, sizeof text, "accuracy drop %.2f pt > %.2f pt", 100.0 * drop,
                    100.0 * target.max_accuracy_drop);
      add(text);
    }
  }
  if (target.max_macs > 0 && candidate.macs > target.max_macs) {
    add("MACs " + std::to_string(candidate.macs) + " > " + std::to_string(target.max_macs));
  }
  if (target.max_latency_ms > 0.0 && !(candidate.latency_batch1_ms <= target.max_latency_ms)) {
    char text[96];
    std::snprintf(text, sizeof text, "latency %.3f ms > %.3f ms", candidate.latency_batch1_ms,
                  target.max_latency_ms);
    add(text);
  }
  return unmet;
}

bool better_attempt(const AttemptRecord& a, const AttemptRecord& b) {
  const bool a_ok = a.metrics.status == CandidateStatus::ok;
  const bool b_ok = b.metrics.status == CandidateStatus::ok;
  if (a_ok != b_ok) return a_ok;
  const int a_unmet = count_unmet(a.unmet);
  const int b_unmet = count_unmet(b.unmet);
  if (a_unmet != b_unmet) return a_unmet < b_unmet;
  return a.metrics.validation_accuracy > b.metrics.validation_accuracy;
}

FallbackResult run_fallback(const FallbackChain& chain, const io::Checkpoint& base,
                            const CandidateMetrics& base_metrics, const AttemptEvaluator& evaluate) {
  FallbackResult result;
  for (const FallbackAttempt& attempt : chain.attempts) {
    const bool from_best = attempt.start_from == "best" && result.chosen >= 0;
    CompressionOutcome outcome = evaluate(attempt.recipe, from_best ? result.artifact : base);
    AttemptRecord record{attempt.name,
                         from_best ? result.attempts[static_cast<std::size_t>(result.chosen)].name
                                   : std::string("base"),
                         outcome.metrics, unmet_conditions(chain.target, base_metrics, outcome.metrics)};
    result.attempts.push_back(record);
    const bool is_best =
        record.metrics.status == CandidateStatus::ok &&
        (result.chosen < 0 ||
         better_attempt(record, result.attempts[static_cast<std::size_t>(result.chosen)]));
    if (is_best) {
      result.chosen = static_cast<int>(result.attempts.size()) - 1;
      result.artifact = std::move(outcome.artifact);
    }
    if (record.metrics.status == CandidateStatus::ok && record.unmet.empty()) {
      result.met_target = true;
      break;
    }
  }
  return result;
}

}  // namespace lathe::recipe
