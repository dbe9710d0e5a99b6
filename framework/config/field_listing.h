// Lists a config section's declared fields (key, what it accepts, default, help), for
// `lathe <command> --help` and docs/configuration.md: the same declarations the YAML
// reader checks against, so help and docs cannot drift from the parser.
#pragma once

#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/field_checks.h"

namespace lathe::config {

struct FieldRow {
  std::string key;       // dotted: "optimizer.lr"
  std::string accepts;   // "number greater than 0", "one of sgd, adam"
  std::string fallback;  // the default, or "required"
  std::string help;
};

class FieldListing {
 public:
  explicit FieldListing(std::string prefix = "") : prefix_(std::move(prefix)) {}

  template <class Section>
  static std::vector<FieldRow> of(Section section, const std::string& prefix = "") {
    FieldListing listing(prefix);
    section.visit(listing);
    return listing.rows_;
  }

  template <class Number>
    requires std::is_arithmetic_v<Number> && (!std::is_same_v<Number, bool>)
  void number(const char* key, Number& value, Range range, const char* help,
              Presence presence = Presence::optional) {
    std::ostringstream fallback;
    fallback << value;
    const std::string kind = std::is_integral_v<Number> ? "integer" : "number";
    add(key, range.describe().empty() ? kind : kind + " " + range.describe(), fallback.str(), help,
        presence);
  }
  void flag(const char* key, bool& value, const char* help) {
    add(key, "true or false", value ? "true" : "false", help, Presence::optional);
  }
  void text(const char* key, std::string& value, const char* help,
            Presence presence = Presence::optional) {
    add(key, "string", value.empty() ? "\"\"" : value, help, presence);
  }
  void choice(const char* key, std::string& value, const Choices& choices, const char* help) {
    add(key, choices.describe(), value, help, Presence::optional);
  }
  void texts(const char* key, std::vector<std::string>& values, const char* help) {
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ", ") + v;
    add(key, "list of strings", "[" + joined + "]", help, Presence::optional);
  }
  void numbers(const char* key, std::vector<double>& values, Range range, const char* help) {
    std::ostringstream joined;
    for (std::size_t i = 0; i < values.size(); ++i) joined << (i ? ", " : "") << values[i];
    add(key, "list of numbers " + range.describe(), "[" + joined.str() + "]", help,
        Presence::optional);
  }
  void node(const char* key, YAML::Node& /*value*/, const char* help,
            Presence presence = Presence::optional) {
    add(key, "see below", presence == Presence::required ? "required" : "", help, presence);
  }
  template <class Section>
  void section(const char* key, Section& value, const char* help,
               Presence presence = Presence::optional) {
    add(key, "section", presence == Presence::required ? "required" : "", help, presence);
    for (FieldRow& row : of(value, prefix_ + key + ".")) rows_.push_back(std::move(row));
  }

 private:
  void add(const char* key, std::string accepts, std::string fallback, const char* help,
           Presence presence) {
    rows_.push_back({prefix_ + key, std::move(accepts),
                     presence == Presence::required ? "required" : std::move(fallback), help});
  }

  std::string prefix_;
  std::vector<FieldRow> rows_;
};

// "  optimizer.lr  number greater than 0 (default 0.01)\n      learning rate\n"
std::string format_help(const std::vector<FieldRow>& rows);
// A Markdown table: | key | accepts | default | meaning |
std::string format_markdown(const std::vector<FieldRow>& rows);

}  // namespace lathe::config
