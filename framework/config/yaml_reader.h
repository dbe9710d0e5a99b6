// Reads one config section from a YAML mapping through the section's own field
// declarations (`template <class V> void visit(V&)`), checks every value against its
// declared range or choices, and rejects keys the section does not declare, suggesting
// the nearest known one. Errors read
//   configs/train/lenet5.yaml:7: optimizer.lr: expected a number greater than 0, got -1
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "config/field_checks.h"
#include "core/error.h"

namespace lathe::config {

// Loads a YAML file; a missing or unparsable file is a lathe::Error naming it.
YAML::Node load_yaml_file(const std::string& path);
// "file:line" of a node for messages ("file" when the node has no position).
std::string source_line(const std::string& source, const YAML::Node& node);
// The closest of `candidates` to `word` by edit distance, or "" when none is close.
std::string nearest_word(const std::string& word, const std::vector<std::string>& candidates);

class YamlReader {
 public:
  // `where` is the file (for messages); `prefix` the dotted path of this section ("" at
  // the top, "optimizer." inside a section).
  YamlReader(YAML::Node node, std::string where, std::string prefix);

  // Reads `section` from `node`, then rejects undeclared keys.
  template <class Section>
  static void read(const YAML::Node& node, Section& section, const std::string& where,
                   const std::string& prefix = "") {
    YamlReader reader(node, where, prefix);
    section.visit(reader);
    reader.finish();
  }

  template <class Number>
    requires std::is_arithmetic_v<Number> && (!std::is_same_v<Number, bool>)
  void number(const char* key, Number& value, Range range, const char* /*help*/,
              Presence presence = Presence::optional) {
    const std::optional<YAML::Node> field = lookup(key, presence);
    if (!field) return;
    const double parsed = parse_number(key, *field, std::is_integral_v<Number>, range);
    // A value beyond what Number holds would make the conversion undefined (found by
    // fuzz_config: 6.7e70 given for an int). 2^digits is exact in a double, and every
    // integer below it fits.
    if constexpr (std::is_integral_v<Number>) {
      const double above_largest = std::ldexp(1.0, std::numeric_limits<Number>::digits);
      require_held(key, field->Scalar(), parsed, std::is_signed_v<Number> ? -above_largest : 0.0, above_largest - 1.0);
    } else {
      require_held(key, field->Scalar(), parsed, std::numeric_limits<Number>::lowest(), std::numeric_limits<Number>::max());
    }
    value = static_cast<Number>(parsed);
  }
  void flag(const char* key, bool& value, const char* help);
  void text(const char* key, std::string& value, const char* help,
            Presence presence = Presence::optional);
  void choice(const char* key, std::string& value, const Choices& choices, const char* help);
  void texts(const char* key, std::vector<std::string>& values, const char* help);
  void numbers(const char* key, std::vector<double>& values, Range range, const char* help);

  // A value read by its own parser (a list of objectives, a search space): kept as the
  // YAML node, so its positions still name file:line; null when absent.
  void node(const char* key, YAML::Node& value, const char* help,
            Presence presence = Presence::optional);

  template <class Section>
  void section(const char* key, Section& value, const char* /*help*/,
               Presence presence = Presence::optional) {
    const std::optional<YAML::Node> field = lookup(key, presence);
    if (!field) return;
    read(*field, value, where_, prefix_ + key + ".");
  }

  // Fails with this reader's file and the dotted key in front of `message`.
  [[noreturn]] void fail_at(const char* key, const std::string& message) const;
  // Fails on undeclared keys first (a misspelt required key reads better as "unknown
  // key, did you mean"), then on missing required keys.
  void finish() const;

 private:
  // The key's value, or nothing when it is absent or null (then required keys fail).
  std::optional<YAML::Node> lookup(const char* key, Presence presence);
  // Fails naming the key unless lowest <= value <= largest (the value's type's limits).
  void require_held(const char* key, const std::string& text, double value, double lowest,
                    double largest) const;
  double parse_number(const char* key, const YAML::Node& field, bool integral,
                      const Range& range) const;
  [[nodiscard]] std::string location(const YAML::Node& field) const;

  YAML::Node node_;
  std::string where_;
  std::string prefix_;
  std::vector<std::string> known_keys_;
  std::vector<std::string> missing_required_;
};

}  // namespace lathe::config
