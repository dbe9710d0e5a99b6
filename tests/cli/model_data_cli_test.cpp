// The model spec against its data before training: wrong class count, wrong input shape
// and windows that do not fit are refused naming the spec file, the layer and (for
// labels) the labels file with the expected range, and nothing trains.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "cli/idx_training_files.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

using lathe::test_support::bytes_of;
using lathe::test_support::RunResult;
using lathe::test_support::run_lathe;
using lathe::test_support::TempDir;
using lathe::test_support::train_config;
using lathe::test_support::write_idx;

TEST(ModelDataCli, TrainRefusesAModelThatDoesNotFitItsDataBeforeTraining) {
  TempDir dir;
  write_idx(dir);
  const std::string spec = bytes_of(LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"out_features: 4", "out_features: 3"},  // fewer outputs than the labels' classes
      {"out_features: 4", "out_features: 6"},  // more outputs than classes
      {"height: 8", "height: 28"},             // another input shape than the images
      {"kernel: 2", "kernel: 9"},              // a pooling window larger than its input
  };
  const std::vector<std::string> messages = {
      dir.file("labels.idx") + ": expected labels in [0, 3) (the 3 outputs of layer 'fc' at " + dir.file("model.yaml"),
      dir.file("model.yaml") + ":10: layers.fc: outputs 6 scores per image, but the data has 4 classes",
      dir.file("model.yaml") + ": input: the model takes images of C x H x W = [1, 28, 8], but " + dir.file("images.idx"),
      dir.file("model.yaml") + ":8: layers.pool1: a 9x9 window with padding 0 does not fit an input of [4, 8, 8]",
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string edited = spec;
    ASSERT_NE(edited.find(cases[i].first), std::string::npos);
    edited.replace(edited.find(cases[i].first), cases[i].first.size(), cases[i].second);
    dir.write("model.yaml", edited);
    dir.write("config.yaml", train_config(dir, dir.file("m.h5")));
    const RunResult r = run_lathe("train " + dir.file("config.yaml"));
    EXPECT_EQ(r.exit_code, 1) << cases[i].second << ": " << r.output;
    EXPECT_NE(r.output.find(messages[i]), std::string::npos) << cases[i].second << ": " << r.output;
    EXPECT_EQ(r.output.find("epoch"), std::string::npos) << cases[i].second << ": trained first:\n" << r.output;
  }
}

}  // namespace
