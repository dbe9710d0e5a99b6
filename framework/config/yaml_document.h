// Parses the text of one YAML config file strictly: exactly one document (a second one
// after `---` would be silently ignored by a plain load), no mapping key given twice
// (yaml-cpp keeps both and a lookup finds only the first), and parse errors at
// file:line:column. Every config reader loads its text through here.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

namespace lathe::config {

// The document in `text`; a null node for empty text. `source` names the file in messages:
//   configs/train/lenet5.yaml:4:3: optimizer.lr: key given twice (first at line 3)
YAML::Node parse_yaml_document(const std::string& text, const std::string& source);

}  // namespace lathe::config
