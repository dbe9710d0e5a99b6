// Runs the `lathe` executable from the source directory, as a user would, and returns
// its exit status and everything it printed (stdout and stderr together).
#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace lathe::test_support {

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs `command` (a whole command line) from the source directory.
inline RunResult run_lathe_command(const std::string& command_line) {
  const std::string command = "cd " LATHE_SOURCE_DIR " && " + command_line + " 2>&1";
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe) != nullptr) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

inline RunResult run_lathe(const std::string& arguments) {
  return run_lathe_command(std::string(LATHE_CLI_PATH) + " " + arguments);
}

}  // namespace lathe::test_support
