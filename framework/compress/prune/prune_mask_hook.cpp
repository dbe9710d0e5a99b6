#include "compress/prune/prune_mask_hook.h"

namespace lathe::compress {
namespace {

void zero_where_pruned(Tensor& tensor, const Tensor& keep) {
  if (tensor.size() != keep.size()) return;  // an untrained parameter has no grad
  for (std::int64_t i = 0; i < tensor.size(); ++i) {
    if (keep[i] == 0.0F) tensor[i] = 0.0F;
  }
}

}  // namespace

void PruneMaskHook::bind(nn::Model& model) {
  masked_.clear();
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const auto found = cuts_.find(named.name);
    if (found == cuts_.end() || named.parameter->value.empty()) continue;
    masked_.push_back({named.parameter, keep_mask(named.parameter->value, found->second)});
  }
  bound_to_ = &model;
}

void PruneMaskHook::on_train_start(Backend& /*backend*/, nn::Model& model,
                                   std::int64_t /*total_steps*/) {
  bind(model);
  for (Masked& m : masked_) zero_where_pruned(m.parameter->value, m.keep);
}

void PruneMaskHook::after_backward(Backend& /*backend*/, nn::Model& model) {
  if (bound_to_ != &model) bind(model);
  for (Masked& m : masked_) zero_where_pruned(m.parameter->grad, m.keep);
}

void PruneMaskHook::after_update(Backend& /*backend*/, nn::Model& model) {
  if (bound_to_ != &model) bind(model);
  for (Masked& m : masked_) zero_where_pruned(m.parameter->value, m.keep);
}

}  // namespace lathe::compress
