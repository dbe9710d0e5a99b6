// The 1-D Gaussian mixture that docs/methods.md M2 shares weights with: K components whose
// means start evenly spaced over a preset [a, b], and (ours, Ullrich et al.
// 2017) trainable variances and mixing weights, with the negative log-likelihood of the
// weights under the mixture as the soft weight-sharing prior. Pure numerics: no model,
// no training loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "backend/backend.h"
#include "compress/share/share_params.h"

namespace lathe::compress::share {

struct GaussianMixture {
  std::vector<double> means;
  std::vector<double> log_variances;  // log sigma^2: unconstrained for Adam
  std::vector<double> logits;         // mixing probabilities = softmax(logits)
  std::vector<bool> mean_is_fixed;    // the pinned zero component's mean never moves
  // Floor on log sigma^2, so no component collapses onto a single weight (whose
  // likelihood would then grow without bound).
  double min_log_variance = -40.0;

  [[nodiscard]] std::size_t size() const { return means.size(); }
  [[nodiscard]] std::vector<double> mixing_probabilities() const;
};

// mean_k = a + k (b - a) / (K - 1), k = 0..K-1; both ends exactly a and b.
std::vector<double> evenly_spaced_means(double a, double b, int count);

// The mixture at the start of training: the evenly spaced means, one shared initial
// variance, equal mixing probabilities (ours: the preset sampling of components is
// uniform over the components), plus the pinned zero component when asked for.
GaussianMixture make_initial_mixture(const ShareParams& params);

struct MixtureGradient {
  std::vector<double> means;
  std::vector<double> log_variances;
  std::vector<double> logits;

  explicit MixtureGradient(std::size_t components = 0)
      : means(components, 0.0), log_variances(components, 0.0), logits(components, 0.0) {}
};

// NLL(w) = -sum_i log sum_j pi_j N(w_i | mu_j, sigma_j^2) over the n weights at
// `weights` (in the backend's memory). Returns it, adds d NLL / d (means, log variances,
// logits) into `gradient`, and writes d NLL / d w_i into `weight_gradient` (n floats in
// the backend's memory) when it is not null. The per-weight loop is the backend's
// mixture_prior operation.
double mixture_negative_log_likelihood(Backend& backend, const GaussianMixture& mixture,
                                       const float* weights, std::int64_t n,
                                       float* weight_gradient, MixtureGradient& gradient);

// For each value, a component drawn by the mixing probabilities, then a value
// drawn from that component's Gaussian.
void sample_from_mixture(const GaussianMixture& mixture, std::span<float> values,
                         std::mt19937_64& rng);

// Adam on the mixture's own parameters (the trainer's optimiser sees only the model's):
// fixed means stay put, log variances stay at or above the floor.
class MixtureAdam {
 public:
  MixtureAdam(double learning_rate, std::size_t components);
  void step(GaussianMixture& mixture, const MixtureGradient& gradient);

  // The step count, then both moments (means, log variances, logits each), for a paused
  // run: 1 + 6 x components numbers. restore() takes them back.
  [[nodiscard]] std::vector<double> state() const;
  [[nodiscard]] std::size_t state_size() const { return 1 + 6 * first_moment_.means.size(); }
  void restore(const std::vector<double>& state);

 private:
  double learning_rate_;
  std::int64_t steps_ = 0;
  MixtureGradient first_moment_;
  MixtureGradient second_moment_;
};

}  // namespace lathe::compress::share
