#include "compress/share/weight_sharing_hook.h"

#include <algorithm>
#include <span>
#include <string>

#include "compress/share/codebook_packing.h"
#include "core/error.h"
#include "nn/model_placement.h"

namespace lathe::compress::share {
namespace {

// Replaces each element by the mean of its cluster's elements. Means are taken in double:
// a cluster of equal floats gives back exactly that float.
void set_to_cluster_means(std::span<float> values, const std::vector<std::uint32_t>& cluster,
                          const std::vector<std::int64_t>& sizes, std::vector<double>& sums) {
  sums.assign(sizes.size(), 0.0);
  for (std::size_t i = 0; i < values.size(); ++i) sums[cluster[i]] += values[i];
  for (std::size_t c = 0; c < sizes.size(); ++c) {
    if (sizes[c] > 0) sums[c] /= static_cast<double>(sizes[c]);
  }
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(sums[cluster[i]]);
}

constexpr const char* kOwner = "the share step's saved state";

Tensor float_tensor(const std::vector<float>& values) {
  Tensor tensor(Shape{static_cast<std::int64_t>(values.size())});
  std::copy(values.begin(), values.end(), tensor.values().begin());
  return tensor;
}

std::string layer_key(const char* what, std::size_t layer) { return std::string(what) + "/" + std::to_string(layer); }

}  // namespace

void WeightSharingHook::on_train_start(Backend& backend, nn::Model& model,
                                       std::int64_t /*total_steps*/) {
  prior_gradients_.clear();
  clusters_.clear();
  cluster_sizes_.clear();
  mixture_gradient_ = MixtureGradient(state_.mixture.size());
  for (std::size_t l = 0; l < state_.layers.size(); ++l) {
    const nn::Parameter& weight = shared_weight(model, state_.layers[l]);
    if (!state_.snapped) {
      prior_gradients_.emplace_back(weight.value.shape(), backend.memory());
      continue;
    }
    // Clusters come from the weights themselves, so a model compacted since the snap
    // (fewer weights, same shared values) still ties correctly.
    std::vector<float>& codebook = state_.codebooks[l];
    std::vector<float> buffer;
    clusters_.push_back(tie_to_codebook(host_view(weight.value, buffer), codebook));
    std::vector<std::int64_t> sizes(codebook.size(), 0);
    for (const std::uint32_t c : clusters_.back()) ++sizes[c];
    cluster_sizes_.push_back(std::move(sizes));
  }
}

float WeightSharingHook::add_loss_gradient(Backend& backend, nn::Model& model,
                                           const Tensor& /*images*/,
                                           nn::LossGradients& /*gradients*/) {
  if (state_.snapped) return 0.0F;
  mixture_gradient_ = MixtureGradient(state_.mixture.size());
  double nll = 0.0;
  std::int64_t count = 0;
  for (std::size_t l = 0; l < state_.layers.size(); ++l) {
    const nn::Parameter& weight = shared_weight(model, state_.layers[l]);
    nll += mixture_negative_log_likelihood(backend, state_.mixture, weight.value.data(),
                                           weight.value.size(), prior_gradients_[l].data(),
                                           mixture_gradient_);
    count += weight.value.size();
  }
  // The mixture's Adam gets the gradient of the mean NLL: Adam ignores the scale, and so
  // the mixture still fits the weights when prior_weight is 0.
  const double per_weight = 1.0 / static_cast<double>(std::max<std::int64_t>(count, 1));
  for (std::size_t j = 0; j < state_.mixture.size(); ++j) {
    mixture_gradient_.means[j] *= per_weight;
    mixture_gradient_.log_variances[j] *= per_weight;
    mixture_gradient_.logits[j] *= per_weight;
  }
  return static_cast<float>(state_.prior_scale * nll);
}

void WeightSharingHook::after_backward(Backend& backend, nn::Model& model) {
  std::vector<double> sums;
  for (std::size_t l = 0; l < state_.layers.size(); ++l) {
    nn::Parameter& weight = shared_weight(model, state_.layers[l]);
    if (state_.snapped) {
      // Tied fine-tuning is host code: on a device backend the layer visits the host.
      nn::ParametersOnHost on_host({&weight});
      set_to_cluster_means(weight.grad.values(), clusters_[l], cluster_sizes_[l], sums);
      on_host.finish();
      continue;
    }
    backend.axpy(weight.grad.size(), static_cast<float>(state_.prior_scale),
                 prior_gradients_[l].data(), weight.grad.data());
  }
}

void WeightSharingHook::after_update(Backend& /*backend*/, nn::Model& model) {
  if (!state_.snapped) {
    state_.mixture_optimizer.step(state_.mixture, mixture_gradient_);
    return;
  }
  std::vector<double> sums;
  for (std::size_t l = 0; l < state_.layers.size(); ++l) {
    nn::Parameter& weight = shared_weight(model, state_.layers[l]);
    nn::ParametersOnHost on_host({&weight});
    set_to_cluster_means(weight.value.values(), clusters_[l], cluster_sizes_[l], sums);
    on_host.finish();
    std::vector<float>& codebook = state_.codebooks[l];
    for (std::size_t c = 0; c < codebook.size(); ++c) {
      if (cluster_sizes_[l][c] > 0) codebook[c] = static_cast<float>(sums[c]);
    }
  }
}

void WeightSharingHook::on_train_end(Backend& /*backend*/, nn::Model& /*model*/) {
  prior_gradients_.clear();
  clusters_.clear();
  cluster_sizes_.clear();
}

void WeightSharingHook::save_state(nn::HookState& saved) const {
  saved.numbers["snapped"] = state_.snapped ? 1.0 : 0.0;
  saved.put_numbers("mixture/means", state_.mixture.means);
  saved.put_numbers("mixture/log_variances", state_.mixture.log_variances);
  saved.put_numbers("mixture/logits", state_.mixture.logits);
  saved.put_numbers("mixture_adam", state_.mixture_optimizer.state());
  saved.numbers["codebooks"] = static_cast<double>(state_.codebooks.size());
  for (std::size_t l = 0; l < state_.codebooks.size(); ++l) {
    saved.tensors[layer_key("codebook", l)] = float_tensor(state_.codebooks[l]);
  }
  // Inside a tied run only (between runs on_train_start derives them afresh, as then).
  // Codebook indices are far below 2^24: exact as floats.
  saved.numbers["clusters"] = static_cast<double>(clusters_.size());
  for (std::size_t l = 0; l < clusters_.size(); ++l) {
    Tensor indices(Shape{static_cast<std::int64_t>(clusters_[l].size())});
    std::copy(clusters_[l].begin(), clusters_[l].end(), indices.values().begin());
    saved.tensors[layer_key("clusters", l)] = std::move(indices);
  }
}

void WeightSharingHook::load_state(const nn::HookState& saved, nn::Model& model) {
  const std::size_t components = state_.mixture.size();
  state_.snapped = saved.number("snapped", kOwner) != 0.0;
  state_.mixture.means = saved.number_list("mixture/means", components, kOwner);
  state_.mixture.log_variances = saved.number_list("mixture/log_variances", components, kOwner);
  state_.mixture.logits = saved.number_list("mixture/logits", components, kOwner);
  state_.mixture_optimizer.restore(
      saved.number_list("mixture_adam", state_.mixture_optimizer.state_size(), kOwner));
  const double codebooks = saved.number("codebooks", kOwner);
  LATHE_CHECK(codebooks == (state_.snapped ? static_cast<double>(state_.layers.size()) : 0.0), kOwner,
              ": expected a codebook for each of the ", state_.layers.size(), " shared layers once snapped, found ",
              codebooks);
  state_.codebooks.clear();
  for (std::size_t l = 0; l < static_cast<std::size_t>(codebooks); ++l) {
    const std::span<const float> values = saved.tensor(layer_key("codebook", l), kOwner).values();
    state_.codebooks.emplace_back(values.begin(), values.end());
  }
  const double clusters = saved.number("clusters", kOwner);
  if (clusters == 0.0) return;  // not inside a tied run: on_train_start ties the weights
  LATHE_CHECK(state_.snapped && clusters == static_cast<double>(state_.layers.size()), kOwner,
              ": expected the clusters of the ", state_.layers.size(), " snapped layers, found ", clusters);
  prior_gradients_.clear();  // on_train_start made them for a run before the snap
  clusters_.clear();
  cluster_sizes_.clear();
  for (std::size_t l = 0; l < state_.layers.size(); ++l) {
    const std::span<const float> indices = saved.tensor(layer_key("clusters", l), kOwner).values();
    const std::vector<float>& codebook = state_.codebooks[l];
    LATHE_CHECK(static_cast<std::int64_t>(indices.size()) == shared_weight(model, state_.layers[l]).value.size(),
                kOwner, ": layer ", state_.layers[l], ": expected a cluster for each of its ",
                shared_weight(model, state_.layers[l]).value.size(), " weights, found ", indices.size());
    std::vector<std::uint32_t> cluster(indices.size());
    std::vector<std::int64_t> sizes(codebook.size(), 0);
    for (std::size_t i = 0; i < indices.size(); ++i) {
      LATHE_CHECK(indices[i] >= 0.0F && indices[i] < static_cast<float>(codebook.size()), kOwner, ": layer ",
                  state_.layers[l], ": expected cluster indices in [0, ", codebook.size(), "), found ", indices[i]);
      cluster[i] = static_cast<std::uint32_t>(indices[i]);
      ++sizes[cluster[i]];
    }
    clusters_.push_back(std::move(cluster));
    cluster_sizes_.push_back(std::move(sizes));
  }
}

}  // namespace lathe::compress::share
