#include "compress/share/weight_sharing_hook.h"

#include <gtest/gtest.h>

#include "mixture_on_host.h"
#include "share_test_support.h"

namespace lathe::compress::share {
namespace {

using test::weights_of;
using test::Workbench;

double weights_nll(nn::Model& model, const GaussianMixture& mixture) {
  double nll = 0.0;
  for (const char* name : {"conv1/weight", "fc/weight"}) {
    MixtureGradient ignored(mixture.size());
    nll += test::mixture_nll(mixture, weights_of(model, name), {}, ignored);
  }
  return nll;
}

ShareParams prior_params(double prior_weight) {
  ShareParams params;
  params.components = 8;
  params.prior_weight = prior_weight;
  params.mixture_lr = 0.01;
  return params;
}

// One phase-1 finetune with the hook; returns the state afterwards.
std::unique_ptr<ShareState> train_prior(Workbench& bench, double prior_weight) {
  auto state = std::make_unique<ShareState>(prior_params(prior_weight),
                                            std::vector<std::string>{"conv1", "fc"},
                                            prior_weight / static_cast<double>(bench.data.train.size()));
  WeightSharingHook hook(*state);
  nn::TrainingHook* hooks[] = {&hook};
  nn::train_model(bench.model, *bench.backend, bench.data.train, bench.data.validation,
                  test::sgd_with_momentum(2), hooks);
  return state;
}

TEST(SharePriorTraining, TrainsTheMixtureMeansAndKeepsTheZeroPinned) {
  Workbench bench;
  const std::unique_ptr<ShareState> state = train_prior(bench, 0.005);
  const GaussianMixture initial = make_initial_mixture(prior_params(0.005));
  ASSERT_EQ(state->mixture.size(), 9U);
  int moved = 0;
  for (std::size_t j = 0; j < 8; ++j) moved += state->mixture.means[j] != initial.means[j] ? 1 : 0;
  EXPECT_EQ(moved, 8);
  EXPECT_EQ(state->mixture.means[8], 0.0);
  EXPECT_FALSE(state->snapped);  // the snap is the step's after_finetune, not the hook's
}

TEST(SharePriorTraining, ThePriorPullsTheWeightsTowardsTheMixture) {
  Workbench without_prior;
  Workbench with_prior;
  const std::unique_ptr<ShareState> plain = train_prior(without_prior, 0.0);
  const std::unique_ptr<ShareState> pulled = train_prior(with_prior, 50.0);
  // Measured under one mixture, so only the weights differ.
  EXPECT_LT(weights_nll(with_prior.model, pulled->mixture),
            weights_nll(without_prior.model, pulled->mixture));
}

TEST(SharePriorTraining, TheReportedLossIncludesTheScaledPrior) {
  Workbench bench;
  ShareState state(prior_params(0.5), {"conv1", "fc"}, 0.25);
  WeightSharingHook hook(state);
  hook.on_train_start(*bench.backend, bench.model, 1);
  Tensor logits(Shape{1, 4});
  const std::vector<std::int32_t> labels = {0};
  nn::LossGradients gradients{logits, labels, 0.0F, {}};
  const float added = hook.add_loss_gradient(*bench.backend, bench.model, Tensor(), gradients);
  EXPECT_NEAR(added, 0.25 * weights_nll(bench.model, state.mixture), 1e-3 * std::abs(added));
}

}  // namespace
}  // namespace lathe::compress::share
