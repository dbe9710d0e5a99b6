// What the share step keeps between the evaluator's calls, shared by the step and its
// training hook: the mixture (trained in the first finetune after the step), and after
// the snap each layer's codebook of shared values. Layers are kept by name only:
// compaction and students replace the Model object.
#pragma once

#include <string>
#include <vector>

#include "compress/share/gaussian_mixture.h"
#include "compress/share/share_params.h"
#include "nn/model.h"

namespace lathe::compress::share {

struct ShareState {
  ShareState(ShareParams share_params, std::vector<std::string> layer_names, double scale)
      : params(std::move(share_params)),
        layers(std::move(layer_names)),
        mixture(make_initial_mixture(params)),
        mixture_optimizer(params.mixture_lr, mixture.size()),
        prior_scale(scale) {}

  ShareParams params;
  std::vector<std::string> layers;  // whose `weight` is shared
  GaussianMixture mixture;
  MixtureAdam mixture_optimizer;
  double prior_scale;  // prior_weight / training items: the loss adds prior_scale * NLL
  bool snapped = false;
  std::vector<std::vector<float>> codebooks;  // per layer, once snapped
};

// The `weight` parameter of a shared layer; a lathe::Error when the model no longer has it.
nn::Parameter& shared_weight(nn::Model& model, const std::string& layer);

// M2 steps 4-5 on every shared layer with the mixture's current means; fills codebooks.
void snap_model(nn::Model& model, ShareState& state);

}  // namespace lathe::compress::share
