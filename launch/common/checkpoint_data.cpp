#include "common/checkpoint_data.h"

#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "data/normalization.h"
#include "nn/data_fit.h"

namespace lathe::launch {

data::DataConfig checkpoint_data_config(const io::Checkpoint& checkpoint,
                                        const std::string& checkpoint_path,
                                        const std::optional<std::string>& data_path,
                                        std::string& where) {
  data::DataConfig config;
  if (data_path) {
    LATHE_CHECK(data_path->ends_with(".yaml") || data_path->ends_with(".yml"), *data_path,
                ": --data expects a data section YAML file (.yaml)");
    where = *data_path;
    config::YamlReader::read(config::load_yaml_file(where), config, where);
  } else {
    const auto stored = checkpoint.text_metadata.find("data_config");
    LATHE_CHECK(stored != checkpoint.text_metadata.end(), checkpoint_path,
                ": training/data_config: absent, so its data is unknown; pass --data");
    where = checkpoint_path + ":/training/data_config";
    config::YamlReader::read(config::parse_yaml_document(stored->second, where), config, where);
  }
  // The checkpoint's own normalisation is applied instead (normalize_like).
  config.normalize = false;
  return config;
}

void check_model_fits_splits(const nn::Model& model, const data::DataSplits& splits) {
  for (const data::Dataset* split : {&splits.train, &splits.validation, &splits.test}) {
    nn::check_model_fits_data(model, *split, nn::ClassFit::at_most);
  }
}

void normalize_like(const io::Checkpoint& checkpoint, data::DataSplits& splits) {
  if (checkpoint.normalization_mean.empty()) return;
  const data::Normalization stored{checkpoint.normalization_mean, checkpoint.normalization_std};
  data::apply_normalization(stored, splits.train);
  data::apply_normalization(stored, splits.validation);
  data::apply_normalization(stored, splits.test);
  splits.normalization = stored;
}

data::DataSplits load_checkpoint_data(const io::Checkpoint& checkpoint,
                                      const std::string& checkpoint_path,
                                      const std::optional<std::string>& data_path) {
  std::string where;
  const data::DataConfig config = checkpoint_data_config(checkpoint, checkpoint_path, data_path, where);
  const auto seed = checkpoint.number_metadata.find("seed");
  const auto split_seed =
      static_cast<std::uint64_t>(seed != checkpoint.number_metadata.end() ? seed->second : 1.0);
  data::DataSplits splits = data::load_data(config, split_seed, where);
  normalize_like(checkpoint, splits);
  return splits;
}

}  // namespace lathe::launch
