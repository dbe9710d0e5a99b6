#include "cli/arguments.h"

#include <algorithm>
#include <sstream>

#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::cli {

Arguments::Arguments(const CommandSpec& spec, const std::vector<std::string>& args)
    : command_(spec.name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    // `-o PATH` is the one short option: --output, as compilers spell it.
    const std::string& arg = args[i] == "-o" ? std::string("--output") : args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const auto option = std::find_if(spec.options.begin(), spec.options.end(),
                                      [&](const OptionSpec& o) { return o.name == name; });
    if (option == spec.options.end()) {
      std::vector<std::string> names;
      for (const OptionSpec& o : spec.options) names.push_back(o.name);
      const std::string near = config::nearest_word(name, names);
      fail("lathe ", command_, ": unknown option --", name,
           near.empty() ? "" : " (did you mean --" + near + "?)", "; see lathe ", command_,
           " --help");
    }
    if (option->value_name.empty()) {
      LATHE_CHECK(!inline_value, "lathe ", command_, ": --", name, " takes no value");
      values_[name] = "";
    } else if (inline_value) {
      values_[name] = *inline_value;
    } else {
      LATHE_CHECK(i + 1 < args.size(), "lathe ", command_, ": --", name, " needs a value (",
                  option->value_name, ")");
      values_[name] = args[++i];
    }
  }
  const std::size_t most = spec.positionals.size();
  const std::size_t least = most - std::min(most, spec.optional_positionals);
  LATHE_CHECK(positionals_.size() >= least && positionals_.size() <= most, "lathe ", command_, ": expected ",
              least == most ? std::to_string(most) : std::to_string(least) + " to " + std::to_string(most),
              " argument(s) (usage: ", spec.usage, "), got ", positionals_.size());
}

std::optional<std::string> Arguments::value(const std::string& name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return std::nullopt;
  return found->second;
}

long long Arguments::integer(const std::string& name, long long fallback, long long min,
                             long long max) const {
  const std::optional<std::string> text = value(name);
  if (!text) return fallback;
  std::size_t used = 0;
  long long parsed = 0;
  try {
    parsed = std::stoll(*text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  LATHE_CHECK(used == text->size() && !text->empty() && parsed >= min && parsed <= max, "lathe ",
              command_, ": --", name, ": expected an integer in [", min, ", ", max, "], got '",
              *text, "'");
  return parsed;
}

std::string command_help(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: " << spec.usage << "\n\n" << spec.description << "\n";
  if (!spec.options.empty()) out << "\noptions:\n";
  for (const OptionSpec& o : spec.options) {
    std::string left = "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    out << "  " << left << std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') << o.help
        << "\n";
  }
  out << "  --help                  show this help\n";
  return out.str();
}

bool wants_help(const std::vector<std::string>& args) {
  return std::find_if(args.begin(), args.end(), [](const std::string& a) {
           return a == "--help" || a == "-h";
         }) != args.end();
}

}  // namespace lathe::cli
