#include "config/yaml_document.h"

#include <cstdint>
#include <map>
#include <vector>

#include "core/error.h"

namespace lathe::config {
namespace {

std::string position(const std::string& source, const YAML::Mark& mark) {
  if (mark.line < 0) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// How a key reads in a message and compares with its siblings: a scalar's text, or the
// flow form of a non-scalar key ({a: 1}: ...).
std::string key_text(const YAML::Node& key) {
  if (key.IsScalar()) return key.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << key;
  return out.c_str();
}

// Depth-first over the tree; `path` is the dotted key path for messages. An alias makes a
// node reachable again, so nested aliases can expand a short text exponentially (each
// reader that walks or dumps the tree would too): `visited` counts the expanded values
// and bounds them far above any real config.
void reject_duplicate_keys(const YAML::Node& node, const std::string& source, const std::string& path,
                           int depth, std::int64_t& visited) {
  constexpr int kMaxDepth = 1024;
  constexpr std::int64_t kMaxValues = 1000000;
  LATHE_CHECK(depth < kMaxDepth, position(source, node.Mark()), ": nested more than ", kMaxDepth,
              " levels deep");
  LATHE_CHECK(++visited <= kMaxValues, position(source, node.Mark()), ": the document expands to more than ",
              kMaxValues, " values (through aliases); a config is far smaller");
  if (node.IsSequence()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      reject_duplicate_keys(node[i], source, path + "[" + std::to_string(i) + "]", depth + 1, visited);
    }
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, YAML::Mark> first_seen;
  for (const auto& entry : node) {
    const std::string key = key_text(entry.first);
    const std::string dotted = path.empty() ? key : path + "." + key;
    const auto [seen, inserted] = first_seen.emplace(key, entry.first.Mark());
    if (!inserted) {
      fail(position(source, entry.first.Mark()), ": ", dotted, ": key given twice",
           seen->second.line >= 0 ? " (first at line " + std::to_string(seen->second.line + 1) + ")" : "",
           "; give each key once");
    }
    reject_duplicate_keys(entry.second, source, dotted, depth + 1, visited);
  }
}

}  // namespace

YAML::Node parse_yaml_document(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    fail(position(source, e.mark), ": not valid YAML: ", e.msg);
  }
  if (documents.empty()) return YAML::Node();
  if (documents.size() > 1) {
    fail(position(source, documents[1].Mark()), ": a second YAML document (after '---'); ",
         "expected one document per file, found ", documents.size());
  }
  std::int64_t visited = 0;
  reject_duplicate_keys(documents.front(), source, "", 0, visited);
  return documents.front();
}

}  // namespace lathe::config
