// `lathe export` against ONNX Runtime, and the round trip: a model built and exported by
// PyTorch (LeNet-5; resnet8 for batchnorm and residual adds; "mixed" for average
// pooling) is imported, compressed by a recipe (pruned, quantised to 8 and 4 bits,
// weight-shared, or left as it is), exported, accepted by onnx.checker and run by ONNX
// Runtime, which must predict what `lathe evaluate` predicts on every image.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "io/checkpoint_file.h"
#include "nn/layer_spec.h"
#include "nn/layers/fake_quant.h"
#include "onnx/onnx_peers.h"
#include "support/temp_dir.h"

namespace lathe {
namespace {

using test_support::run_lathe;

struct Artifact {
  const char* name;
  const char* model;   // tests/onnx/torch_models.py's
  const char* recipe;  // one YAML line, or "" for the imported float model
  bool quantized;
};

void PrintTo(const Artifact& artifact, std::ostream* out) { *out << artifact.name; }

// How far ONNX Runtime may move a quantised model's logit: its kernels sum in another
// order than Lathe's (and, optimised, requantise each layer with their own rounding), so
// a value within rounding of the boundary between two levels may take the other one; an
// input of the last layer one level away moves a logit by at most that step times the
// L1 norm of its weight row (docs/onnx.md). Float models get 1e-4.
double integer_kernel_tolerance(const std::string& artifact_path) {
  const io::Checkpoint checkpoint = io::read_checkpoint(artifact_path);
  const nn::ModelSpec spec = nn::parse_model_spec(checkpoint.model_spec_yaml, artifact_path);
  const nn::LayerSpec& last = spec.layers.back();
  const nn::LayerSpec* quantizer = nullptr;
  for (const auto& layer : spec.layers) {
    if (layer.name == last.inputs[0] && layer.type == "fake_quant") quantizer = &layer;
  }
  if (quantizer == nullptr) return 1e-4;
  float min = 0.0F;
  float max = 0.0F;
  double row_l1 = 0.0;
  for (const auto& tensor : checkpoint.tensors) {
    if (tensor.name == quantizer->name + "/range") {
      min = tensor.value[0];
      max = tensor.value[1];
    }
    if (tensor.name == last.name + "/weight") {
      const auto columns = tensor.value.shape()[1];
      for (std::int64_t row = 0; row < tensor.value.shape()[0]; ++row) {
        double sum = 0.0;
        for (std::int64_t c = 0; c < columns; ++c) sum += std::abs(tensor.value[row * columns + c]);
        row_l1 = std::max(row_l1, sum);
      }
    }
  }
  const auto grid = nn::QuantGrid::for_range(min, max, quantizer->params["bits"].as<int>(),
                                             quantizer->params["symmetric"] && quantizer->params["symmetric"].as<bool>());
  return 1e-4 + static_cast<double>(grid.scale) * row_l1;
}

class OnnxExportToOnnxRuntime : public ::testing::TestWithParam<Artifact> {
 protected:
  void SetUp() override {
    test_support::import_torch_model(GetParam().model, dir_.path().string());
    count_ = test_support::write_images_f32(dir_.file("data.h5"), dir_.file("images.f32"));
  }
  test_support::TempDir dir_;
  int count_ = 0;
};

TEST_P(OnnxExportToOnnxRuntime, RunsWithLathesPredictionOnEveryImage) {
  const Artifact& artifact = GetParam();
  std::string path = dir_.file("base.h5");
  if (*artifact.recipe != '\0') {
    dir_.write("recipe.yaml", std::string(artifact.recipe) + "\n");
    path = dir_.file(std::string(artifact.name) + ".h5");
    test_support::run_ok(std::string(LATHE_CLI_PATH) + " compress " + dir_.file("base.h5") + " " +
                         dir_.file("recipe.yaml") + " -o " + path + " --no-latency");
  }
  const auto exported = run_lathe("export " + path + " -o " + dir_.file("model.onnx"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("stored weight bytes"), std::string::npos) << exported.output;
  test_support::expect_onnx_checker_accepts(dir_.file("model.onnx"));

  test_support::run_ok(std::string(LATHE_CLI_PATH) + " evaluate " + path + " --data " + dir_.file("data.h5") +
                       " --logits " + dir_.file("lathe.csv"));
  const auto lathe = test_support::read_predictions(dir_.file("lathe.csv"));
  ASSERT_EQ(lathe.classes.size(), static_cast<std::size_t>(count_));
  const double tolerance = artifact.quantized ? integer_kernel_tolerance(path) : 1e-4;
  // Reference kernels (the QDQ pairs as written), then the optimised graph (integer
  // kernels for the QDQ pairs).
  test_support::run_onnxruntime(dir_.file("model.onnx"), dir_.file("images.f32"), count_, dir_.file("ort_ref.csv"), "disabled");
  const double reference = test_support::expect_same_predictions(
      lathe, test_support::read_predictions(dir_.file("ort_ref.csv")), tolerance, std::string(artifact.name) + ", reference kernels");
  test_support::run_onnxruntime(dir_.file("model.onnx"), dir_.file("images.f32"), count_, dir_.file("ort.csv"), "all");
  const double largest = test_support::expect_same_predictions(
      lathe, test_support::read_predictions(dir_.file("ort.csv")), tolerance, std::string(artifact.name) + ", optimised");
  std::printf("%s: onnx file %lld bytes; logits within %.3g (reference kernels), %.3g (optimised), allowed %.3g\n",
              artifact.name, static_cast<long long>(std::filesystem::file_size(dir_.file("model.onnx"))), reference,
              largest, tolerance);
}

INSTANTIATE_TEST_SUITE_P(
    Artifacts, OnnxExportToOnnxRuntime,
    ::testing::Values(
        Artifact{"float", "lenet5", "", false},
        Artifact{"pruned", "lenet5", "- prune: {method: filter, saliency: l1, select: ratio, ratio: 0.5, layers: [conv2, fc1, fc2]}", false},
        Artifact{"quantized8", "lenet5", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel, calibration: minmax}", true},
        Artifact{"quantized4", "lenet5", "- quantize: {method: ptq, weight_bits: 4, act_bits: 4, granularity: per_channel, calibration: minmax}", true},
        Artifact{"shared", "lenet5", "- share: {components: 16, prior_weight: 0.005, min_members: 4}", false},
        Artifact{"resnet8_float", "resnet8", "", false},
        Artifact{"resnet8_quantized8", "resnet8", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel, calibration: minmax}", true},
        Artifact{"mixed_float", "mixed", "", false}),
    [](const ::testing::TestParamInfo<Artifact>& param_info) { return std::string(param_info.param.name); });

TEST(OnnxExport, QuantisedAndSharedFilesAreSmallerThanTheFloatOne) {
  test_support::TempDir dir;
  test_support::import_torch_model("lenet5", dir.path().string());
  dir.write("q8.yaml", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel, calibration: minmax}\n");
  dir.write("share.yaml", "- share: {components: 16, prior_weight: 0.005, min_members: 4}\n");
  std::map<std::string, std::uintmax_t> bytes;
  for (const std::string name : {"base", "q8", "share"}) {
    if (name != "base") {
      test_support::run_ok(std::string(LATHE_CLI_PATH) + " compress " + dir.file("base.h5") + " " + dir.file(name + ".yaml") +
                           " -o " + dir.file(name + ".h5") + " --no-latency");
    }
    test_support::run_ok(std::string(LATHE_CLI_PATH) + " export " + dir.file(name + ".h5") + " -o " + dir.file(name + ".onnx"));
    bytes[name] = std::filesystem::file_size(dir.file(name + ".onnx"));
  }
  // uint8 codes: a quarter of the float32 bytes, plus scales and the graph.
  EXPECT_LT(bytes["q8"], bytes["base"] * 3 / 10);
  EXPECT_LT(bytes["share"], bytes["base"] * 3 / 10);
}

// A model Lathe trained (tiny_cnn: batchnorm, and the normalisation computed from its
// training data) runs in ONNX Runtime as in Lathe, its normalisation inside the graph.
TEST(OnnxExport, LatheTrainedModelRunsWithItsNormalisationInTheGraph) {
  test_support::TempDir dir;
  std::ifstream config_file(std::string(LATHE_SOURCE_DIR) + "/configs/tests/train_synthetic.yaml");
  std::string config{std::istreambuf_iterator<char>(config_file), std::istreambuf_iterator<char>()};
  config.replace(config.find("out/tests/tiny_cnn.h5"), std::string("out/tests/tiny_cnn.h5").size(), dir.file("tiny.h5"));
  dir.write("train.yaml", config);
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " train " + dir.file("train.yaml"));
  const io::Checkpoint trained = io::read_checkpoint(dir.file("tiny.h5"));
  ASSERT_EQ(trained.normalization_mean.size(), 1U);
  EXPECT_NE(trained.normalization_mean[0], 0.0F);  // so the graph's Sub and Div count
  test_support::helper_models("random", dir.path().string());
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " export " + dir.file("tiny.h5") + " -o " + dir.file("tiny.onnx"));
  test_support::expect_onnx_checker_accepts(dir.file("tiny.onnx"));
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " evaluate " + dir.file("tiny.h5") + " --data " + dir.file("random.h5") +
                       " --logits " + dir.file("lathe.csv"));
  test_support::run_onnxruntime(dir.file("tiny.onnx"), dir.file("random.f32"), 100, dir.file("ort.csv"), "all", "1 8 8");
  test_support::expect_same_predictions(test_support::read_predictions(dir.file("lathe.csv")),
                                        test_support::read_predictions(dir.file("ort.csv")), 1e-4, "tiny_cnn");
}

// Lathe -> ONNX -> Lathe: a float export imports back (its Sub and Div folded into the
// normalisation, its layers named after the exported nodes) to the same logits.
TEST(OnnxRoundTrip, FloatExportImportsBackToTheSameLogits) {
  test_support::TempDir dir;
  const std::string base = test_support::import_torch_model("resnet8", dir.path().string());
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " export " + base + " -o " + dir.file("exported.onnx"));
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " import " + dir.file("exported.onnx") + " -o " +
                       dir.file("again.h5") + " --data " + dir.file("data.yaml"));
  for (const std::string name : {"base", "again"}) {
    test_support::run_ok(std::string(LATHE_CLI_PATH) + " evaluate " + dir.file(name + ".h5") + " --data " +
                         dir.file("data.h5") + " --logits " + dir.file(name + ".csv"));
  }
  const double largest = test_support::expect_same_predictions(
      test_support::read_predictions(dir.file("base.csv")), test_support::read_predictions(dir.file("again.csv")), 1e-6,
      "round trip");
  std::printf("resnet8 round trip: logits within %.3g\n", largest);
}

// A quantised export is not imported back: its QDQ nodes are refused, naming the first.
TEST(OnnxRoundTrip, QuantisedExportIsRefusedOnImport) {
  test_support::TempDir dir;
  const std::string base = test_support::import_torch_model("lenet5", dir.path().string());
  dir.write("q8.yaml", "- quantize: {method: ptq, weight_bits: 8, act_bits: 8, granularity: per_channel, calibration: minmax}\n");
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " compress " + base + " " + dir.file("q8.yaml") + " -o " +
                       dir.file("q8.h5") + " --no-latency");
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " export " + dir.file("q8.h5") + " -o " + dir.file("q8.onnx"));
  const auto refused = run_lathe("import " + dir.file("q8.onnx") + " -o " + dir.file("again.h5"));
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("unsupported operator "), std::string::npos) << refused.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("again.h5")));
}

TEST(OnnxExport, UnreadableCheckpointIsOneErrorAndWritesNothing) {
  test_support::TempDir dir;
  dir.write("broken.h5", "not hdf5");
  const auto result = run_lathe("export " + dir.file("broken.h5") + " -o " + dir.file("out.onnx"));
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("broken.h5: expected an HDF5 file"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.onnx")));
}

}  // namespace
}  // namespace lathe
