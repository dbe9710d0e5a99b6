// Real `lathe search` runs for the CLI and MPI tests: the tiny synthetic experiment into a
// test's own folder, alone or under mpirun, and what its output folder holds.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/run_lathe.h"

namespace lathe::test_support {

inline const char* kTinyExperiment = "configs/experiments/tiny_synthetic.yaml";

// mpirun as root on a 2-core machine: more ranks than cores, waiting ranks that yield.
inline std::string mpirun(int ranks) {
  return "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
         "mpirun --oversubscribe --bind-to none --mca mpi_yield_when_idle 1 -np " +
         std::to_string(ranks) + " " LATHE_CLI_PATH;
}

// The number of result records in a journal (what a finished evaluation leaves).
inline int journaled_results(const std::filesystem::path& journal) {
  std::ifstream in(journal);
  std::string line;
  int results = 0;
  while (std::getline(in, line)) {
    if (line.find("\"type\": \"result\"") != std::string::npos) ++results;
  }
  return results;
}

// `lathe results DIR --csv` without the columns that differ between equal searches
// (rank, host, timings, peak memory): what reproducible runs must agree on.
inline std::string comparable_results(const std::filesystem::path& folder) {
  const RunResult csv = run_lathe("results " + folder.string() + " --csv");
  std::istringstream in(csv.output);
  std::string header;
  std::getline(in, header);
  std::vector<bool> keep;
  {
    std::istringstream columns(header);
    std::string name;
    while (std::getline(columns, name, ',')) {
      keep.push_back(name.find("seconds") == std::string::npos && name.find("latency") == std::string::npos &&
                     name != "rank" && name != "host" && name.find("peak") == std::string::npos &&
                     name != "continued_steps");
    }
  }
  // Fields may be quoted with commas inside: split respecting quotes.
  std::string out;
  std::string line;
  while (std::getline(in, line)) {
    std::size_t column = 0;
    bool quoted = false;
    std::string field;
    std::string row;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      const char c = i < line.size() ? line[i] : ',';
      if (c == '"') quoted = !quoted;
      if (c == ',' && !quoted) {
        if (column < keep.size() && keep[column]) row += field + "|";
        field.clear();
        ++column;
        continue;
      }
      field += c;
    }
    out += row + "\n";
  }
  return csv.exit_code == 0 ? out : "lathe results failed: " + csv.output;
}

// Starts `command` in its own process group (so a kill reaches mpirun and every rank).
inline pid_t start_in_group(const std::string& command, const std::string& log) {
  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    const std::string full = "cd " LATHE_SOURCE_DIR " && exec " + command + " >" + log + " 2>&1";
    execl("/bin/sh", "sh", "-c", full.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

inline int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace lathe::test_support
