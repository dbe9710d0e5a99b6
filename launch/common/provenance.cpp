#include "common/provenance.h"

#include <chrono>
#include <ctime>

#include "recipe/json_text.h"

namespace lathe::launch {

void record_provenance(io::Checkpoint& artifact, const io::Checkpoint& base,
                       const std::string& base_path, const recipe::Recipe& recipe,
                       const recipe::CandidateMetrics& metrics) {
  artifact.text_metadata["recipe"] = recipe.yaml_text;
  artifact.text_metadata["recipe_json"] = recipe::recipe_to_json(recipe);
  artifact.text_metadata["base_checkpoint"] = base_path;
  artifact.text_metadata["created"] = utc_timestamp();
  artifact.text_metadata["lathe_version"] = LATHE_VERSION;
  for (const char* key : {"data_config", "model_name"}) {
    const auto found = base.text_metadata.find(key);
    if (found != base.text_metadata.end()) artifact.text_metadata[key] = found->second;
  }
  const auto seed = base.number_metadata.find("seed");
  if (seed != base.number_metadata.end()) artifact.number_metadata["seed"] = seed->second;
  artifact.number_metadata["validation_loss"] = metrics.validation_loss;
  artifact.number_metadata["validation_accuracy"] = metrics.validation_accuracy;
  artifact.number_metadata["test_accuracy"] = metrics.test_accuracy;
  artifact.number_metadata["size_bytes"] = static_cast<double>(metrics.size_bytes);
  artifact.number_metadata["parameter_count"] = static_cast<double>(metrics.parameter_count);
  artifact.number_metadata["macs"] = static_cast<double>(metrics.macs);
  artifact.number_metadata["compress_seconds"] = metrics.wall_seconds;
}

std::string utc_timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace lathe::launch
