#include "compress/prune/filter_saliency.h"

#include <cmath>
#include <span>
#include <utility>

#include "compress/prune/prune_mask.h"
#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/init.h"
#include "nn/model_placement.h"

namespace lathe::compress {
namespace {

struct Batch {
  Tensor images;
  std::vector<std::int32_t> labels;
};

std::vector<Batch> first_batches(const data::Dataset& dataset, const SaliencyData& data,
                                 bool shuffle) {
  data::BatchLoader loader(dataset, data.batch_size, shuffle, data.seed);
  loader.start_epoch(0);
  std::vector<Batch> batches;
  Batch batch;
  while (static_cast<int>(batches.size()) < data.batches && loader.next(batch.images, batch.labels)) {
    batches.push_back(batch);
  }
  return batches;
}

nn::Parameter* find_parameter(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (named.name == name) return named.parameter;
  }
  return nullptr;
}

// sum over entries [c * block, (c + 1) * block) of axis 0 of a[i] * b[i], where an entry
// of axis 0 holds row_size values.
double channel_dot(std::span<const float> a, std::span<const float> b, std::int64_t row_size,
                   std::int64_t channel, std::int64_t block) {
  const auto begin = static_cast<std::size_t>(channel * block * row_size);
  const auto end = begin + static_cast<std::size_t>(block * row_size);
  double sum = 0.0;
  for (std::size_t i = begin; i < end; ++i) sum += static_cast<double>(a[i]) * b[i];
  return sum;
}

// Adds sum p * dL/dp over each channel's parameters (see the header) to `sums`.
void add_weight_times_gradient(nn::Model& model, const ChannelGroup& group,
                               std::vector<double>& sums) {
  std::vector<std::pair<nn::Parameter*, std::int64_t>> members;  // parameter, block
  for (const std::string& producer : group.producers) {
    members.emplace_back(find_parameter(model, producer + "/weight"), 1);
    members.emplace_back(find_parameter(model, producer + "/bias"), 1);
  }
  for (const ChannelMember& bn : group.batchnorms) {
    members.emplace_back(find_parameter(model, bn.layer + "/weight"), bn.block);
    members.emplace_back(find_parameter(model, bn.layer + "/bias"), bn.block);
  }
  for (const auto& [parameter, block] : members) {
    if (parameter == nullptr || parameter->value.empty() || parameter->grad.empty()) continue;
    // Read in place on the host, copied from a device backend's memory otherwise.
    std::vector<float> value_buffer;
    std::vector<float> grad_buffer;
    const std::span<const float> value = host_view(parameter->value, value_buffer);
    const std::span<const float> grad = host_view(parameter->grad, grad_buffer);
    const std::int64_t row_size = parameter->value.size() / parameter->value.shape()[0];
    for (std::int64_t c = 0; c < group.channels; ++c) {
      sums[static_cast<std::size_t>(c)] += channel_dot(value, grad, row_size, c, block);
    }
  }
}

std::vector<std::vector<double>> taylor_saliencies(nn::Model& model,
                                                   const std::vector<ChannelGroup>& groups,
                                                   const SaliencyData& data) {
  LATHE_CHECK(data.train.size() > 0, data.train.source,
              ": the Taylor saliency needs training data, and the training set is empty");
  const std::vector<Batch> batches = first_batches(data.train, data, true);
  // Training-mode forwards update batchnorm running statistics: keep them as they were.
  std::vector<std::pair<nn::Parameter*, Tensor>> saved_state;
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (!named.parameter->trainable) saved_state.emplace_back(named.parameter, named.parameter->value);
  }
  std::vector<std::vector<double>> sums;
  for (const ChannelGroup& group : groups) sums.emplace_back(static_cast<std::size_t>(group.channels), 0.0);
  nn::ModelOnBackend on_backend(model, data.backend);
  nn::StagedBatch staged(data.backend);
  Tensor grad_logits(Shape{}, data.backend.memory());
  for (std::size_t b = 0; b < batches.size(); ++b) {
    const nn::RunMode mode{true, nn::mix_seed(data.seed ^ nn::mix_seed(b))};
    staged.stage(batches[b].images, batches[b].labels);
    const Tensor& logits = model.forward(data.backend, staged.images(), mode);
    grad_logits.resize(logits.shape());
    int correct = 0;
    data.backend.softmax_cross_entropy(static_cast<int>(batches[b].labels.size()), model.classes(),
                                       logits.data(), staged.labels(), grad_logits.data(),
                                       &correct);
    model.backward(data.backend, grad_logits);
    for (std::size_t g = 0; g < groups.size(); ++g) add_weight_times_gradient(model, groups[g], sums[g]);
  }
  for (auto& [parameter, value] : saved_state) parameter->value = value;
  on_backend.finish();
  for (std::vector<double>& group_sums : sums) {
    for (double& s : group_sums) s = std::abs(s / static_cast<double>(batches.size()));
  }
  return sums;
}

double mean_loss(nn::Model& model, Backend& backend, const std::vector<Batch>& batches) {
  double loss_sum = 0.0;
  std::int64_t items = 0;
  nn::ModelOnBackend on_backend(model, backend);
  nn::StagedBatch staged(backend);
  for (const Batch& batch : batches) {
    staged.stage(batch.images, batch.labels);
    const Tensor& logits = model.forward(backend, staged.images(), nn::RunMode{false, 0});
    int correct = 0;
    const int size = static_cast<int>(batch.labels.size());
    loss_sum += static_cast<double>(backend.softmax_cross_entropy(
                    size, model.classes(), logits.data(), staged.labels(), nullptr, &correct)) *
                size;
    items += size;
  }
  on_backend.finish();
  return loss_sum / static_cast<double>(items);
}

std::vector<std::vector<double>> removal_saliencies(nn::Model& model,
                                                    const std::vector<ChannelGroup>& groups,
                                                    const SaliencyData& data) {
  LATHE_CHECK(data.validation.size() > 0, data.validation.source,
              ": the removal saliency scores channels on validation data, and the validation "
              "set is empty (set data.validation_fraction above 0)");
  const std::vector<Batch> batches = first_batches(data.validation, data, false);
  const double reference = mean_loss(model, data.backend, batches);
  std::vector<std::vector<double>> scores;
  for (const ChannelGroup& group : groups) {
    std::vector<double>& group_scores = scores.emplace_back();
    for (std::int64_t c = 0; c < group.channels; ++c) {
      PruneMask one_channel;
      one_channel.groups.push_back({group, {c}});
      const ParameterCuts cuts = parameter_cuts(one_channel, false);
      std::vector<std::pair<nn::Parameter*, Tensor>> saved;
      for (const auto& [name, cut] : cuts) {
        if (nn::Parameter* p = find_parameter(model, name)) saved.emplace_back(p, p->value);
      }
      zero_pruned_entries(model, cuts);
      group_scores.push_back(mean_loss(model, data.backend, batches) - reference);
      for (auto& [parameter, value] : saved) parameter->value = std::move(value);
    }
  }
  return scores;
}

}  // namespace

std::vector<double> filter_norm_saliency(nn::Model& model, const ChannelGroup& group, int norm) {
  std::vector<double> scores(static_cast<std::size_t>(group.channels), 0.0);
  for (const std::string& producer : group.producers) {
    const nn::Parameter* weight = find_parameter(model, producer + "/weight");
    LATHE_CHECK(weight != nullptr, "filter saliency: layer '", producer, "' has no weight");
    const Tensor& w = weight->value;
    const std::int64_t filter_size = w.size() / w.shape()[0];
    for (std::int64_t c = 0; c < group.channels; ++c) {
      double sum = 0.0;
      for (std::int64_t i = c * filter_size; i < (c + 1) * filter_size; ++i) {
        sum += norm == 1 ? std::abs(static_cast<double>(w[i])) : static_cast<double>(w[i]) * w[i];
      }
      scores[static_cast<std::size_t>(c)] += norm == 1 ? sum : std::sqrt(sum);
    }
  }
  return scores;
}

std::vector<std::vector<double>> channel_saliencies(nn::Model& model,
                                                    const std::vector<ChannelGroup>& groups,
                                                    const std::string& rule,
                                                    const SaliencyData& data) {
  if (rule == "taylor") return taylor_saliencies(model, groups, data);
  if (rule == "removal") return removal_saliencies(model, groups, data);
  LATHE_CHECK(rule == "l1" || rule == "l2", "filter saliency: unknown rule '", rule, "'; ",
              saliency_rules().describe());
  std::vector<std::vector<double>> scores;
  for (const ChannelGroup& group : groups) {
    scores.push_back(filter_norm_saliency(model, group, rule == "l1" ? 1 : 2));
  }
  return scores;
}

}  // namespace lathe::compress
