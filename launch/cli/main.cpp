// The `lathe` command line: `lathe <command> [arguments]`. Every lathe::Error is caught
// here once, printed as one line, and turned into exit status 1 (2 for usage errors).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"

namespace {

const std::vector<const lathe::cli::Command*>& all_commands() {
  static const std::vector<const lathe::cli::Command*> commands = {
      &lathe::cli::train_command(), &lathe::cli::evaluate_command(), &lathe::cli::compress_command(),
      &lathe::cli::ablate_command(), &lathe::cli::fallback_command(), &lathe::cli::search_command(),
      &lathe::cli::results_command(), &lathe::cli::report_command(),
      &lathe::cli::campaign_command(),
      &lathe::cli::import_command(), &lathe::cli::export_command()};
  return commands;
}

void print_usage(std::ostream& out) {
  out << "usage: lathe <command> [arguments]   (lathe <command> --help for details)\n\n"
         "Lathe trains neural networks and searches for their best compressed versions.\n\n"
         "commands:\n";
  for (const auto* command : all_commands()) {
    out << "  " << command->spec.name
        << std::string(12 - std::min<std::size_t>(11, command->spec.name.size()), ' ')
        << command->spec.summary << "\n";
  }
  out << "\n  --help      show this help\n  --version   print the version\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "lathe " << LATHE_VERSION << "\n";
    return 0;
  }
  for (const auto* command : all_commands()) {
    if (command->spec.name != args[0]) continue;
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (lathe::cli::wants_help(rest)) {
      const bool markdown = std::find(rest.begin(), rest.end(), "--markdown") != rest.end();
      if (!markdown) std::cout << lathe::cli::command_help(command->spec);
      if (command->extra_help != nullptr) std::cout << command->extra_help(markdown);
      return 0;
    }
    try {
      const lathe::cli::Arguments arguments(command->spec, rest);
      return command->run(arguments);
    } catch (const lathe::Error& e) {
      std::cerr << "lathe: error: " << e.what() << "\n";
      return 1;
    } catch (const std::bad_alloc&) {
      std::cerr << "lathe: error: out of memory\n";
      return 1;
    } catch (const std::filesystem::filesystem_error& e) {
      // Paths are checked up front (io/path_checks.h); this is the net under a race.
      std::cerr << "lathe: error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "lathe: unknown command '" << args[0] << "'\n\n";
  print_usage(std::cerr);
  return 2;
}
