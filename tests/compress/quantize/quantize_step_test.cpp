// The quantize recipe step end to end on a tiny trained CNN: PTQ, QAT with the hook,
// the intermediate-bit schedule, packing, and the messages for bad recipes.
#include "compress/quantize/quantize_step.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "compress/quantize/quantization_hook.h"
#include "core/error.h"
#include "compress/quantize/weight_quantizer.h"
#include "data/data_config.h"
#include "nn/evaluation.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"

namespace lathe::compress::quantize {
namespace {

struct TrainedTiny {
  data::DataSplits data;
  io::Checkpoint checkpoint;
  double accuracy = 0.0;
};

// tiny_cnn trained once on synthetic 8x8 images, shared by the tests below.
const TrainedTiny& trained_tiny() {
  static const TrainedTiny trained = [] {
    TrainedTiny t;
    data::DataConfig config;
    config.format = "synthetic";
    config.synthetic.classes = 4;
    config.synthetic.train_size = 600;
    config.synthetic.test_size = 200;
    config.synthetic.noise = 0.3;
    config.validation_fraction = 0.2;
    t.data = data::load_data(config, 5, "test");
    nn::Model model(nn::load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/tests/tiny_cnn.yaml"), 7);
    const auto backend = make_cpu_backend(1);
    nn::TrainingOptions options;
    options.epochs = 3;
    options.batch_size = 32;
    options.seed = 7;
    nn::train_model(model, *backend, t.data.train, t.data.validation, options);
    t.accuracy = nn::evaluate(model, *backend, t.data.test, 64).accuracy;
    t.checkpoint = nn::make_checkpoint(model);
    return t;
  }();
  return trained;
}

nn::Model trained_model() { return nn::model_from_checkpoint(trained_tiny().checkpoint, "tiny"); }

const StepSource kSource{"recipe.yaml:3", "steps[0].quantize"};

std::unique_ptr<CompressionStep> step_from(const std::string& yaml) {
  return make_quantize_step(YAML::Load(yaml), kSource);
}

struct Fixture {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  CompressionContext context{*backend, trained_tiny().data, trained_tiny().checkpoint, 1, 64};
};

const Tensor& base_weight(const std::string& name) {
  for (const io::NamedTensor& t : trained_tiny().checkpoint.tensors) {
    if (t.name == name) return t.value;
  }
  throw std::runtime_error("no tensor " + name);
}

Tensor& weight(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& p : model.named_parameters()) {
    if (p.name == name) return p.parameter->value;
  }
  throw std::runtime_error("no parameter " + name);
}

const nn::LayerSpec& layer_spec(const nn::Model& model, const std::string& name) {
  return model.spec().layers.at(*model.find_layer(name));
}

nn::FakeQuant& quantizer(nn::Model& model, const std::string& name) {
  return dynamic_cast<nn::FakeQuant&>(model.layer(*model.find_layer(name)));
}

// The most distinct values in any one row of axis 0.
std::size_t most_levels_per_channel(const Tensor& t) {
  const std::int64_t per_row = t.size() / t.shape()[0];
  std::size_t most = 0;
  for (std::int64_t r = 0; r < t.shape()[0]; ++r) {
    most = std::max(most, std::set<float>(t.data() + r * per_row, t.data() + (r + 1) * per_row).size());
  }
  return most;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(QuantizeStep, PtqAtEightBitsKeepsAccuracyClose) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: ptq, weight_bits: 8, act_bits: 8}");
  EXPECT_EQ(step->kind(), "quantize");
  step->validate(model);
  step->apply(model, f.context);
  step->finalize(model, f.context);
  EXPECT_EQ(step->hook(), nullptr);
  ASSERT_GT(trained_tiny().accuracy, 0.8);
  EXPECT_NEAR(nn::evaluate(model, *f.backend, trained_tiny().data.test, 64).accuracy,
              trained_tiny().accuracy, 0.02);
}

TEST(QuantizeStep, InsertsOneQuantiserInFrontOfEachQuantisedLayer) {
  Fixture f;
  nn::Model model = trained_model();
  step_from("{method: ptq}")->apply(model, f.context);
  EXPECT_EQ(layer_spec(model, "conv1").inputs, std::vector<std::string>{"conv1_in_q"});
  EXPECT_EQ(layer_spec(model, "conv1_in_q").inputs, std::vector<std::string>{"input"});
  EXPECT_EQ(layer_spec(model, "fc").inputs, std::vector<std::string>{"fc_in_q"});
  EXPECT_EQ(layer_spec(model, "fc_in_q").inputs, std::vector<std::string>{"flatten"});
  for (const char* name : {"conv1_in_q", "fc_in_q"}) {
    EXPECT_TRUE(quantizer(model, name).calibrated()) << name;
    EXPECT_EQ(quantizer(model, name).bits(), 8) << name;
  }
  // The rebuilt model carries the trained batchnorm statistics and biases over.
  EXPECT_EQ(weight(model, "bn1/running_mean").values()[0], base_weight("bn1/running_mean").values()[0]);
  EXPECT_EQ(weight(model, "fc/bias").values()[1], base_weight("fc/bias").values()[1]);
}

TEST(QuantizeStep, WeightsAreRoundedAtTheirOwnLayersBits) {
  Fixture f;
  nn::Model model = trained_model();
  step_from("{method: ptq, weight_bits: {default: 4, conv1: 8}, act_bits: 0, granularity: per_tensor}")
      ->apply(model, f.context);
  EXPECT_FALSE(model.find_layer("conv1_in_q").has_value());  // act_bits 0: float activations
  const Tensor conv1 = quantize_weights(base_weight("conv1/weight"), {8, true, false}).values;
  const Tensor fc = quantize_weights(base_weight("fc/weight"), {4, true, false}).values;
  for (std::int64_t i = 0; i < conv1.size(); ++i) ASSERT_EQ(weight(model, "conv1/weight")[i], conv1[i]);
  for (std::int64_t i = 0; i < fc.size(); ++i) ASSERT_EQ(weight(model, "fc/weight")[i], fc[i]);
}

TEST(QuantizeStep, LayersKeyLimitsWhatIsQuantised) {
  Fixture f;
  nn::Model model = trained_model();
  step_from("{method: ptq, weight_bits: 2, layers: [fc]}")->apply(model, f.context);
  EXPECT_FALSE(model.find_layer("conv1_in_q").has_value());
  EXPECT_TRUE(model.find_layer("fc_in_q").has_value());
  EXPECT_EQ(weight(model, "conv1/weight").values()[3], base_weight("conv1/weight").values()[3]);
  EXPECT_LE(most_levels_per_channel(weight(model, "fc/weight")), 4U);
}

TEST(QuantizeStep, PackStoresCodesThatDecodeExactlyToTheFinalWeights) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: ptq, weight_bits: {default: 3, fc: 5}, symmetric: false}");
  step->apply(model, f.context);
  step->finalize(model, f.context);
  io::Checkpoint artifact = nn::make_checkpoint(model);
  step->pack(model, artifact);
  for (const io::NamedTensor& tensor : artifact.tensors) {
    const bool quantised = tensor.name == "conv1/weight" || tensor.name == "fc/weight";
    ASSERT_EQ(tensor.packed.has_value(), quantised) << tensor.name;
    if (!quantised) continue;
    EXPECT_EQ(tensor.packed->bits, tensor.name == "fc/weight" ? 5 : 3);
    EXPECT_EQ(tensor.packed->scales.size(), 4U);  // per channel by default
    const Tensor decoded = dequantize(*tensor.packed);
    const Tensor& final_weight = weight(model, tensor.name);
    for (std::int64_t i = 0; i < decoded.size(); ++i) {
      ASSERT_EQ(decoded[i], final_weight[i]) << tensor.name << " " << i;
      ASSERT_EQ(tensor.value[i], final_weight[i]) << tensor.name << " " << i;
    }
  }
  // The artifact loads back as a model with the same weights and quantiser ranges.
  nn::Model loaded = nn::model_from_checkpoint(artifact, "artifact");
  EXPECT_EQ(quantizer(loaded, "fc_in_q").range_max(), quantizer(model, "fc_in_q").range_max());
}

QuantizationHook& qat_hook(CompressionStep& step) {
  auto* hook = dynamic_cast<QuantizationHook*>(step.hook());
  if (hook == nullptr) throw std::runtime_error("no QAT hook");
  return *hook;
}

TEST(QuantizeStep, QatKeepsWeightsOnTheGridOfTheirMastersWhileTraining) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: qat, weight_bits: 4, act_bits: 6}");
  step->apply(model, f.context);
  QuantizationHook& hook = qat_hook(*step);
  nn::TrainingOptions options;
  options.epochs = 1;
  options.batch_size = 32;
  options.optimizer.lr = 0.01;
  nn::TrainingHook* hooks[] = {&hook};
  nn::train_model(model, *f.backend, trained_tiny().data.train, trained_tiny().data.validation,
                  options, hooks);
  for (const char* name : {"conv1/weight", "fc/weight"}) {
    const Tensor& value = weight(model, name);
    const Tensor* master = hook.master(name);
    ASSERT_NE(master, nullptr);
    const Tensor on_grid = quantize_weights(*master, {4, true, true}).values;
    bool master_differs = false;
    for (std::int64_t i = 0; i < value.size(); ++i) {
      ASSERT_EQ(value[i], on_grid[i]) << name << " " << i;
      master_differs = master_differs || (*master)[i] != value[i];
    }
    EXPECT_TRUE(master_differs) << name << ": the float masters are kept apart";
    EXPECT_LE(most_levels_per_channel(value), 16U) << name;
  }
  EXPECT_GT(nn::evaluate(model, *f.backend, trained_tiny().data.test, 64).accuracy, 0.7);
}

TEST(QuantizeStep, QatHookCarriesTheOptimisersChangeToTheMasterWeights) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: qat, weight_bits: 3}");
  step->apply(model, f.context);
  QuantizationHook& hook = qat_hook(*step);
  hook.on_train_start(*f.backend, model, 10);
  const Tensor master_before = *hook.master("fc/weight");
  Tensor& value = weight(model, "fc/weight");
  for (float& w : value.values()) w += 0.01F;  // what an optimiser step would do
  hook.after_update(*f.backend, model);
  const Tensor& master_after = *hook.master("fc/weight");
  for (std::int64_t i = 0; i < value.size(); ++i) {
    ASSERT_NEAR(master_after[i] - master_before[i], 0.01F, 1e-6F) << i;
  }
  const Tensor expected = quantize_weights(master_after, {3, true, true}).values;
  for (std::int64_t i = 0; i < value.size(); ++i) ASSERT_EQ(value[i], expected[i]) << i;
}

TEST(QuantizeStep, QatMovesActivationRangesByTheCountedRuleAfterEachIteration) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: qat, range_update: counted, window: 1, weight_old: 0.5, weight_mean: 0.5}");
  step->apply(model, f.context);
  QuantizationHook& hook = qat_hook(*step);
  hook.on_train_start(*f.backend, model, 10);
  nn::FakeQuant& q = quantizer(model, "fc_in_q");
  const float calibrated_max = q.range_max();
  // One training forward over a few items: their largest feature lies below the
  // calibrated max (the max over 8 batches), so with window 1 the bound comes down.
  Tensor images(Shape{4, 1, 8, 8});
  for (std::int64_t i = 0; i < images.size(); ++i) images[i] = trained_tiny().data.train.images[i];
  model.forward(*f.backend, images, nn::RunMode{true, 1});
  const float observed_max = q.last_observed_max();
  ASSERT_LT(observed_max, calibrated_max);
  hook.after_update(*f.backend, model);
  EXPECT_FLOAT_EQ(q.range_max(), 0.5F * calibrated_max + 0.5F * observed_max);
}

TEST(QuantizeStep, IntermediateBitsSwitchToTheTargetAtTheFraction) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from(
      "{method: qat, weight_bits: 4, act_bits: 4, start_bits: intermediate, switch_fraction: 0.3}");
  step->apply(model, f.context);
  QuantizationHook& hook = qat_hook(*step);
  EXPECT_FALSE(hook.at_target_bits());
  EXPECT_EQ(quantizer(model, "fc_in_q").bits(), 6);  // 4 + 2
  hook.on_train_start(*f.backend, model, 10);
  EXPECT_EQ(hook.switch_step(), 3);
  EXPECT_GT(most_levels_per_channel(weight(model, "fc/weight")), 16U);
  for (int step_index = 1; step_index <= 2; ++step_index) {
    hook.after_update(*f.backend, model);
    EXPECT_FALSE(hook.at_target_bits()) << step_index;
    EXPECT_EQ(quantizer(model, "fc_in_q").bits(), 6) << step_index;
  }
  hook.after_update(*f.backend, model);
  EXPECT_TRUE(hook.at_target_bits());
  EXPECT_EQ(quantizer(model, "fc_in_q").bits(), 4);
  EXPECT_LE(most_levels_per_channel(weight(model, "fc/weight")), 16U);
}

TEST(QuantizeStep, IntermediateBitsAreCappedAtEightAndARunThatEndsEarlyEndsAtTheTarget) {
  Fixture f;
  nn::Model model = trained_model();
  auto step = step_from("{method: qat, weight_bits: 7, act_bits: 7, start_bits: intermediate}");
  step->apply(model, f.context);
  QuantizationHook& hook = qat_hook(*step);
  EXPECT_EQ(quantizer(model, "conv1_in_q").bits(), 8);
  hook.on_train_start(*f.backend, model, 100);
  hook.after_update(*f.backend, model);
  EXPECT_FALSE(hook.at_target_bits());
  hook.on_train_end(*f.backend, model);
  EXPECT_TRUE(hook.at_target_bits());
  EXPECT_EQ(quantizer(model, "conv1_in_q").bits(), 7);
}

TEST(QuantizeStep, BitsOutsideTwoToEightIsAnErrorNamingTheKey) {
  EXPECT_NE(error_of([] { step_from("{weight_bits: 9}"); })
                .find("recipe.yaml:3:1: steps[0].quantize.weight_bits: expected an integer in [2, 8], got 9"),
            std::string::npos)
      << error_of([] { step_from("{weight_bits: 9}"); });
  const std::string in_map = error_of([] { step_from("{weight_bits: {default: 4, conv1: 9}}"); });
  EXPECT_NE(in_map.find("steps[0].quantize.weight_bits.conv1: expected an integer in [2, 8], got 9"),
            std::string::npos) << in_map;
  const std::string act = error_of([] { step_from("{act_bits: 1}"); });
  EXPECT_NE(act.find("steps[0].quantize.act_bits: expected 0 (activations stay float) or an integer in [2, 8], got 1"),
            std::string::npos) << act;
  const std::string act_high = error_of([] { step_from("{act_bits: 9}"); });
  EXPECT_NE(act_high.find("steps[0].quantize.act_bits: expected an integer in [0, 8], got 9"),
            std::string::npos) << act_high;
}

TEST(QuantizeStep, UnknownLayerInWeightBitsIsAnErrorAtValidate) {
  const nn::Model model = trained_model();
  auto step = step_from("{weight_bits: {default: 4, conv9: 8}}");
  const std::string message = error_of([&] { step->validate(model); });
  EXPECT_NE(message.find("recipe.yaml:3: steps[0].quantize.weight_bits.conv9: 'conv9' is not one of "
                         "the layers this step quantises (conv1, fc)"),
            std::string::npos) << message;
}

TEST(QuantizeStep, LayersMustBeConvOrLinearLayersOfTheModel) {
  const nn::Model model = trained_model();
  const std::string unknown = error_of([&] { step_from("{layers: [conv9]}")->validate(model); });
  EXPECT_NE(unknown.find("steps[0].quantize.layers: 'conv9' is not a layer of the model "
                         "(conv2d/linear layers: conv1, fc)"),
            std::string::npos) << unknown;
  const std::string relu = error_of([&] { step_from("{layers: [relu1]}")->validate(model); });
  EXPECT_NE(relu.find("steps[0].quantize.layers: 'relu1' is a relu layer; only conv2d and linear "
                      "layers are quantised"),
            std::string::npos) << relu;
}

TEST(QuantizeStep, UnknownKeyIsAnErrorSuggestingTheNearestKey) {
  const std::string message = error_of([] { step_from("{method: qat, windw: 4}"); });
  EXPECT_NE(message.find("steps[0].quantize.windw: unknown key (did you mean 'window'?)"),
            std::string::npos) << message;
  const std::string with_map = error_of([] { step_from("{weight_bits: {default: 4}, ratio_upp: 0.2}"); });
  EXPECT_NE(with_map.find("steps[0].quantize.ratio_upp: unknown key (did you mean 'ratio_up'?)"),
            std::string::npos) << with_map;
}

}  // namespace
}  // namespace lathe::compress::quantize
