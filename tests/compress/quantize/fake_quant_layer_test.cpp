// The fake_quant layer: grid, straight-through gradient, observations, checkpoints.
#include "nn/layers/fake_quant.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "nn/layer_factory.h"
#include "nn/model.h"
#include "nn/model_checkpoint.h"

namespace lathe::nn {
namespace {

std::unique_ptr<FakeQuant> make_quantizer(const std::string& keys) {
  const ModelSpec spec = parse_model_spec(
      "input: {channels: 1, height: 1, width: 6}\nlayers:\n  - {name: q, type: fake_quant" + keys +
          "}\n",
      "test");
  const Shape item{1, 1, 6};
  std::unique_ptr<Layer> layer = make_layer(spec.layers[0], std::span<const Shape>(&item, 1));
  auto* quantizer = dynamic_cast<FakeQuant*>(layer.get());
  EXPECT_NE(quantizer, nullptr);
  layer.release();
  return std::unique_ptr<FakeQuant>(quantizer);
}

Tensor row(std::initializer_list<float> values) {
  Tensor t(Shape{1, 1, 1, static_cast<std::int64_t>(values.size())});
  std::int64_t i = 0;
  for (const float v : values) t[i++] = v;
  return t;
}

Tensor run(FakeQuant& layer, Backend& backend, const Tensor& x, bool training) {
  Tensor y;
  const Tensor* inputs[] = {&x};
  layer.forward(backend, inputs, y, RunMode{training, 0});
  return y;
}

TEST(FakeQuantLayer, RoundsToTheLevelsOfItsRangeAndClampsOutside) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 2");
  EXPECT_EQ(layer->bits(), 2);
  EXPECT_FALSE(layer->symmetric());
  layer->set_range(0.0F, 3.0F);  // levels 0, 1, 2, 3
  const Tensor y = run(*layer, *backend, row({-1.0F, 0.4F, 0.6F, 2.2F, 3.0F, 7.0F}), false);
  const std::vector<float> expected = {0.0F, 0.0F, 1.0F, 2.0F, 3.0F, 3.0F};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(y[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(FakeQuantLayer, SymmetricGridHasSignedLevelsAndZero) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 3, symmetric: true");
  layer->set_range(-3.0F, 1.5F);  // bound 3, levels -3..3 in steps of 1
  const Tensor y = run(*layer, *backend, row({-3.4F, -1.2F, 0.0F, 0.4F, 1.4F, 2.0F}), false);
  // 2.0 is clamped to 1.5, whose nearest level is 2
  const std::vector<float> expected = {-3.0F, -1.0F, 0.0F, 0.0F, 1.0F, 2.0F};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(y[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(FakeQuantLayer, AsymmetricGridHoldsZeroExactly) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 4");
  layer->set_range(-0.37F, 2.91F);
  const Tensor y = run(*layer, *backend, row({0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F}), false);
  for (const float v : y.values()) EXPECT_EQ(v, 0.0F);
}

TEST(FakeQuantLayer, StraightThroughGradientPassesInsideTheRangeOnly) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 4");
  layer->set_range(-1.0F, 2.0F);
  const Tensor x = row({-1.5F, -1.0F, 0.3F, 1.7F, 2.0F, 2.5F});
  const Tensor y = run(*layer, *backend, x, true);
  const Tensor dy = row({1.0F, 2.0F, 3.0F, 4.0F, 5.0F, 6.0F});
  Tensor dx;
  const Tensor* inputs[] = {&x};
  Tensor* grads[] = {&dx};
  layer->backward(*backend, inputs, y, dy, grads);
  const std::vector<float> expected = {0.0F, 2.0F, 3.0F, 4.0F, 5.0F, 0.0F};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(dx[static_cast<std::int64_t>(i)], expected[i]) << i;
}

TEST(FakeQuantLayer, TrainingRecordsTheBatchMinAndMaxInferenceDoesNot) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer("");
  layer->set_range(-1.0F, 1.0F);
  run(*layer, *backend, row({0.5F, -2.0F, 3.0F, 0.0F, 1.0F, 1.0F}), true);
  EXPECT_EQ(layer->last_observed_min(), -2.0F);
  EXPECT_EQ(layer->last_observed_max(), 3.0F);
  EXPECT_EQ(layer->observation_count(), 1);
  run(*layer, *backend, row({9.0F, 9.0F, 9.0F, 9.0F, 9.0F, 9.0F}), false);
  EXPECT_EQ(layer->observation_count(), 1);
  EXPECT_EQ(layer->last_observed_max(), 3.0F);
}

TEST(FakeQuantLayer, ObservingPassesValuesThroughAndRecordsInAnyMode) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 2");
  layer->set_range(0.0F, 1.0F);
  layer->set_observing(true);
  const Tensor x = row({-0.3F, 0.123F, 0.77F, 4.0F, 1.0F, 0.5F});
  const Tensor y = run(*layer, *backend, x, false);
  for (std::int64_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]);
  EXPECT_EQ(layer->last_observed_min(), -0.3F);
  EXPECT_EQ(layer->last_observed_max(), 4.0F);
}

TEST(FakeQuantLayer, AnUncalibratedQuantiserLeavesValuesUnchanged) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 2");
  EXPECT_FALSE(layer->calibrated());
  const Tensor x = row({-0.3F, 0.123F, 0.77F, 4.0F, 1.0F, 0.5F});
  const Tensor y = run(*layer, *backend, x, false);
  for (std::int64_t i = 0; i < x.size(); ++i) EXPECT_EQ(y[i], x[i]);
}

TEST(FakeQuantLayer, BitsChangeAtRunTime) {
  const auto backend = make_cpu_backend(1);
  auto layer = make_quantizer(", bits: 6");
  layer->set_range(0.0F, 1.0F);
  Tensor x(Shape{1, 1, 1, 6});
  for (std::int64_t i = 0; i < 6; ++i) x[i] = static_cast<float>(i) / 5.0F;
  layer->set_bits(2);
  const Tensor y = run(*layer, *backend, x, false);
  EXPECT_LE(std::set<float>(y.values().begin(), y.values().end()).size(), 4U);
  EXPECT_THROW(layer->set_bits(9), Error);
  EXPECT_THROW(layer->set_bits(1), Error);
}

TEST(FakeQuantLayer, BitsOutsideTwoToEightInTheSpecIsAnErrorNamingTheKey) {
  try {
    make_quantizer(", bits: 9");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("layers.q.bits: expected an integer in [2, 8], got 9"),
              std::string::npos) << e.what();
  }
}

TEST(FakeQuantLayer, TheRangeIsANonTrainableParameterSavedInCheckpoints) {
  Model model(parse_model_spec(R"(
input: {channels: 1, height: 2, width: 2}
layers:
  - {name: flatten, type: flatten}
  - {name: q, type: fake_quant, bits: 4}
  - {name: fc, type: linear, out_features: 2}
)", "test"), 1);
  auto& quantizer = dynamic_cast<FakeQuant&>(model.layer(1));
  quantizer.set_range(-0.5F, 2.5F);
  EXPECT_EQ(model.macs_per_item(), 4 * 2);  // the linear layer's only
  for (const Parameter* p : model.trainable_parameters()) EXPECT_NE(p->name, "range");
  const io::Checkpoint checkpoint = make_checkpoint(model);
  const Model restored = model_from_checkpoint(checkpoint, "test");
  const auto& loaded = dynamic_cast<const FakeQuant&>(restored.layer(1));
  EXPECT_EQ(loaded.range_min(), -0.5F);
  EXPECT_EQ(loaded.range_max(), 2.5F);
  EXPECT_EQ(loaded.bits(), 4);
}

}  // namespace
}  // namespace lathe::nn
