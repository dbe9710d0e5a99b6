#include "compress/prune/prune_mask_hook.h"

namespace lathe::compress {
namespace {

// The keep mask is 0 or 1, so multiplying zeroes exactly the pruned entries, on any
// backend.
void zero_where_pruned(Backend& backend, Tensor& tensor, const Tensor& keep) {
  if (tensor.size() != keep.size()) return;  // an untrained parameter has no grad
  backend.multiply(tensor.size(), tensor.data(), keep.data(), tensor.data());
}

}  // namespace

void PruneMaskHook::bind(nn::Model& model) {
  masked_.clear();
  for (const nn::NamedParameter& named : model.named_parameters()) {
    const auto found = cuts_.find(named.name);
    if (found == cuts_.end() || named.parameter->value.empty()) continue;
    masked_.push_back({named.parameter, keep_mask(named.parameter->value, found->second)});
    masked_.back().keep.place(named.parameter->value.memory());
  }
  bound_to_ = &model;
}

void PruneMaskHook::on_train_start(Backend& backend, nn::Model& model,
                                   std::int64_t /*total_steps*/) {
  bind(model);
  for (Masked& m : masked_) zero_where_pruned(backend, m.parameter->value, m.keep);
}

void PruneMaskHook::after_backward(Backend& backend, nn::Model& model) {
  if (bound_to_ != &model) bind(model);
  for (Masked& m : masked_) zero_where_pruned(backend, m.parameter->grad, m.keep);
}

void PruneMaskHook::after_update(Backend& backend, nn::Model& model) {
  if (bound_to_ != &model) bind(model);
  for (Masked& m : masked_) zero_where_pruned(backend, m.parameter->value, m.keep);
}

}  // namespace lathe::compress
