// `lathe import` against PyTorch: each model built and exported by PyTorch with its own
// random weights and preprocessing gives, imported into Lathe, PyTorch's prediction on
// every image and its logits within 1e-4. And the bad files: one clear error, no output.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "io/checkpoint_file.h"
#include "onnx/onnx_peers.h"
#include "support/temp_dir.h"

namespace lathe {
namespace {

using test_support::run_lathe;

class OnnxImportFromPyTorch : public ::testing::TestWithParam<const char*> {};

TEST_P(OnnxImportFromPyTorch, GivesPyTorchsPredictionOnEveryImageAndLogitsWithin1e4) {
  const std::string model = GetParam();
  test_support::TempDir dir;
  test_support::torch_export(model, dir.path().string());
  const std::string args = test_support::read_text(dir.file(model + "_import_args.txt"));
  const auto imported = run_lathe("import " + dir.file(model + ".onnx") + " -o " + dir.file("base.h5") + " " + args);
  ASSERT_EQ(imported.exit_code, 0) << imported.output;
  const auto evaluated =
      run_lathe("evaluate " + dir.file("base.h5") + " --data " + dir.file("data.h5") + " --logits " + dir.file("lathe.csv"));
  ASSERT_EQ(evaluated.exit_code, 0) << evaluated.output;
  const auto torch = test_support::read_predictions(dir.file(model + "_torch_logits.csv"));
  const auto lathe = test_support::read_predictions(dir.file("lathe.csv"));
  EXPECT_EQ(torch.classes.size(), 200U);
  test_support::expect_same_predictions(torch, lathe, 1e-4, model);
}

// The operators PyTorch's CNN exports rarely emit (Identity, VALID Conv, padded MaxPool,
// Dropout with its ratio as an input, a 1-d BatchNormalization, MatMul + Add, Reshape to
// [0, -1]), in a graph built with onnx.helper: ONNX Runtime is the reference here.
TEST(OnnxImportHandBuiltGraph, GivesOnnxRuntimesPredictionOnEveryImageAndLogitsWithin1e4) {
  test_support::TempDir dir;
  test_support::helper_models("handmade", dir.path().string());
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " import " + dir.file("handmade.onnx") + " -o " + dir.file("base.h5"));
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " evaluate " + dir.file("base.h5") + " --data " + dir.file("data.h5") +
                       " --logits " + dir.file("lathe.csv"));
  const int count = test_support::write_images_f32(dir.file("data.h5"), dir.file("images.f32"));
  test_support::run_onnxruntime(dir.file("handmade.onnx"), dir.file("images.f32"), count, dir.file("ort.csv"), "disabled");
  test_support::expect_same_predictions(test_support::read_predictions(dir.file("ort.csv")),
                                        test_support::read_predictions(dir.file("lathe.csv")), 1e-4, "handmade");
}

INSTANTIATE_TEST_SUITE_P(Models, OnnxImportFromPyTorch, ::testing::Values("lenet5", "vgg_small", "resnet8", "mixed"));

class OnnxImportRefuses : public ::testing::Test {
 protected:
  // Runs the import of `onnx` and expects one error line mentioning every part, and no
  // checkpoint written.
  void expect_refused(const std::string& onnx, std::initializer_list<std::string> parts) {
    const auto result = run_lathe("import " + onnx + " -o " + dir_.file("out.h5"));
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    EXPECT_TRUE(result.output.starts_with("lathe: error: ")) << result.output;
    for (const auto& part : parts) EXPECT_NE(result.output.find(part), std::string::npos) << part << "\n" << result.output;
    EXPECT_FALSE(std::filesystem::exists(dir_.file("out.h5")));
    EXPECT_EQ(dir_.entries().size(), files_before_);
  }
  void SetUp() override {
    test_support::helper_models("bad", dir_.path().string());
    files_before_ = dir_.entries().size();
  }
  test_support::TempDir dir_;
  std::size_t files_before_ = 0;
};

TEST_F(OnnxImportRefuses, UnsupportedOperatorNamingTheNodeItsOpAndWhatLatheSupports) {
  expect_refused(dir_.file("unsupported_op.onnx"), {"node 'gate' (Sigmoid)", "unsupported operator Sigmoid", "Lathe imports Conv"});
}

TEST_F(OnnxImportRefuses, UnsupportedAttributeNamingTheNodeAndTheAttribute) {
  expect_refused(dir_.file("bad_attribute.onnx"), {"node 'dilated_conv' (Conv)", "'dilations' = [2, 2]", "dilation 1 only"});
}

TEST_F(OnnxImportRefuses, ReshapeThatDoesNotFlatten) {
  expect_refused(dir_.file("reshape_not_flat.onnx"),
                 {"node 'unflatten' (Reshape)", "to [-1, 4, 16]", "only the Reshape that flattens (to N x 64)"});
}

TEST_F(OnnxImportRefuses, TruncatedFileAsOneError) {
  test_support::helper_models("handmade", dir_.path().string());
  std::ifstream in(dir_.file("handmade.onnx"), std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 3, std::size_t{40}}) {
    std::ofstream(dir_.file("cut.onnx"), std::ios::binary) << bytes.substr(0, keep);
    files_before_ = dir_.entries().size();
    expect_refused(dir_.file("cut.onnx"), {"cut.onnx: "});
  }
}

TEST_F(OnnxImportRefuses, FileThatIsNotOnnx) {
  dir_.write("notes.onnx", "these are not the weights you are looking for\n");
  files_before_ = dir_.entries().size();
  expect_refused(dir_.file("notes.onnx"), {"notes.onnx: expected an ONNX model"});
  expect_refused(dir_.file("missing.onnx"), {"missing.onnx: expected an ONNX model file, found no such file"});
}

TEST_F(OnnxImportRefuses, PreprocessingWithTheWrongChannelCount) {
  test_support::helper_models("handmade", dir_.path().string());
  files_before_ = dir_.entries().size();
  const auto result = run_lathe("import " + dir_.file("handmade.onnx") + " -o " + dir_.file("out.h5") + " --mean 0.1,0.2");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("mean: expected one value for all channels or one per channel (the model has 1), found 2"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("out.h5")));
}


// An imported base is a base like any other: `lathe search` compresses it too.
TEST(OnnxImportedBase, IsSearchedLikeATrainedBase) {
  test_support::TempDir dir;
  test_support::import_torch_model("lenet5", dir.path().string());
  dir.write("search.yaml", "name: imported\nbase: " + dir.file("base.h5") + "\nseed: 7\noutput: " + dir.file("search") +
                               "\nbudget: {evaluations: 3}\ncandidate: {threads: 1, batch_size: 32}\n"
                               "objectives:\n  - {metric: size_bytes, goal: minimize}\n"
                               "  - {metric: validation_accuracy, goal: maximize}\nstrategy: {name: random}\n"
                               "space:\n  steps:\n    - quantize: {method: ptq, weight_bits: {int_range: [2, 8]}}\n");
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " search " + dir.file("search.yaml"));
  const std::string csv = test_support::run_ok(std::string(LATHE_CLI_PATH) + " results " + dir.file("search") + " --csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;  // header + 3 evaluations
  EXPECT_EQ(csv.find(",failed,"), std::string::npos) << csv;
}


// The preparation is stored as the normalisation of raw / 255: mean / (255 scale) and
// std / (255 scale), from the command line or the data YAML's preprocessing key alike;
// the data section is stored without that key, as `lathe train` stores its data.
TEST(OnnxImportPreparation, FromTheDataYamlAsFromTheCommandLine) {
  test_support::TempDir dir;
  test_support::helper_models("handmade", dir.path().string());
  dir.write("data.yaml", "format: hdf5\ntrain_file: " + dir.file("data.h5") + "\ntest_file: " + dir.file("data.h5") +
                             "\npreprocessing: {scale: 0.00784313725490196, mean: [0.5], std: [0.25]}\n");
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " import " + dir.file("handmade.onnx") + " -o " +
                       dir.file("flags.h5") + " --scale 2/255 --mean 0.5 --std 0.25");
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " import " + dir.file("handmade.onnx") + " -o " +
                       dir.file("yaml.h5") + " --data " + dir.file("data.yaml"));
  const io::Checkpoint flags = io::read_checkpoint(dir.file("flags.h5"));
  const io::Checkpoint yaml = io::read_checkpoint(dir.file("yaml.h5"));
  for (const io::Checkpoint* checkpoint : {&flags, &yaml}) {
    ASSERT_EQ(checkpoint->normalization_mean.size(), 1U);
    EXPECT_NEAR(checkpoint->normalization_mean[0], 0.25, 1e-7);
    EXPECT_NEAR(checkpoint->normalization_std[0], 0.125, 1e-7);
  }
  EXPECT_EQ(flags.text_metadata.at("data_config"), "{}");
  EXPECT_NE(yaml.text_metadata.at("data_config").find("format: hdf5"), std::string::npos);
  EXPECT_EQ(yaml.text_metadata.at("data_config").find("preprocessing"), std::string::npos);
}

// --data DATA.h5: the data set serves as training and test data, so compress and
// evaluate take the imported base without naming its data again.
TEST(OnnxImportData, HdfDataSetGivenDirectlyIsTheBasesTrainingAndTestData) {
  test_support::TempDir dir;
  test_support::helper_models("handmade", dir.path().string());
  test_support::run_ok(std::string(LATHE_CLI_PATH) + " import " + dir.file("handmade.onnx") + " -o " +
                       dir.file("base.h5") + " --data " + dir.file("data.h5"));
  const io::Checkpoint base = io::read_checkpoint(dir.file("base.h5"));
  EXPECT_NE(base.text_metadata.at("data_config").find("train_file: " + dir.file("data.h5")), std::string::npos);
  const std::string evaluated = test_support::run_ok(std::string(LATHE_CLI_PATH) + " evaluate " + dir.file("base.h5"));
  EXPECT_NE(evaluated.find("on 200 images"), std::string::npos) << evaluated;
  const auto missing = run_lathe("import " + dir.file("handmade.onnx") + " -o " + dir.file("other.h5") + " --data " +
                                 dir.file("nothing.h5"));
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("nothing.h5: --data: no such file"), std::string::npos) << missing.output;
}

}  // namespace
}  // namespace lathe
