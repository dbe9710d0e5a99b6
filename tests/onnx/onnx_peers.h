// The real tools the ONNX tests check Lathe against: PyTorch (tests/onnx/torch_models.py
// under Debian's /usr/bin/python3), onnx.helper (tests/onnx/helper_models.py),
// onnx.checker, and ONNX Runtime for Node
// (tests/onnx/run_onnx.js; installed into the build tree by the ctest fixture
// OnnxRuntimeInstall). Plus the CSV of predictions and logits all of them write.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "data/hdf5_dataset.h"
#include "support/run_lathe.h"

namespace lathe::test_support {

inline const std::string kOnnxTests = std::string(LATHE_SOURCE_DIR) + "/tests/onnx";

// Runs a command; the test fails with its output when it exits non-zero.
inline std::string run_ok(const std::string& command) {
  const RunResult result = run_lathe_command(command);
  EXPECT_EQ(result.exit_code, 0) << command << "\n" << result.output;
  return result.output;
}

inline std::string torch_export(const std::string& model, const std::string& dir) {
  return run_ok("/usr/bin/python3 " + kOnnxTests + "/torch_models.py " + model + " " + dir);
}

// tests/onnx/helper_models.py: "handmade" or "bad" ONNX files, built without PyTorch.
inline std::string helper_models(const std::string& what, const std::string& dir) {
  return run_ok("/usr/bin/python3 " + kOnnxTests + "/helper_models.py " + what + " " + dir);
}

// A PyTorch model imported with its own preparation, belonging to the 200 images the
// script wrote (so calibration and fine-tuning take a moment): the base of a round trip.
// Returns the checkpoint's path.
inline std::string import_torch_model(const std::string& model, const std::string& dir) {
  torch_export(model, dir);
  {
    std::ofstream(dir + "/data.yaml") << "format: hdf5\ntrain_file: " << dir << "/data.h5\ntest_file: " << dir
                                      << "/data.h5\n";
  }
  std::ifstream args_file(dir + "/" + model + "_import_args.txt");
  std::string args;
  std::getline(args_file, args);
  run_ok(std::string(LATHE_CLI_PATH) + " import " + dir + "/" + model + ".onnx -o " + dir + "/base.h5 --data " + dir +
         "/data.yaml " + args);
  return dir + "/base.h5";
}

// The images of an HDF5 data set as Lathe reads them (uint8 / 255), as the raw float32
// file run_onnx.js takes; returns how many.
inline int write_images_f32(const std::string& data_h5, const std::string& out) {
  const data::Dataset images = data::read_hdf5_dataset(data_h5);
  std::ofstream file(out, std::ios::binary);
  file.write(reinterpret_cast<const char*>(images.images.data()),
             static_cast<std::streamsize>(images.images.size() * sizeof(float)));
  return static_cast<int>(images.size());
}

inline void expect_onnx_checker_accepts(const std::string& onnx_path) {
  run_ok("/usr/bin/python3 -c \"import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), "
         "full_check=True)\" " + onnx_path);
}

// `optimization`: ONNX Runtime's graph optimisation level, "disabled" (reference
// kernels) or "all" (fused integer kernels for QDQ graphs).
// `item`: "C H W" of the images (Fashion-MNIST's by default).
inline void run_onnxruntime(const std::string& onnx_path, const std::string& images_f32, int count,
                            const std::string& out_csv, const std::string& optimization,
                            const std::string& item = "1 28 28") {
  run_ok("ORT_OPTIMIZATION=" + optimization + " NODE_PATH=" LATHE_ONNXRUNTIME_NODE_PATH " node " + kOnnxTests +
         "/run_onnx.js " + onnx_path + " " + images_f32 + " " + std::to_string(count) + " " + item + " " + out_csv);
}

struct Predictions {
  std::vector<int> classes;
  std::vector<std::vector<double>> logits;
};

inline Predictions read_predictions(const std::string& csv) {
  Predictions p;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string field;
    std::getline(fields, field, ',');
    p.classes.push_back(std::stoi(field));
    std::vector<double> row;
    while (std::getline(fields, field, ',')) row.push_back(std::stod(field));
    p.logits.push_back(row);
  }
  return p;
}

// Same prediction on every image and every logit within `tolerance`; returns the
// largest difference.
inline double expect_same_predictions(const Predictions& expected, const Predictions& actual, double tolerance,
                                      const std::string& what) {
  EXPECT_EQ(expected.classes.size(), actual.classes.size()) << what;
  EXPECT_FALSE(expected.classes.empty()) << what;
  double largest = 0.0;
  for (std::size_t i = 0; i < std::min(expected.classes.size(), actual.classes.size()); ++i) {
    EXPECT_EQ(expected.classes[i], actual.classes[i]) << what << ": image " << i;
    EXPECT_EQ(expected.logits[i].size(), actual.logits[i].size()) << what << ": image " << i;
    for (std::size_t c = 0; c < std::min(expected.logits[i].size(), actual.logits[i].size()); ++c) {
      largest = std::max(largest, std::abs(expected.logits[i][c] - actual.logits[i][c]));
    }
  }
  EXPECT_LE(largest, tolerance) << what << ": largest logit difference";
  return largest;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace lathe::test_support
