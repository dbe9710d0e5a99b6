#include "compress/share/gaussian_mixture.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.h"

namespace lathe::compress::share {
namespace {

// (ours) components never get narrower than 5% of the initial grid spacing.
constexpr double kMinStdPerSpacing = 0.05;

double log_sum_exp(std::span<const double> values) {
  const double top = *std::max_element(values.begin(), values.end());
  if (!std::isfinite(top)) return top;
  double sum = 0.0;
  for (const double v : values) sum += std::exp(v - top);
  return top + std::log(sum);
}

}  // namespace

std::vector<double> GaussianMixture::mixing_probabilities() const {
  const double normaliser = log_sum_exp(logits);
  std::vector<double> probabilities(logits.size());
  for (std::size_t j = 0; j < logits.size(); ++j) probabilities[j] = std::exp(logits[j] - normaliser);
  return probabilities;
}

std::vector<double> evenly_spaced_means(double a, double b, int count) {
  LATHE_CHECK(count >= 2 && a < b, "evenly_spaced_means: need K >= 2 and a < b, got K = ", count,
              ", [", a, ", ", b, "]");
  std::vector<double> means(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) means[static_cast<std::size_t>(k)] = a + k * (b - a) / (count - 1);
  means.back() = b;  // exactly b, whatever the rounding of the last step
  return means;
}

GaussianMixture make_initial_mixture(const ShareParams& params) {
  const double a = params.range.at(0);
  const double b = params.range.at(1);
  const double spacing = (b - a) / (params.components - 1);
  const double initial_std = params.initial_std > 0.0 ? params.initial_std : 0.5 * spacing;
  GaussianMixture mixture;
  mixture.means = evenly_spaced_means(a, b, params.components);
  mixture.mean_is_fixed.assign(mixture.means.size(), false);
  if (params.zero_component) {
    // A grid point within rounding of 0 (a = -b, K odd) becomes the pinned one; else the
    // zero component is one more, and the K grid means stay evenly spaced.
    const auto nearest = std::min_element(mixture.means.begin(), mixture.means.end(),
                                          [](double x, double y) { return std::abs(x) < std::abs(y); });
    if (std::abs(*nearest) <= 1e-9 * spacing) {
      *nearest = 0.0;
      mixture.mean_is_fixed[static_cast<std::size_t>(nearest - mixture.means.begin())] = true;
    } else {
      mixture.means.push_back(0.0);
      mixture.mean_is_fixed.push_back(true);
    }
  }
  mixture.log_variances.assign(mixture.means.size(), std::log(initial_std * initial_std));
  mixture.logits.assign(mixture.means.size(), 0.0);
  const double min_std = std::min(kMinStdPerSpacing * spacing, initial_std);
  mixture.min_log_variance = std::log(min_std * min_std);
  return mixture;
}

double mixture_negative_log_likelihood(Backend& backend, const GaussianMixture& mixture,
                                       const float* weights, std::int64_t n,
                                       float* weight_gradient, MixtureGradient& gradient) {
  const std::size_t k = mixture.size();
  // Per component: log pi_j - log sqrt(2 pi sigma_j^2), and 1 / sigma_j^2.
  const double log_normaliser = log_sum_exp(mixture.logits);
  std::vector<MixtureComponent> components(k);
  for (std::size_t j = 0; j < k; ++j) {
    components[j] = {mixture.means[j], std::exp(-mixture.log_variances[j]),
                     mixture.logits[j] - log_normaliser -
                         0.5 * (std::log(2.0 * std::numbers::pi) + mixture.log_variances[j])};
  }
  const MixturePriorSums sums = backend.mixture_prior(n, weights, components, weight_gradient);
  // d NLL / d logit_j = sum_i (pi_j - r_ij).
  const std::vector<double> pi = mixture.mixing_probabilities();
  const double count = static_cast<double>(n);
  for (std::size_t j = 0; j < k; ++j) {
    gradient.means[j] += sums.mean_gradient[j];
    gradient.log_variances[j] += sums.log_variance_gradient[j];
    gradient.logits[j] += count * pi[j] - sums.responsibility[j];
  }
  return sums.nll;
}

void sample_from_mixture(const GaussianMixture& mixture, std::span<float> values,
                         std::mt19937_64& rng) {
  const std::vector<double> pi = mixture.mixing_probabilities();
  std::discrete_distribution<std::size_t> pick_component(pi.begin(), pi.end());
  std::normal_distribution<double> standard_normal(0.0, 1.0);
  for (float& value : values) {
    const std::size_t j = pick_component(rng);
    const double component_std = std::exp(0.5 * mixture.log_variances[j]);
    value = static_cast<float>(mixture.means[j] + component_std * standard_normal(rng));
  }
}

MixtureAdam::MixtureAdam(double learning_rate, std::size_t components)
    : learning_rate_(learning_rate), first_moment_(components), second_moment_(components) {}

void MixtureAdam::step(GaussianMixture& mixture, const MixtureGradient& gradient) {
  constexpr double kBeta1 = 0.9;
  constexpr double kBeta2 = 0.999;
  constexpr double kEpsilon = 1e-8;
  ++steps_;
  const double correction1 = 1.0 - std::pow(kBeta1, static_cast<double>(steps_));
  const double correction2 = 1.0 - std::pow(kBeta2, static_cast<double>(steps_));
  const auto update = [&](std::vector<double>& values, const std::vector<double>& grads,
                          std::vector<double>& m, std::vector<double>& v, std::size_t j) {
    m[j] = kBeta1 * m[j] + (1.0 - kBeta1) * grads[j];
    v[j] = kBeta2 * v[j] + (1.0 - kBeta2) * grads[j] * grads[j];
    values[j] -= learning_rate_ * (m[j] / correction1) / (std::sqrt(v[j] / correction2) + kEpsilon);
  };
  for (std::size_t j = 0; j < mixture.size(); ++j) {
    if (!mixture.mean_is_fixed[j]) {
      update(mixture.means, gradient.means, first_moment_.means, second_moment_.means, j);
    }
    update(mixture.log_variances, gradient.log_variances, first_moment_.log_variances,
           second_moment_.log_variances, j);
    mixture.log_variances[j] = std::max(mixture.log_variances[j], mixture.min_log_variance);
    update(mixture.logits, gradient.logits, first_moment_.logits, second_moment_.logits, j);
  }
}

std::vector<double> MixtureAdam::state() const {
  std::vector<double> numbers{static_cast<double>(steps_)};
  for (const MixtureGradient* moment : {&first_moment_, &second_moment_}) {
    for (const std::vector<double>* values : {&moment->means, &moment->log_variances, &moment->logits}) {
      numbers.insert(numbers.end(), values->begin(), values->end());
    }
  }
  return numbers;
}

void MixtureAdam::restore(const std::vector<double>& state) {
  LATHE_CHECK(state.size() == state_size(), "mixture optimiser state: expected ", state_size(), " numbers, got ",
              state.size());
  steps_ = static_cast<std::int64_t>(state[0]);
  std::size_t next = 1;
  for (MixtureGradient* moment : {&first_moment_, &second_moment_}) {
    for (std::vector<double>* values : {&moment->means, &moment->log_variances, &moment->logits}) {
      for (double& value : *values) value = state[next++];
    }
  }
}

}  // namespace lathe::compress::share
