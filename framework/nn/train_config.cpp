#include "nn/train_config.h"

#include "config/yaml_reader.h"

namespace lathe::nn {

TrainConfig load_train_config(const std::string& path, std::string* data_yaml) {
  const YAML::Node root = config::load_yaml_file(path);
  TrainConfig config;
  config::YamlReader::read(root, config, path);
  if (data_yaml != nullptr) {
    const YAML::Node& const_root = root;
    *data_yaml = const_root["data"] ? YAML::Dump(const_root["data"]) : std::string("{}");
  }
  return config;
}

}  // namespace lathe::nn
