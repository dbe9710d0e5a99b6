// Model geometry is checked when the model is built, and against the data before the first
// forward pass: every refusal names the spec file, the layer and (for labels) the labels
// file with the expected range.
#include "nn/data_fit.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "../data/data_test_files.h"
#include "data/hdf5_dataset.h"
#include "data/idx_reader.h"
#include "nn/layer_spec.h"
#include "nn/model.h"

namespace lathe::nn {
namespace {

using data::test_files::error_message;

// tiny_cnn's shape: 1 x 8 x 8 images, 4 classes; `middle` goes between conv1 and flatten.
std::string spec_text(const std::string& middle, int outputs = 4, int height = 8) {
  return "name: t\ninput: {channels: 1, height: " + std::to_string(height) + ", width: 8}\nlayers:\n"
         "  - {name: conv1, type: conv2d, out_channels: 4, kernel: 3, padding: 1}\n" + middle +
         "  - {name: flatten, type: flatten}\n"
         "  - {name: fc, type: linear, out_features: " + std::to_string(outputs) + "}\n";
}

TEST(ModelGeometry, WindowsThatDoNotFitTheirInputAreRefusedWhenBuiltNamingTheLayer) {
  struct Case {
    std::string middle;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"  - {name: pool1, type: maxpool, kernel: 9}\n",
       "m.yaml:5: layers.pool1: a 9x9 window with padding 0 does not fit an input of [4, 8, 8]"},
      {"  - {name: pool1, type: avgpool, kernel: 12, stride: 2}\n",
       "m.yaml:5: layers.pool1: a 12x12 window with padding 0 does not fit an input of [4, 8, 8]"},
      {"  - {name: pool1, type: maxpool, kernel: 2}\n  - {name: pool2, type: maxpool, kernel: 5}\n",
       "m.yaml:6: layers.pool2: a 5x5 window with padding 0 does not fit an input of [4, 4, 4]"},
      {"  - {name: conv2, type: conv2d, out_channels: 2, kernel: 9, stride: 2}\n",
       "m.yaml:5: layers.conv2: a 9x9 kernel with padding 0 does not fit an input of [4, 8, 8]"},
  };
  for (const Case& c : cases) {
    const std::string message = error_message([&] { Model model(parse_model_spec(spec_text(c.middle), "m.yaml"), 1); });
    EXPECT_NE(message.find(c.message), std::string::npos) << c.middle << message;
  }
  // A window exactly as large as its input fits.
  EXPECT_NO_THROW(Model(parse_model_spec(spec_text("  - {name: pool1, type: maxpool, kernel: 8}\n"), "m.yaml"), 1));
}

class ModelDataFit : public ::testing::Test {
 protected:
  // 6 images of 1 x height x 8 in 4 classes (labels 0..3), as IDX files.
  data::Dataset idx_set(std::uint32_t height, const data::test_files::Bytes& labels) {
    data::test_files::write_plain(dir.file("images.idx"),
                                  data::test_files::idx_images(static_cast<std::uint32_t>(labels.size()), height, 8,
                                                               data::test_files::Bytes(labels.size() * height * 8, 7)));
    data::test_files::write_plain(dir.file("labels.idx"), data::test_files::idx_labels(labels));
    return data::read_idx_pair(dir.file("images.idx"), dir.file("labels.idx"));
  }
  static std::string fit_error(int outputs, const data::Dataset& set, ClassFit fit, int height = 8) {
    return error_message([&] {
      const Model model(parse_model_spec(spec_text("", outputs, height), "m.yaml"), 1);
      check_model_fits_data(model, set, fit);
    });
  }
  data::test_files::TempDir dir;
};

TEST_F(ModelDataFit, EachMismatchNamesTheFilesTheLayerAndWhatWasExpected) {
  const data::test_files::Bytes four_classes = {0, 1, 2, 3, 1, 0};
  struct Case {
    const char* name;
    int outputs;
    int spec_height;
    ClassFit fit;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"images of another size", 4, 28, ClassFit::at_most,
       "m.yaml: input: the model takes images of C x H x W = [1, 28, 8], but " + dir.file("images.idx") +
           " holds images of [1, 8, 8]; set input to the data's shape"},
      {"too few outputs for the labels", 3, 8, ClassFit::at_most,
       dir.file("labels.idx") + ": expected labels in [0, 3) (the 3 outputs of layer 'fc' at m.yaml:6), found label 3"},
      {"too few outputs, training", 3, 8, ClassFit::exact,
       dir.file("labels.idx") + ": expected labels in [0, 3)"},
      {"more outputs than classes, training", 6, 8, ClassFit::exact,
       "m.yaml:6: layers.fc: outputs 6 scores per image, but the data has 4 classes (" + dir.file("labels.idx") +
           "); the last layer needs one output per class"},
  };
  const data::Dataset set = idx_set(8, four_classes);
  for (const Case& c : cases) {
    const std::string message = fit_error(c.outputs, set, c.fit, c.spec_height);
    EXPECT_NE(message.find(c.message), std::string::npos) << c.name << ": " << message;
  }
  EXPECT_EQ(fit_error(4, set, ClassFit::exact), "");
  EXPECT_EQ(fit_error(6, set, ClassFit::at_most), "") << "evaluating on a subset of the classes is fine";
}

TEST_F(ModelDataFit, LabelsOfAnHdf5SetAreReportedAgainstItsDataSetY) {
  data::test_files::write_hdf5_set(dir.file("set.h5"), 8, 8, {0, 1, 9, 2});
  const std::string message = fit_error(4, data::read_hdf5_dataset(dir.file("set.h5")), ClassFit::at_most);
  EXPECT_NE(message.find(dir.file("set.h5") + ": data set y: expected labels in [0, 4) (the 4 outputs of layer "
                         "'fc' at m.yaml:6), found label 9"),
            std::string::npos) << message;
}

}  // namespace
}  // namespace lathe::nn
