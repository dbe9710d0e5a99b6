// A number key that also takes a mapping from layer names to numbers, with `default` for
// the layers it does not name: quantize's `weight_bits: {default: 4, conv1: 8}`, prune's
// `ratio: {default: 0.5, conv2: 0.3}`. The section declares the key once, as a number;
// each value of the mapping is checked against that declaration's range, so both forms
// accept the same numbers. Whether the names are layers of the model is the step's to
// check (it knows the model), with the key "<key>.<layer>".
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/field_checks.h"
#include "config/yaml_reader.h"

namespace lathe::config {

// The key of a mapping that names the value of the layers it does not name.
inline constexpr const char* kDefaultLayerKey = "default";

namespace detail {

// Finds the range a section declares for one number key; ignores every other field.
class DeclaredRange {
 public:
  explicit DeclaredRange(std::string key) : key_(std::move(key)) {}

  template <class Number>
  void number(const char* key, Number& /*value*/, Range range, const char* /*help*/,
              Presence /*presence*/ = Presence::optional) {
    if (key_ == key) range_ = range;
  }
  void flag(const char*, bool&, const char*) {}
  void text(const char*, std::string&, const char*, Presence = Presence::optional) {}
  void choice(const char*, std::string&, const Choices&, const char*) {}
  void texts(const char*, std::vector<std::string>&, const char*) {}
  void numbers(const char*, std::vector<double>&, Range, const char*) {}
  template <class Section>
  void section(const char*, Section&, const char*, Presence = Presence::optional) {}

  [[nodiscard]] const Range& range() const { return range_; }

 private:
  std::string key_;
  Range range_;
};

// The entries of the mapping form, as a section whose keys are the layer names.
template <class Number>
struct ByLayerEntries {
  std::vector<std::pair<std::string, Number>> entries;
  Range range;
  template <class V>
  void visit(V& v) {
    for (auto& [layer, value] : entries) {
      v.number(layer.c_str(), value, range, "this layer's value");
    }
  }
};

}  // namespace detail

// Reads `section` from `node` as YamlReader::read does, except that when `key` is a
// mapping, its entries go to `by_layer` (errors read "<where>:<line>: <prefix><key>.conv1:
// expected a number in [0, 1), got 1") and the section's own field keeps its default.
template <class Section, class Number>
void read_with_by_layer(const YAML::Node& node, Section& section, const char* key,
                        std::map<std::string, Number>& by_layer, const std::string& where,
                        const std::string& prefix) {
  const YAML::Node& map = node;  // const access: yaml-cpp's non-const [] inserts keys
  if (!map.IsMap() || !map[key] || !map[key].IsMap()) {
    YamlReader::read(node, section, where, prefix);
    return;
  }
  detail::DeclaredRange declared(key);
  section.visit(declared);
  detail::ByLayerEntries<Number> values;
  values.range = declared.range();
  for (const auto& entry : map[key]) {
    // The reader takes a null value for an absent key; here it would be a silent 0.
    if (entry.second.IsNull()) {
      const std::string range = values.range.describe();
      fail(source_line(where, entry.first), ": ", prefix, key, ".", entry.first.Scalar(),
           ": expected ", std::is_integral_v<Number> ? "an integer" : "a number",
           range.empty() ? "" : " " + range, ", got nothing");
    }
    values.entries.emplace_back(entry.first.Scalar(), Number{});
  }
  YamlReader::read(map[key], values, where, prefix + key + ".");
  by_layer.clear();
  for (const auto& [layer, value] : values.entries) by_layer[layer] = value;
  // The other keys, without `key` (yaml-cpp assignment would alias `node`, so this is a
  // fresh node filled entry by entry).
  YAML::Node rest(YAML::NodeType::Map);
  for (const auto& entry : map) {
    if (entry.first.Scalar() != key) rest[entry.first.Scalar()] = entry.second;
  }
  YamlReader::read(rest, section, where, prefix);
}

// The value of the layers the mapping does not name: its `default`, else `fallback`
// (the number form, or the section's default).
template <class Number>
Number by_layer_default(const std::map<std::string, Number>& by_layer, Number fallback) {
  const auto found = by_layer.find(kDefaultLayerKey);
  return found != by_layer.end() ? found->second : fallback;
}

// The value of `layer`: its own entry, else the default as above.
template <class Number>
Number by_layer_value(const std::map<std::string, Number>& by_layer, const std::string& layer,
                      Number fallback) {
  const auto found = by_layer.find(layer);
  return found != by_layer.end() ? found->second : by_layer_default(by_layer, fallback);
}

}  // namespace lathe::config
