#include "nn/train_config.h"

#include "config/yaml_reader.h"

namespace lathe::nn {

TrainConfig load_train_config(const std::string& path, std::string* data_yaml) {
  return parse_train_config(config::load_yaml_file(path), path, data_yaml);
}

TrainConfig parse_train_config(const YAML::Node& root, const std::string& source, std::string* data_yaml) {
  TrainConfig config;
  config::YamlReader::read(root, config, source);
  if (data_yaml != nullptr) {
    const YAML::Node& const_root = root;
    *data_yaml = const_root["data"] ? YAML::Dump(const_root["data"]) : std::string("{}");
  }
  return config;
}

}  // namespace lathe::nn
