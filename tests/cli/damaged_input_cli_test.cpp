// Damaged HDF5 inputs that fuzzers found, refused by the command line in one line, exit
// status 1, nothing written, the input left as it was:
//  - a data file whose header declares far more images than it stores (fuzz_hdf5_data:
//    [3, 1, 4, 67108868] uint8 in 2 KB, which the reader used to allocate, 3.2 GB, before
//    reading): the message names the file, the data set, the shape and the stored bytes;
//  - a checkpoint whose /training attribute messages do not decode (fuzz_checkpoint: libhdf5
//    crashed listing them, under ASan).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli/idx_training_files.h"
#include "support/run_lathe.h"
#include "support/temp_dir.h"

namespace {

using lathe::test_support::bytes_of;
using lathe::test_support::RunResult;
using lathe::test_support::run_lathe;
using lathe::test_support::TempDir;

// The lines of `output` that report an error (train prints its device choice first).
std::vector<std::string> error_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.find("error") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

TEST(DamagedInputCli, TrainRefusesImagesTheFileDoesNotStoreBeforeAllocatingThem) {
  TempDir dir;
  const std::string data = dir.file("damaged.h5");
  std::filesystem::copy_file(LATHE_SOURCE_DIR "/fuzz/regressions/fuzz_hdf5_data/x_shape_allocates_3_gb.h5", data);
  const std::string before = bytes_of(data);
  dir.write("config.yaml", "model: " LATHE_SOURCE_DIR "/configs/tests/tiny_cnn.yaml\noutput: " +
                               dir.file("m.h5") + "\ndata: {format: hdf5, train_file: " + data +
                               ", test_file: " + data + "}\nepochs: 1\nthreads: 1\n");

  const RunResult r = run_lathe("train " + dir.file("config.yaml"));

  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(error_lines(r.output),
            std::vector<std::string>{"lathe: error: " + data + ": data set X: declares shape [3, 1, 4, 67108868] "
                                     "(805306416 bytes), but the file stores 48 bytes for it (contiguous, no "
                                     "filters), which decode to at most 48 bytes; the header is damaged or the "
                                     "data were never written"})
      << r.output;
  EXPECT_EQ(r.output.find("epoch"), std::string::npos) << "trained first:\n" << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("m.h5")));
  EXPECT_EQ(bytes_of(data), before);
}

TEST(DamagedInputCli, EvaluateRefusesACheckpointWhoseAttributesDoNotDecode) {
  TempDir dir;
  const std::string checkpoint = dir.file("damaged.h5");
  std::filesystem::copy_file(
      LATHE_SOURCE_DIR "/fuzz/regressions/fuzz_checkpoint/attribute_iteration_segv_in_h5a_close.h5", checkpoint);
  const std::string before = bytes_of(checkpoint);

  const RunResult r = run_lathe("evaluate " + checkpoint);

  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(error_lines(r.output),
            std::vector<std::string>{"lathe: error: " + checkpoint + ": /training: cannot read its attributes "
                                     "(HDF5: attribute name has different length than stored length)"})
      << r.output;
  EXPECT_EQ(bytes_of(checkpoint), before);
}

}  // namespace
