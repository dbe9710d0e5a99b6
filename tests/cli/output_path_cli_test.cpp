// Output paths are checked before any work: one that names an input of the run (through
// any spelling, a symbolic link or a hard link) is refused and the input is left as it
// was, and one that cannot be a file (a directory, a pipe, a path under a file) is
// refused before training starts.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/idx_training_files.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;
using lathe::test_support::RunResult;
using lathe::test_support::run_lathe;
using lathe::test_support::TempDir;
using lathe::test_support::bytes_of;
using lathe::test_support::train_config;
using lathe::test_support::write_idx;

struct BadOutput {
  std::string name;
  std::string output;   // the output path, {dir} for the temporary folder
  std::string phrase;   // what the message says
};

TEST(OutputPathCli, TrainRefusesAnOutputThatIsAnInputOrCannotBeAFileBeforeTraining) {
  TempDir dir;
  write_idx(dir);
  fs::copy_file(LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml", dir.file("model.yaml"));
  fs::create_symlink(dir.file("images.idx"), dir.file("images-link.idx"));
  fs::create_hard_link(dir.file("labels.idx"), dir.file("labels-hard.idx"));
  fs::create_directories(dir.file("out-dir.h5"));
  ::mkfifo(dir.file("pipe.h5").c_str(), 0600);
  const std::string d = dir.path().string();
  const std::vector<BadOutput> outputs = {
      {"the training images", d + "/images.idx", "is the input " + d + "/images.idx"},
      {"the labels by another spelling", d + "/./sub/../labels.idx", "is the input"},
      {"a symbolic link to the images", d + "/images-link.idx", "is the input " + d + "/images.idx"},
      {"a hard link to the labels", d + "/labels-hard.idx", "is the input " + d + "/labels.idx"},
      {"the config itself", d + "/config.yaml", "is the input " + d + "/config.yaml"},
      {"the model spec", d + "/model.yaml", "is the input " + d + "/model.yaml"},
      {"a directory", d + "/out-dir.h5", "is a directory"},
      {"a named pipe", d + "/pipe.h5", "is a named pipe (FIFO)"},
      {"a path under a file", d + "/images.idx/m.h5", "is not a directory"},
  };
  fs::create_directories(dir.file("sub"));
  const std::string images = bytes_of(dir.file("images.idx"));
  const std::string labels = bytes_of(dir.file("labels.idx"));
  for (const BadOutput& bad : outputs) {
    dir.write("config.yaml", train_config(dir, bad.output));
    const std::string config = bytes_of(dir.file("config.yaml"));
    const RunResult r = run_lathe("train " + dir.file("config.yaml"));
    EXPECT_EQ(r.exit_code, 1) << bad.name << ": " << r.output;
    EXPECT_NE(r.output.find(dir.file("config.yaml") + ": output: " + bad.output), std::string::npos)
        << bad.name << ": " << r.output;
    EXPECT_NE(r.output.find(bad.phrase), std::string::npos) << bad.name << ": " << r.output;
    EXPECT_EQ(r.output.find("epoch"), std::string::npos) << bad.name << ": trained first:\n" << r.output;
    EXPECT_EQ(bytes_of(dir.file("images.idx")), images) << bad.name;
    EXPECT_EQ(bytes_of(dir.file("labels.idx")), labels) << bad.name;
    EXPECT_EQ(bytes_of(dir.file("config.yaml")), config) << bad.name;
  }
  // The same data trains when the output is a new file: the refusals above are about the path.
  dir.write("config.yaml", train_config(dir, d + "/fresh/m.h5"));
  const RunResult ok = run_lathe("train " + dir.file("config.yaml") + " --output " + d + "/fresh/m.h5");
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(fs::is_regular_file(dir.file("fresh/m.h5")));
}

TEST(OutputPathCli, CommandsOnACheckpointRefuseToOverwriteTheirInputs) {
  TempDir dir;
  dir.write("train.yaml",
            "model: configs/tests/tiny_cnn.yaml\n"
            "data: {format: synthetic, synthetic: {classes: 4, channels: 1, height: 8, width: 8, "
            "train_size: 100, test_size: 40, noise: 0.3}}\nepochs: 1\nbatch_size: 32\nthreads: 1\n"
            "output: " + dir.file("base.h5") + "\n");
  ASSERT_EQ(run_lathe("train " + dir.file("train.yaml")).exit_code, 0);
  fs::copy_file(LATHE_SOURCE_DIR "/configs/recipes/ptq8.yaml", dir.file("ptq8.yaml"));
  fs::create_directories(dir.file("out-dir.h5"));
  const std::string base = bytes_of(dir.file("base.h5"));
  const std::string d = dir.path().string();
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"compress " + d + "/base.h5 " + d + "/ptq8.yaml -o " + d + "/base.h5", "is the input " + d + "/base.h5"},
      {"compress " + d + "/base.h5 " + d + "/ptq8.yaml -o " + d + "/ptq8.yaml", "is the input " + d + "/ptq8.yaml"},
      {"compress " + d + "/base.h5 " + d + "/ptq8.yaml -o " + d + "/out-dir.h5", "is a directory"},
      {"ablate " + d + "/base.h5 -o " + d + "/base.h5", "is the input " + d + "/base.h5"},
      {"fallback " + d + "/base.h5 configs/chains/lenet5_20x.yaml -o " + d + "/base.h5", "is the input"},
      {"fallback " + d + "/base.h5 configs/chains/lenet5_20x.yaml -o " + d + "/out-dir.h5", "is a directory"},
  };
  for (const auto& [arguments, phrase] : runs) {
    const RunResult r = run_lathe(arguments);
    EXPECT_EQ(r.exit_code, 1) << arguments << ": " << r.output;
    EXPECT_NE(r.output.find(": -o: "), std::string::npos) << arguments << ": " << r.output;
    EXPECT_NE(r.output.find(phrase), std::string::npos) << arguments << ": " << r.output;
    EXPECT_EQ(bytes_of(dir.file("base.h5")), base) << arguments;
    EXPECT_TRUE(fs::is_directory(dir.file("out-dir.h5")));
  }
}

}  // namespace
