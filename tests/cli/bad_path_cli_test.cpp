// Every path the command line takes, given as a path that is not a readable regular
// file: one error line naming the path and what is wrong with it, exit status 1, and no
// hang (a named pipe) or uncaught exception (a symbolic link loop).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/bad_paths.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

using lathe::test_support::BadPath;
using lathe::test_support::RunResult;
using lathe::test_support::TempDir;

// A command line with {} where the bad path goes; `config` (when not empty) is a training
// config written to the temporary folder with {} in it, and {config} names that file.
struct PathUse {
  std::string name;
  std::string arguments;
  std::string config;
};

const std::vector<PathUse>& path_uses() {
  static const std::vector<PathUse> uses = {
      {"train's config", "train {}", ""},
      {"evaluate's checkpoint", "evaluate {}", ""},
      {"compress's base", "compress {} configs/recipes/ptq8.yaml -o {dir}/out.h5", ""},
      {"ablate's base", "ablate {} -o {dir}/table.h5", ""},
      {"fallback's base", "fallback {} configs/chains/lenet5_20x.yaml -o {dir}/out.h5", ""},
      {"search's experiment", "search {}", ""},
      {"search --check's experiment", "search {} --check", ""},
      {"a config's model spec", "train {config}",
       "model: {}\noutput: {dir}/m.h5\ndata: {format: synthetic}\nepochs: 1\n"},
      {"a config's HDF5 data", "train {config}",
       "model: configs/tests/tiny_cnn.yaml\noutput: {dir}/m.h5\n"
       "data: {format: hdf5, train_file: {}, test_file: configs/tests/tiny_cnn.yaml}\n"},
      {"a config's IDX images", "train {config}",
       "model: configs/tests/tiny_cnn.yaml\noutput: {dir}/m.h5\ndata: {format: idx, train_images: {}}\n"},
  };
  return uses;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(BadPathCli, EveryPathArgumentAndConfigPathRefusesEachKindOfBadPath) {
  TempDir dir;
  for (const BadPath& bad : lathe::test_support::make_bad_paths(dir)) {
    for (const PathUse& use : path_uses()) {
      std::string arguments = replaced(use.arguments, "{dir}", dir.path().string());
      if (!use.config.empty()) {
        dir.write("config.yaml", replaced(replaced(use.config, "{dir}", dir.path().string()), "{}", bad.path));
        arguments = replaced(arguments, "{config}", dir.file("config.yaml"));
      }
      // `timeout`: a reader that blocks on the pipe fails the test instead of hanging it.
      const RunResult r = lathe::test_support::run_lathe_command(
          "timeout 60 " LATHE_CLI_PATH " " + replaced(arguments, "{}", bad.path));
      const std::string context = use.name + " as " + bad.kind + ":\n" + r.output;
      EXPECT_EQ(r.exit_code, 1) << context;
      EXPECT_NE(r.output.find("lathe: error: "), std::string::npos) << context;
      EXPECT_NE(r.output.find(bad.path), std::string::npos) << context;
      EXPECT_NE(r.output.find(bad.phrase), std::string::npos) << context;
      EXPECT_EQ(r.output.find("terminate called"), std::string::npos) << context;
    }
  }
}

}  // namespace
