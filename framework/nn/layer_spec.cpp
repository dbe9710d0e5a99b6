#include "nn/layer_spec.h"

#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml_document.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "io/path_checks.h"

namespace lathe::nn {
namespace {

struct InputShapeSection {
  int channels = 0;
  int height = 0;
  int width = 0;
  template <class V>
  void visit(V& v) {
    v.number("channels", channels, config::Range::closed(1, 65536), "input channels",
             config::Presence::required);
    v.number("height", height, config::Range::closed(1, 65536), "input height in pixels",
             config::Presence::required);
    v.number("width", width, config::Range::closed(1, 65536), "input width in pixels",
             config::Presence::required);
  }
};

LayerSpec parse_layer(const YAML::Node& node, std::size_t index, const std::string& source,
                      const std::string& previous) {
  LayerSpec layer;
  layer.where = config::source_line(source, node);
  const std::string label = "layers[" + std::to_string(index) + "]";
  LATHE_CHECK(node.IsMap(), layer.where, ": ", label, ": expected a mapping with name and type");
  const YAML::Node name = node["name"];
  const YAML::Node type = node["type"];
  LATHE_CHECK(name && name.IsScalar() && !name.Scalar().empty(), layer.where, ": ", label,
              ".name: required (a unique layer name)");
  layer.name = name.Scalar();
  LATHE_CHECK(layer.name != kModelInputName, layer.where, ": ", label, ".name: '",
              kModelInputName, "' is reserved for the model input");
  LATHE_CHECK(type && type.IsScalar(), layer.where, ": layers.", layer.name,
              ".type: required (e.g. conv2d, linear, relu)");
  layer.type = type.Scalar();
  layer.params = YAML::Node(YAML::NodeType::Map);
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (key == "name" || key == "type") continue;
    if (key == "inputs") {
      const YAML::Node& list = entry.second;
      LATHE_CHECK(list.IsSequence() && list.size() > 0, layer.where, ": layers.", layer.name,
                  ".inputs: expected a non-empty list of layer names");
      for (const YAML::Node& item : list) layer.inputs.push_back(item.Scalar());
      continue;
    }
    layer.params[key] = entry.second;
  }
  if (layer.inputs.empty()) layer.inputs.push_back(previous);
  return layer;
}

}  // namespace

LayerSpec::LayerSpec(const LayerSpec& other)
    : name(other.name),
      type(other.type),
      inputs(other.inputs),
      params(YAML::Clone(other.params)),
      where(other.where) {}

LayerSpec& LayerSpec::operator=(const LayerSpec& other) {
  if (this == &other) return *this;
  name = other.name;
  type = other.type;
  inputs = other.inputs;
  params.reset(YAML::Clone(other.params));
  where = other.where;
  return *this;
}

LayerSpec& LayerSpec::operator=(LayerSpec&& other) noexcept {
  name = std::move(other.name);
  type = std::move(other.type);
  inputs = std::move(other.inputs);
  params.reset(other.params);
  where = std::move(other.where);
  return *this;
}

ModelSpec parse_model_spec(const std::string& yaml_text, const std::string& source) {
  const YAML::Node root = config::parse_yaml_document(yaml_text, source);
  LATHE_CHECK(root.IsMap(), source, ": expected a model spec mapping with input and layers");
  ModelSpec spec;
  spec.yaml_text = yaml_text;
  spec.source = source;
  for (const auto& entry : root) {
    const std::string key = entry.first.Scalar();
    if (key != "name" && key != "input" && key != "layers") {
      const std::string near = config::nearest_word(key, {"name", "input", "layers"});
      fail(config::source_line(source, entry.first), ": ", key, ": unknown key",
           near.empty() ? "" : " (did you mean '" + near + "'?)",
           "; a model spec has name, input and layers");
    }
  }
  if (root["name"]) spec.name = root["name"].as<std::string>();
  LATHE_CHECK(root["input"], source, ": input: required (channels, height, width)");
  InputShapeSection input;
  config::YamlReader::read(root["input"], input, source, "input.");
  spec.channels = input.channels;
  spec.height = input.height;
  spec.width = input.width;

  const YAML::Node layers = root["layers"];
  LATHE_CHECK(layers && layers.IsSequence() && layers.size() > 0, source,
              ": layers: required, a non-empty list of layers");
  std::set<std::string> defined = {kModelInputName};
  std::string previous = kModelInputName;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerSpec layer = parse_layer(layers[i], i, source, previous);
    LATHE_CHECK(!defined.contains(layer.name), layer.where, ": layers.", layer.name,
                ": duplicate layer name");
    for (const std::string& input_name : layer.inputs) {
      LATHE_CHECK(defined.contains(input_name), layer.where, ": layers.", layer.name,
                  ".inputs: '", input_name,
                  "' is not the name of an earlier layer or 'input' (inputs must be defined "
                  "before use)");
    }
    defined.insert(layer.name);
    previous = layer.name;
    spec.layers.push_back(std::move(layer));
  }
  return spec;
}

ModelSpec load_model_spec(const std::string& path) {
  return parse_model_spec(io::read_text_file(path, "a model spec YAML file"), path);
}

std::string model_spec_to_yaml(const ModelSpec& spec) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.name;
  out << YAML::Key << "input" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "channels" << YAML::Value << spec.channels;
  out << YAML::Key << "height" << YAML::Value << spec.height;
  out << YAML::Key << "width" << YAML::Value << spec.width << YAML::EndMap;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const LayerSpec& layer : spec.layers) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << layer.name;
    out << YAML::Key << "type" << YAML::Value << layer.type;
    for (const auto& entry : layer.params) {
      out << YAML::Key << entry.first << YAML::Value << entry.second;
    }
    out << YAML::Key << "inputs" << YAML::Value << YAML::Flow << layer.inputs;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

ModelSpec rebuilt_model_spec(const ModelSpec& edited, const std::string& source) {
  return parse_model_spec(model_spec_to_yaml(edited), source);
}

}  // namespace lathe::nn
