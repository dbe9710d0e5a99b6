#include "compress/share/gaussian_mixture.h"
#include "mixture_on_host.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace lathe::compress::share {
namespace {

ShareParams grid(int components, double a, double b, bool zero_component) {
  ShareParams params;
  params.components = components;
  params.range = {a, b};
  params.zero_component = zero_component;
  return params;
}

TEST(ShareMixture, MeansAreEvenlySpacedOverTheRangeWithBothEnds) {
  for (const int k : {2, 3, 7, 16, 256}) {
    for (const auto& [a, b] : std::vector<std::pair<double, double>>{{-0.5, 0.5}, {-1.0, 0.25}, {0.1, 0.9}}) {
      const std::vector<double> means = evenly_spaced_means(a, b, k);
      ASSERT_EQ(means.size(), static_cast<std::size_t>(k));
      EXPECT_EQ(means.front(), a);
      EXPECT_EQ(means.back(), b);
      for (int j = 0; j < k; ++j) {
        EXPECT_DOUBLE_EQ(means[static_cast<std::size_t>(j)], a + j * (b - a) / (k - 1)) << "K=" << k << " k=" << j;
      }
    }
  }
}

TEST(ShareMixture, ZeroComponentIsOneMoreWhenTheGridMissesZero) {
  const GaussianMixture mixture = make_initial_mixture(grid(4, -0.6, 0.6, true));
  ASSERT_EQ(mixture.size(), 5U);
  const std::vector<double> claim_grid = evenly_spaced_means(-0.6, 0.6, 4);
  for (std::size_t j = 0; j < 4; ++j) {
    EXPECT_EQ(mixture.means[j], claim_grid[j]);  // claim 2's means, untouched
    EXPECT_FALSE(mixture.mean_is_fixed[j]);
  }
  EXPECT_EQ(mixture.means[4], 0.0);
  EXPECT_TRUE(mixture.mean_is_fixed[4]);
}

TEST(ShareMixture, ZeroComponentIsTheGridPointAtZeroWhenThereIsOne) {
  const GaussianMixture mixture = make_initial_mixture(grid(5, -0.5, 0.5, true));
  ASSERT_EQ(mixture.size(), 5U);
  EXPECT_EQ(mixture.means[2], 0.0);
  EXPECT_TRUE(mixture.mean_is_fixed[2]);
  EXPECT_EQ(std::count(mixture.mean_is_fixed.begin(), mixture.mean_is_fixed.end(), true), 1);
}

TEST(ShareMixture, WithoutZeroComponentEveryMeanTrains) {
  const GaussianMixture mixture = make_initial_mixture(grid(4, -0.6, 0.6, false));
  ASSERT_EQ(mixture.size(), 4U);
  EXPECT_EQ(std::count(mixture.mean_is_fixed.begin(), mixture.mean_is_fixed.end(), true), 0);
  // Default initial std: half the spacing 0.4.
  EXPECT_NEAR(std::exp(0.5 * mixture.log_variances[0]), 0.2, 1e-12);
}

GaussianMixture uneven_mixture() {
  GaussianMixture mixture;
  mixture.means = {-0.4, 0.05, 0.3};
  mixture.log_variances = {std::log(0.04), std::log(0.01), std::log(0.09)};
  mixture.logits = {0.2, 1.0, -0.5};
  mixture.mean_is_fixed = {false, false, false};
  return mixture;
}

double nll_of(const GaussianMixture& mixture, const std::vector<float>& weights) {
  MixtureGradient ignored(mixture.size());
  return test::mixture_nll(mixture, weights, {}, ignored);
}

TEST(ShareMixture, NegativeLogLikelihoodMatchesTheDirectFormula) {
  const GaussianMixture mixture = uneven_mixture();
  const std::vector<float> weights = {-0.5F, 0.0F, 0.2F, 0.8F};
  const std::vector<double> pi = mixture.mixing_probabilities();
  double expected = 0.0;
  for (const float w : weights) {
    double density = 0.0;
    for (std::size_t j = 0; j < 3; ++j) {
      const double var = std::exp(mixture.log_variances[j]);
      const double d = w - mixture.means[j];
      density += pi[j] * std::exp(-d * d / (2 * var)) / std::sqrt(2 * M_PI * var);
    }
    expected -= std::log(density);
  }
  EXPECT_NEAR(nll_of(mixture, weights), expected, 1e-10);
}

TEST(SharePriorGradient, MatchesFiniteDifferencesOfTheNegativeLogLikelihood) {
  const GaussianMixture mixture = uneven_mixture();
  std::vector<float> weights = {-0.55F, -0.3F, -0.02F, 0.07F, 0.21F, 0.4F, 0.75F};
  std::vector<float> weight_gradient(weights.size());
  MixtureGradient gradient(mixture.size());
  test::mixture_nll(mixture, weights, weight_gradient, gradient);

  for (std::size_t i = 0; i < weights.size(); ++i) {
    std::vector<float> up = weights;
    std::vector<float> down = weights;
    up[i] += 1e-3F;
    down[i] -= 1e-3F;
    const double step = static_cast<double>(up[i]) - static_cast<double>(down[i]);
    const double numeric = (nll_of(mixture, up) - nll_of(mixture, down)) / step;
    EXPECT_NEAR(weight_gradient[i], numeric, 1e-3 * std::max(1.0, std::abs(numeric))) << "w" << i;
  }
  // Each mixture parameter in turn, by central differences in double.
  const auto check = [&](std::vector<double> GaussianMixture::*field,
                         const std::vector<double>& analytic, const char* what) {
    for (std::size_t j = 0; j < mixture.size(); ++j) {
      GaussianMixture up = mixture;
      GaussianMixture down = mixture;
      (up.*field)[j] += 1e-6;
      (down.*field)[j] -= 1e-6;
      const double numeric = (nll_of(up, weights) - nll_of(down, weights)) / 2e-6;
      EXPECT_NEAR(analytic[j], numeric, 1e-5 * std::max(1.0, std::abs(numeric))) << what << j;
    }
  };
  check(&GaussianMixture::means, gradient.means, "mean");
  check(&GaussianMixture::log_variances, gradient.log_variances, "log variance");
  check(&GaussianMixture::logits, gradient.logits, "logit");
}

TEST(ShareMixture, AdamFitsTheMeansToTheWeightsAndKeepsThePinnedOneAtZero) {
  ShareParams params = grid(2, -0.5, 0.5, true);
  params.initial_std = 0.1;
  GaussianMixture mixture = make_initial_mixture(params);
  ASSERT_EQ(mixture.size(), 3U);
  // Weights around -0.3 and +0.3: the outer means move inwards, the zero stays.
  std::vector<float> weights;
  for (int i = 0; i < 50; ++i) {
    weights.push_back(-0.3F + 0.001F * static_cast<float>(i % 5));
    weights.push_back(0.3F - 0.001F * static_cast<float>(i % 5));
  }
  MixtureAdam adam(0.01, mixture.size());
  for (int step = 0; step < 300; ++step) {
    MixtureGradient gradient(mixture.size());
    test::mixture_nll(mixture, weights, {}, gradient);
    adam.step(mixture, gradient);
  }
  EXPECT_NEAR(mixture.means[0], -0.3, 0.02);
  EXPECT_NEAR(mixture.means[1], 0.3, 0.02);
  EXPECT_EQ(mixture.means[2], 0.0);
  for (const double lv : mixture.log_variances) EXPECT_GE(lv, mixture.min_log_variance);
}

TEST(ShareMixture, SamplingDrawsEachComponentByItsProbability) {
  GaussianMixture mixture = make_initial_mixture(grid(4, -0.6, 0.6, false));
  mixture.log_variances.assign(4, std::log(1e-4));  // std 0.01: each draw stays by its mean
  mixture.logits = {0.0, 0.0, std::log(2.0), std::log(4.0)};  // probabilities 1:1:2:4 / 8
  std::vector<float> values(8000);
  std::mt19937_64 rng(5);
  sample_from_mixture(mixture, values, rng);
  std::vector<int> counts(4, 0);
  for (const float v : values) {
    std::size_t nearest = 0;
    for (std::size_t j = 1; j < 4; ++j) {
      if (std::abs(v - mixture.means[j]) < std::abs(v - mixture.means[nearest])) nearest = j;
    }
    EXPECT_LT(std::abs(v - mixture.means[nearest]), 0.06);
    ++counts[nearest];
  }
  EXPECT_NEAR(counts[0], 1000, 150);
  EXPECT_NEAR(counts[1], 1000, 150);
  EXPECT_NEAR(counts[2], 2000, 200);
  EXPECT_NEAR(counts[3], 4000, 250);
}

}  // namespace
}  // namespace lathe::compress::share
