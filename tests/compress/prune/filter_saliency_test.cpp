#include "compress/prune/filter_saliency.h"

#include <gtest/gtest.h>

#include <cmath>

#include "compress/prune/prune_mask.h"
#include "nn/evaluation.h"
#include "prune_test_support.h"

namespace lathe::compress {
namespace {

nn::Parameter& parameter(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (named.name == name) return *named.parameter;
  }
  throw std::runtime_error("no parameter " + name);
}

// Two convs of 3 filters each (2 input channels, 1x1 kernels) tied by an add.
const char* kTiedPair = R"(name: tied_pair
input: {channels: 2, height: 4, width: 4}
layers:
  - {name: a, type: conv2d, out_channels: 3, kernel: 1}
  - {name: b, type: conv2d, out_channels: 3, kernel: 1, inputs: [input]}
  - {name: add, type: add, inputs: [a, b]}
  - {name: gap, type: global_avgpool}
  - {name: fc, type: linear, out_features: 2}
)";

TEST(PruneNormSaliency, L1AndL2AreTheFilterNormsSummedOverTheGroupsProducers) {
  nn::Model model(test::spec_of(kTiedPair), 1);
  // a's filters (2 weights each): (1, -2), (0, 3), (-4, 0); b's: (2, 0), (0, 0), (1, 1)
  const std::vector<float> a{1, -2, 0, 3, -4, 0};
  const std::vector<float> b{2, 0, 0, 0, 1, 1};
  std::copy(a.begin(), a.end(), parameter(model, "a/weight").value.data());
  std::copy(b.begin(), b.end(), parameter(model, "b/weight").value.data());
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const ChannelGroup& tied = *group_of_layer(groups, "a");
  ASSERT_EQ(tied.producers.size(), 2U);
  const std::vector<double> l1 = filter_norm_saliency(model, tied, 1);
  EXPECT_EQ(l1, (std::vector<double>{3 + 2, 3 + 0, 4 + 2}));
  const std::vector<double> l2 = filter_norm_saliency(model, tied, 2);
  EXPECT_NEAR(l2[0], std::sqrt(5.0) + 2.0, 1e-12);
  EXPECT_NEAR(l2[1], 3.0, 1e-12);
  EXPECT_NEAR(l2[2], 4.0 + std::sqrt(2.0), 1e-12);
}

// The mean cross-entropy of the whole (single-batch) training set, with channel c of
// conv1 (filter and bias) scaled by `scale`.
double loss_with_channel_scaled(nn::Model& model, Backend& backend, const data::Dataset& set,
                                std::int64_t c, float scale) {
  nn::Parameter& w = parameter(model, "conv1/weight");
  nn::Parameter& b = parameter(model, "conv1/bias");
  const Tensor saved_w = w.value;
  const Tensor saved_b = b.value;
  const std::int64_t filter = w.value.size() / w.value.shape()[0];
  for (std::int64_t i = c * filter; i < (c + 1) * filter; ++i) w.value[i] *= scale;
  b.value[c] *= scale;
  const Tensor& logits = model.forward(backend, set.images, nn::RunMode{true, 0});
  int correct = 0;
  const double loss = backend.softmax_cross_entropy(static_cast<int>(set.size()), model.classes(),
                                                    logits.data(), set.labels.data(), nullptr,
                                                    &correct);
  w.value = saved_w;
  b.value = saved_b;
  return loss;
}

TEST(PruneTaylorSaliency, IsTheLossSlopeAlongTheChannelsScale) {
  // No batchnorm or dropout: training mode computes the same function as inference.
  nn::Model model(nn::parse_model_spec(R"(name: plain
input: {channels: 1, height: 8, width: 8}
layers:
  - {name: conv1, type: conv2d, out_channels: 4, kernel: 3, padding: 1}
  - {name: relu1, type: relu}
  - {name: pool1, type: maxpool, kernel: 2}
  - {name: flatten, type: flatten}
  - {name: fc, type: linear, out_features: 4}
)", "test"), 3);
  test::randomise_state(model, 4);
  const data::DataSplits splits = test::synthetic_splits();
  const auto backend = make_cpu_backend(1);
  // One batch holding the whole training set: its order cannot change the mean loss.
  const SaliencyData data{*backend, splits.train, splits.validation, 1,
                          static_cast<int>(splits.train.size()), 9};
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  std::vector<ChannelGroup> conv1{*group_of_layer(groups, "conv1")};
  const std::vector<double> taylor = channel_saliencies(model, conv1, "taylor", data)[0];
  ASSERT_EQ(taylor.size(), 4U);
  for (std::int64_t c = 0; c < 4; ++c) {
    // d/dt L(t * channel) at t = 1, by central differences.
    const float h = 1e-2F;
    const double slope = (loss_with_channel_scaled(model, *backend, splits.train, c, 1 + h) -
                          loss_with_channel_scaled(model, *backend, splits.train, c, 1 - h)) /
                         (2 * h);
    EXPECT_NEAR(taylor[static_cast<std::size_t>(c)], std::abs(slope), 1e-4 + 1e-3 * std::abs(slope)) << c;
  }
}

TEST(PruneTaylorSaliency, LeavesWeightsAndRunningStatisticsAsTheyWere) {
  nn::Model model(test::spec_of(test::kResidualSpec), 2);
  test::randomise_state(model, 3);
  std::vector<Tensor> before;
  for (const nn::NamedParameter& named : model.named_parameters()) before.push_back(named.parameter->value);
  const data::DataSplits splits = test::synthetic_splits();
  const auto backend = make_cpu_backend(1);
  const SaliencyData data{*backend, splits.train, splits.validation, 2, 32, 1};
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  const auto scores = channel_saliencies(model, groups, "taylor", data);
  ASSERT_EQ(scores.size(), groups.size());
  double total = 0.0;
  for (const auto& group_scores : scores) {
    for (double s : group_scores) total += s;
  }
  EXPECT_GT(total, 0.0);
  std::size_t i = 0;
  for (const nn::NamedParameter& named : model.named_parameters()) {
    EXPECT_EQ(test::max_abs_difference(named.parameter->value, before[i++]), 0.0F) << named.name;
  }
}

TEST(PruneRemovalSaliency, IsTheValidationLossIncreaseWithTheChannelPruned) {
  nn::Model model(test::spec_of(test::kResidualSpec), 2);
  test::randomise_state(model, 3);
  const data::DataSplits splits = test::synthetic_splits();
  const auto backend = make_cpu_backend(1);
  const int all = static_cast<int>(splits.validation.size());
  const SaliencyData data{*backend, splits.train, splits.validation, 1, all, 1};
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  std::vector<ChannelGroup> a_conv1{*group_of_layer(groups, "a_conv1")};
  // Channel 2 of a_conv1 is read by nobody: removing it costs nothing.
  nn::Parameter& reader = parameter(model, "a_conv2/weight");
  const std::int64_t taps = 9;
  for (std::int64_t o = 0; o < 6; ++o) {
    for (std::int64_t t = 0; t < taps; ++t) reader.value[(o * 5 + 2) * taps + t] = 0.0F;
  }
  const std::vector<double> scores = channel_saliencies(model, a_conv1, "removal", data)[0];
  ASSERT_EQ(scores.size(), 5U);
  EXPECT_NEAR(scores[2], 0.0, 1e-9);

  const double reference = nn::evaluate(model, *backend, splits.validation, all).loss;
  PruneMask one;
  one.groups.push_back({a_conv1[0], {0}});
  zero_pruned_entries(model, parameter_cuts(one, false));
  const double without = nn::evaluate(model, *backend, splits.validation, all).loss;
  EXPECT_NEAR(scores[0], without - reference, 1e-6);
  EXPECT_NE(scores[0], 0.0);
}

TEST(PruneRemovalSaliency, EmptyValidationSetIsAClearError) {
  nn::Model model(test::spec_of(test::kResidualSpec), 2);
  const data::DataSplits splits = test::synthetic_splits();
  data::Dataset empty;
  empty.source = "validation split";
  const auto backend = make_cpu_backend(1);
  const SaliencyData data{*backend, splits.train, empty, 1, 16, 1};
  const std::vector<ChannelGroup> groups = find_channel_groups(model);
  EXPECT_NE(test::error_of([&] { (void)channel_saliencies(model, groups, "removal", data); })
                .find("validation split: the removal saliency scores channels on validation data"),
            std::string::npos);
}

}  // namespace
}  // namespace lathe::compress
