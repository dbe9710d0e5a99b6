// Choosing activation ranges on known distributions, and calibrating a model.
#include <gtest/gtest.h>

#include <random>

#include "compress/quantize/activation_calibration.h"
#include "compress/quantize/quantizer_insertion.h"
#include "compress/quantize/range_from_histogram.h"
#include "data/data_config.h"
#include "nn/layers/fake_quant.h"

namespace lathe::compress::quantize {
namespace {

// 20000 standard normal values plus `outliers` copies of `outlier`.
std::vector<float> normal_with_outliers(int outliers, float outlier) {
  std::mt19937_64 rng(11);
  std::normal_distribution<float> normal(0.0F, 1.0F);
  std::vector<float> values(20000);
  for (float& v : values) v = normal(rng);
  values.insert(values.end(), static_cast<std::size_t>(outliers), outlier);
  return values;
}

ValueHistogram histogram_of(const std::vector<float>& values) {
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  ValueHistogram histogram(*low, *high);
  histogram.add(values);
  return histogram;
}

TEST(QuantCalibration, PercentileClipsAnOutlierThatMinMaxKeeps) {
  const ValueHistogram histogram = histogram_of(normal_with_outliers(1, 100.0F));
  EXPECT_FLOAT_EQ(histogram.high(), 100.0F);  // what minmax calibration would use
  const ActivationRange range = percentile_range(histogram, 99.9);
  EXPECT_LT(range.max, 5.0F);
  EXPECT_GT(range.max, 2.5F);  // the 99.9th percentile of N(0, 1) is 3.1
  EXPECT_LT(range.min, -2.5F);
  EXPECT_GT(range.min, -5.0F);
}

TEST(QuantCalibration, PercentileKeepsTheMinimumOfReluOutputsAtZero) {
  std::vector<float> values = normal_with_outliers(0, 0.0F);
  for (float& v : values) v = std::max(v, 0.0F);
  const ActivationRange range = percentile_range(histogram_of(values), 99.99);
  EXPECT_EQ(range.min, 0.0F);
}

TEST(QuantCalibration, MseClipsBelowMinMaxWhenOutliersStretchTheRange) {
  const ValueHistogram histogram = histogram_of(normal_with_outliers(3, 40.0F));
  for (const bool symmetric : {false, true}) {
    const ActivationRange full{histogram.low(), histogram.high()};
    const ActivationRange best = mse_range(histogram, 4, symmetric);
    EXPECT_LT(best.max, 0.5F * full.max) << symmetric;
    EXPECT_LT(quantization_mse(histogram, best, 4, symmetric),
              quantization_mse(histogram, full, 4, symmetric)) << symmetric;
  }
}

TEST(QuantCalibration, MseKeepsNearlyTheWholeRangeOfUniformValuesAtEightBits) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<float> uniform(0.0F, 1.0F);
  std::vector<float> values(20000);
  for (float& v : values) v = uniform(rng);
  const ActivationRange best = mse_range(histogram_of(values), 8, false);
  EXPECT_GT(best.max, 0.95F);
}

data::DataSplits tiny_data() {
  data::DataConfig config;
  config.format = "synthetic";
  config.synthetic.classes = 4;
  config.synthetic.train_size = 300;
  config.synthetic.test_size = 50;
  config.validation_fraction = 0.2;
  return data::load_data(config, 5, "test");
}

TEST(QuantCalibration, MinMaxOverTheWholeTrainingSplitIsTheSplitsRange) {
  const data::DataSplits data = tiny_data();
  nn::Model model(nn::parse_model_spec(R"(
input: {channels: 1, height: 8, width: 8}
layers:
  - {name: flatten, type: flatten}
  - {name: fc, type: linear, out_features: 4}
)", "test"), 3);
  const std::vector<std::string> quantizers = insert_input_quantizers(model, {"fc"}, {8, false}, 3);
  ASSERT_EQ(quantizers, std::vector<std::string>{"fc_in_q"});
  const auto backend = make_cpu_backend(1);
  const auto ranges = calibrate_activations(model, *backend, data.train, quantizers,
                                            {"minmax", 99.99, 1000}, 32, 1);
  const auto [low, high] = std::minmax_element(data.train.images.values().begin(),
                                               data.train.images.values().end());
  EXPECT_EQ(ranges.at("fc_in_q").min, *low);
  EXPECT_EQ(ranges.at("fc_in_q").max, *high);
  const auto& quantizer = dynamic_cast<const nn::FakeQuant&>(model.layer(*model.find_layer("fc_in_q")));
  EXPECT_EQ(quantizer.range_min(), *low);
  EXPECT_EQ(quantizer.range_max(), *high);
  EXPECT_FALSE(quantizer.observing());
}

TEST(QuantCalibration, PercentileAndMseRangesLieInsideTheMinMaxRange) {
  const data::DataSplits data = tiny_data();
  const auto backend = make_cpu_backend(1);
  std::map<std::string, ActivationRange> by_method;
  for (const char* method : {"minmax", "percentile", "mse"}) {
    nn::Model model(nn::parse_model_spec(R"(
input: {channels: 1, height: 8, width: 8}
layers:
  - {name: flatten, type: flatten}
  - {name: fc, type: linear, out_features: 4}
)", "test"), 3);
    const auto quantizers = insert_input_quantizers(model, {"fc"}, {4, false}, 3);
    by_method[method] =
        calibrate_activations(model, *backend, data.train, quantizers, {method, 99.0, 4}, 32, 1)
            .at("fc_in_q");
  }
  for (const char* method : {"percentile", "mse"}) {
    EXPECT_GE(by_method[method].min, by_method["minmax"].min) << method;
    EXPECT_LE(by_method[method].max, by_method["minmax"].max) << method;
    EXPECT_LT(by_method[method].max - by_method[method].min,
              by_method["minmax"].max - by_method["minmax"].min) << method;
  }
}

}  // namespace
}  // namespace lathe::compress::quantize
