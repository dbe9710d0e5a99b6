// One text per meaning of a YAML value: mappings with their keys sorted, flow or block
// style, comments and quoting gone, numbers in one spelling. What identities and hashes of
// configs are computed from (a search's experiment, a candidate's recipe).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

namespace lathe::config {

// JSON text: {"a": 1, "b": [0.5, "l1"]}; keys sorted, null values dropped, plain numeric
// scalars in one spelling (0.50 and 0.5, 8.0 and 8, 1e-2 and 0.01), quoted scalars as
// strings, true/false as themselves.
std::string canonical_yaml_text(const YAML::Node& node);

// 64-bit FNV-1a of `text`, as 16 lower-case hex digits.
std::string fnv1a_hex(const std::string& text);

}  // namespace lathe::config
