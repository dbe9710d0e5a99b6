// How much each channel of a group contributes (docs/methods.md M4 step 1): one score per
// channel, higher = more salient, summed over the group's producers.
//   l1, l2   the norm of the filter (the producer's weights of that output channel;
//            the classic filter-norm score), summed over the group's producers
//   taylor   (ours) first-order Taylor estimate of the loss change when the channel is
//            removed: |mean over batches of sum p * dL/dp| over the channel's parameters
//            (every producer's filter and bias, every batchnorm's weight and bias), on
//            training batches in training mode. Equal to the activation-times-gradient
//            score at the channel's feature map, exactly, where a batchnorm or the
//            producer's linear output ends the channel's parameters; computed in weight
//            space, so it needs no activation capture.
//   removal  (ours: the loss change measured with the training loss) the mean cross-entropy on
//            validation batches with the channel pruned (filters, batchnorm entries and
//            consumers' slices zeroed) minus the unpruned model's
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "compress/prune/channel_groups.h"
#include "config/field_checks.h"
#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::compress {

inline const config::Choices& saliency_rules() {
  static const config::Choices rules{"l1", "l2", "taylor", "removal"};
  return rules;
}

struct SaliencyData {
  Backend& backend;
  const data::Dataset& train;       // taylor
  const data::Dataset& validation;  // removal
  int batches = 4;
  int batch_size = 128;
  std::uint64_t seed = 1;
};

// The norm (1 or 2) of each channel's filter, summed over the group's producers.
std::vector<double> filter_norm_saliency(nn::Model& model, const ChannelGroup& group, int norm);

// Scores for every channel of every group, in the order of `groups`. The model's
// weights and running statistics are as before when it returns.
std::vector<std::vector<double>> channel_saliencies(nn::Model& model,
                                                    const std::vector<ChannelGroup>& groups,
                                                    const std::string& rule,
                                                    const SaliencyData& data);

}  // namespace lathe::compress
