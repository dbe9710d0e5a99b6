#include "config/yaml_document.h"

#include <cstdint>
#include <yaml-cpp/eventhandler.h>

#include <map>
#include <sstream>

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

// Counts documents as the parser reports them, keeping where the second one starts.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 2) second_ = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  [[nodiscard]] const YAML::Mark& second() const { return second_; }

 private:
  int documents_ = 0;
  YAML::Mark second_ = YAML::Mark::null_mark();
};

// Parses past the first document: a second one (after '---'), or text after the first
// that is no YAML at all, is an error. At most two documents are asked for: on some
// malformed text yaml-cpp 0.7 reports empty documents without end (found by
// fuzz/fuzz_config), so YAML::LoadAll would never return.
void reject_text_after_first_document(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentCounter counter;
  if (parser.HandleNextDocument(counter) && parser.HandleNextDocument(counter)) {
    fail(position(source, counter.second()), ": a second YAML document; expected one document per ",
         "file (a '---' or '...' line ends the first)");
  }
}

}  // namespace

YAML::Node parse_yaml_document(const std::string& text, const std::string& source) {
  YAML::Node document;
  try {
    document = YAML::Load(text);
    reject_text_after_first_document(text, source);
  } catch (const YAML::Exception& e) {
    fail(position(source, e.mark), ": not valid YAML: ", e.msg);
  }
  std::int64_t visited = 0;
  reject_duplicate_keys(document, source, "", 0, visited);
  return document;
}

}  // namespace lathe::config
