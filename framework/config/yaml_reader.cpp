#include "config/yaml_reader.h"

#include "config/yaml_document.h"
#include "io/path_checks.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <sstream>

namespace lathe::config {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string shown(const YAML::Node& field) {
  if (field.IsScalar()) return "'" + field.Scalar() + "'";
  if (field.IsSequence()) return "a list";
  if (field.IsMap()) return "a mapping";
  return "nothing";
}

}  // namespace

YAML::Node load_yaml_file(const std::string& path) {
  return parse_yaml_document(io::read_text_file(path, "a YAML file"), path);
}

std::string source_line(const std::string& source, const YAML::Node& node) {
  return node.Mark().line >= 0 ? source + ":" + std::to_string(node.Mark().line + 1) : source;
}

std::string nearest_word(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // Suggest only when at most a third of the word differs.
  return best_distance <= std::max<std::size_t>(2, word.size() / 3) ? best : "";
}

YamlReader::YamlReader(YAML::Node node, std::string where, std::string prefix)
    : node_(std::move(node)), where_(std::move(where)), prefix_(std::move(prefix)) {
  if (!node_.IsNull() && !node_.IsMap()) {
    const std::string section = prefix_.empty() ? "the file" : prefix_.substr(0, prefix_.size() - 1);
    fail(where_, location(node_), ": ", section, ": expected a mapping of keys to values, got ",
         shown(node_));
  }
}

std::string YamlReader::location(const YAML::Node& field) const {
  const YAML::Mark mark = field.Mark();
  if (mark.line < 0) return "";
  return ":" + std::to_string(mark.line + 1);
}

void YamlReader::fail_at(const char* key, const std::string& message) const {
  const YAML::Node& map = node_;  // const access: yaml-cpp's non-const [] inserts keys
  const YAML::Node field = map.IsMap() ? map[key] : YAML::Node();
  fail(where_, field ? location(field) : location(node_), ": ", prefix_, key, ": ", message);
}

std::optional<YAML::Node> YamlReader::lookup(const char* key, Presence presence) {
  known_keys_.emplace_back(key);
  const YAML::Node& map = node_;  // const access: yaml-cpp's non-const [] inserts keys
  if (map.IsMap()) {
    YAML::Node field = map[key];
    if (field && !field.IsNull()) return field;
  }
  if (presence == Presence::required) missing_required_.emplace_back(key);
  return std::nullopt;
}

double YamlReader::parse_number(const char* key, const YAML::Node& field, bool integral,
                                const Range& range) const {
  const std::string expected = std::string(integral ? "an integer" : "a number") +
                               (range.describe().empty() ? "" : " " + range.describe());
  if (!field.IsScalar()) fail_at(key, "expected " + expected + ", got " + shown(field));
  const std::string& text = field.Scalar();
  double value = 0.0;
  std::istringstream in(text);
  in >> value;
  if (in.fail() || !in.eof()) fail_at(key, "expected " + expected + ", got '" + text + "'");
  if (integral && value != std::floor(value)) {
    fail_at(key, "expected " + expected + ", got '" + text + "'");
  }
  if (!range.contains(value)) fail_at(key, "expected " + expected + ", got " + text);
  return value;
}

void YamlReader::require_held(const char* key, const std::string& text, double value, double lowest,
                              double largest) const {
  if (value >= lowest && value <= largest) return;
  std::ostringstream limits;
  limits << std::setprecision(17) << lowest << " to " << largest;
  fail_at(key, "expected a value from " + limits.str() + " (what this key holds), got " + text);
}

void YamlReader::flag(const char* key, bool& value, const char* /*help*/) {
  const std::optional<YAML::Node> found = lookup(key, Presence::optional);
  if (!found) return;
  const YAML::Node& field = *found;
  if (field.IsScalar()) {
    const std::string& text = field.Scalar();
    if (text == "true") {
      value = true;
      return;
    }
    if (text == "false") {
      value = false;
      return;
    }
  }
  fail_at(key, "expected true or false, got " + shown(field));
}

void YamlReader::text(const char* key, std::string& value, const char* /*help*/,
                      Presence presence) {
  const std::optional<YAML::Node> found = lookup(key, presence);
  if (!found) return;
  const YAML::Node& field = *found;
  if (!field.IsScalar()) fail_at(key, "expected a string, got " + shown(field));
  value = field.Scalar();
}

void YamlReader::choice(const char* key, std::string& value, const Choices& choices,
                        const char* /*help*/) {
  const std::optional<YAML::Node> found = lookup(key, Presence::optional);
  if (!found) return;
  const YAML::Node& field = *found;
  if (!field.IsScalar()) fail_at(key, "expected " + choices.describe() + ", got " + shown(field));
  const std::string& word = field.Scalar();
  if (!choices.contains(word)) {
    const std::string near = nearest_word(word, choices.words);
    fail_at(key, "expected " + choices.describe() + ", got '" + word + "'" +
                     (near.empty() ? "" : " (did you mean '" + near + "'?)"));
  }
  value = word;
}

void YamlReader::texts(const char* key, std::vector<std::string>& values, const char* /*help*/) {
  const std::optional<YAML::Node> found = lookup(key, Presence::optional);
  if (!found) return;
  const YAML::Node& field = *found;
  if (!field.IsSequence()) fail_at(key, "expected a list of strings, got " + shown(field));
  values.clear();
  for (const YAML::Node& item : field) {
    if (!item.IsScalar()) fail_at(key, "expected a list of strings, found " + shown(item) + " in it");
    values.push_back(item.Scalar());
  }
}

void YamlReader::numbers(const char* key, std::vector<double>& values, Range range,
                         const char* /*help*/) {
  const std::optional<YAML::Node> found = lookup(key, Presence::optional);
  if (!found) return;
  const YAML::Node& field = *found;
  if (!field.IsSequence()) fail_at(key, "expected a list of numbers, got " + shown(field));
  values.clear();
  for (const YAML::Node& item : field) values.push_back(parse_number(key, item, false, range));
}

void YamlReader::node(const char* key, YAML::Node& value, const char* /*help*/,
                      Presence presence) {
  const std::optional<YAML::Node> found = lookup(key, presence);
  if (found) value = *found;
}

void YamlReader::finish() const {
  for (const auto& entry : node_) {  // a null node (empty section) iterates nothing
    const std::string key = entry.first.Scalar();
    if (std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end()) continue;
    const std::string near = nearest_word(key, known_keys_);
    std::string known;
    for (const std::string& k : known_keys_) known += (known.empty() ? "" : ", ") + k;
    fail(where_, location(entry.first), ": ", prefix_, key, ": unknown key",
         near.empty() ? "" : " (did you mean '" + near + "'?)", "; known keys here: ", known);
  }
  if (!missing_required_.empty()) {
    fail(where_, location(node_), ": ", prefix_, missing_required_.front(),
         ": required key is missing");
  }
}

}  // namespace lathe::config
