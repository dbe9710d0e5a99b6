// A small command-line parser: positional arguments and `--name value` / `--name=value`
// options, each declared with its help line so `lathe <command> --help` lists them.
// Unknown options are errors that suggest the nearest declared one.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lathe::cli {

struct OptionSpec {
  std::string name;         // without the dashes
  std::string value_name;   // "" for a flag that takes no value
  std::string help;
};

struct CommandSpec {
  std::string name;
  std::string usage;        // "lathe evaluate CHECKPOINT.h5 [options]"
  std::string summary;      // one line for `lathe --help`
  std::string description;  // a paragraph for `lathe <command> --help`
  std::vector<std::string> positionals;  // names of required positional arguments
  std::vector<OptionSpec> options;
  // How many of the last `positionals` may be left out (`lathe campaign CAMPAIGN.yaml` and
  // `lathe campaign summarize DIR`); positional() is valid below positional_count().
  std::size_t optional_positionals = 0;
};

class Arguments {
 public:
  // Parses argv after the command name; throws lathe::Error on unknown options, missing
  // values or a wrong number of positionals. `--help` is recognised by the caller first.
  Arguments(const CommandSpec& spec, const std::vector<std::string>& args);

  [[nodiscard]] const std::string& positional(std::size_t index) const { return positionals_[index]; }
  [[nodiscard]] std::size_t positional_count() const { return positionals_.size(); }
  [[nodiscard]] std::optional<std::string> value(const std::string& name) const;
  [[nodiscard]] bool flag(const std::string& name) const { return values_.contains(name); }
  // The option's value as an integer in [min, max], or `fallback` when absent.
  [[nodiscard]] long long integer(const std::string& name, long long fallback, long long min,
                                  long long max) const;

 private:
  std::string command_;
  std::vector<std::string> positionals_;
  std::map<std::string, std::string> values_;
};

std::string command_help(const CommandSpec& spec);
bool wants_help(const std::vector<std::string>& args);

}  // namespace lathe::cli
