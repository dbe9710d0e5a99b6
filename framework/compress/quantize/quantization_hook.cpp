#include "compress/quantize/quantization_hook.h"

#include <algorithm>
#include <string>
#include <cmath>
#include <span>
#include <vector>

#include "core/error.h"

namespace lathe::compress::quantize {
namespace {

bool same_values(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  std::vector<float> a_buffer;
  std::vector<float> b_buffer;
  const std::span<const float> x = host_view(a, a_buffer);
  const std::span<const float> y = host_view(b, b_buffer);
  return std::equal(x.begin(), x.end(), y.begin());
}

// A host copy of a parameter that may live on a device backend.
Tensor host_copy(const Tensor& value) {
  Tensor copy = value;
  copy.place(nullptr);
  return copy;
}

}  // namespace

QuantizationHook::QuantizationHook(QuantizationPlan plan) : plan_(std::move(plan)) {}

int QuantizationHook::weight_bits_now(const WeightTarget& target) const {
  return intermediate_active_ ? intermediate_bits(target.bits) : target.bits;
}

int QuantizationHook::act_bits_now() const {
  return intermediate_active_ ? intermediate_bits(plan_.act_bits) : plan_.act_bits;
}

const Tensor* QuantizationHook::master(const std::string& parameter) const {
  const auto found = master_.find(parameter);
  return found == master_.end() ? nullptr : &found->second;
}

void QuantizationHook::start(nn::Model& model) {
  intermediate_active_ = plan_.intermediate_start;
  first_run_done_ = false;
  master_.clear();
  last_quantized_.clear();
  for (const WeightTarget& target : plan_.weights) {
    master_[target.parameter] = host_copy(find_parameter(model, target.parameter).value);
  }
  requantize_weights(model);
  set_quantizer_bits(model);
}

void QuantizationHook::requantize_weights(nn::Model& model) {
  for (const WeightTarget& target : plan_.weights) {
    nn::Parameter& weight = find_parameter(model, target.parameter);
    const Tensor& master_weight = master_.at(target.parameter);
    // The masters and the last quantised values live on the host; the weight keeps its
    // memory (copy assignment copies across).
    const Tensor quantized =
        quantize_weights(master_weight, plan_.weight_spec(weight_bits_now(target))).values;
    weight.value = quantized;
    last_quantized_[target.parameter] = quantized;
  }
}

void QuantizationHook::set_quantizer_bits(nn::Model& model) {
  for (const std::string& name : plan_.quantizers) find_quantizer(model, name).set_bits(act_bits_now());
}

void QuantizationHook::switch_to_target(nn::Model& model) {
  intermediate_active_ = false;
  set_quantizer_bits(model);
  requantize_weights(model);
}

void QuantizationHook::on_train_start(Backend& /*backend*/, nn::Model& model,
                                      std::int64_t total_steps) {
  for (const WeightTarget& target : plan_.weights) {
    const Tensor& value = find_parameter(model, target.parameter).value;
    const auto last = last_quantized_.find(target.parameter);
    const bool untouched = last != last_quantized_.end() && same_values(last->second, value) &&
                           master_.contains(target.parameter);
    if (!untouched) master_[target.parameter] = host_copy(value);
  }
  step_ = 0;
  if (first_run_done_) intermediate_active_ = false;
  switch_step_ = intermediate_active_
                     ? std::llround(plan_.switch_fraction * static_cast<double>(total_steps))
                     : 0;
  if (intermediate_active_ && switch_step_ == 0) intermediate_active_ = false;
  set_quantizer_bits(model);
  requantize_weights(model);

  // Each run counts afresh from the quantisers' current ranges (calibrated at apply).
  ranges_.clear();
  for (const std::string& name : plan_.quantizers) {
    const nn::FakeQuant& quantizer = find_quantizer(model, name);
    ranges_[name] = {make_range_rule(plan_.range_rule, quantizer.range_min(), quantizer.range_max()),
                     quantizer.observation_count()};
  }
}

void QuantizationHook::after_update(Backend& /*backend*/, nn::Model& model) {
  ++step_;
  if (intermediate_active_ && step_ >= switch_step_) intermediate_active_ = false;
  // M3 step 6: the optimiser moved the quantised weights; carry that move to the float
  // masters and quantise again (at the target bits once the switch point is passed).
  for (const WeightTarget& target : plan_.weights) {
    nn::Parameter& weight = find_parameter(model, target.parameter);
    Tensor& master_weight = master_.at(target.parameter);
    const Tensor& last = last_quantized_.at(target.parameter);
    std::vector<float> buffer;
    const std::span<const float> current = host_view(weight.value, buffer);
    for (std::int64_t i = 0; i < master_weight.size(); ++i) {
      master_weight[i] += current[static_cast<std::size_t>(i)] - last[i];
    }
  }
  requantize_weights(model);
  set_quantizer_bits(model);

  // M3 steps 3-5: each quantiser's range sees the min and max of this iteration's batch.
  for (auto& [name, tracked] : ranges_) {
    nn::FakeQuant& quantizer = find_quantizer(model, name);
    if (quantizer.observation_count() == tracked.seen_observations) continue;
    tracked.seen_observations = quantizer.observation_count();
    tracked.rule->observe(quantizer.last_observed_min(), quantizer.last_observed_max());
    quantizer.set_range(tracked.rule->min(), tracked.rule->max());
  }
}

void QuantizationHook::on_train_end(Backend& /*backend*/, nn::Model& model) {
  if (intermediate_active_) switch_to_target(model);
  first_run_done_ = true;
}

void QuantizationHook::save_state(nn::HookState& state) const {
  state.numbers["intermediate_active"] = intermediate_active_ ? 1.0 : 0.0;
  state.numbers["first_run_done"] = first_run_done_ ? 1.0 : 0.0;
  state.numbers["step"] = static_cast<double>(step_);
  state.numbers["switch_step"] = static_cast<double>(switch_step_);
  for (const auto& [name, master] : master_) state.tensors["master/" + name] = master;
  for (const auto& [name, last] : last_quantized_) state.tensors["last_quantized/" + name] = last;
  for (const auto& [name, tracked] : ranges_) {
    const std::vector<double> numbers = tracked.rule->state();
    state.numbers["range/" + name + "/size"] = static_cast<double>(numbers.size());
    for (std::size_t i = 0; i < numbers.size(); ++i) {
      state.numbers["range/" + name + "/" + std::to_string(i)] = numbers[i];
    }
  }
}

void QuantizationHook::load_state(const nn::HookState& state, nn::Model& model) {
  const auto number = [&](const std::string& key) {
    const auto found = state.numbers.find(key);
    LATHE_CHECK(found != state.numbers.end(), "quantisation state: no number '", key, "'");
    return found->second;
  };
  const auto tensor = [&](const std::string& key) -> const Tensor& {
    const auto found = state.tensors.find(key);
    LATHE_CHECK(found != state.tensors.end(), "quantisation state: no tensor '", key, "'");
    return found->second;
  };
  intermediate_active_ = number("intermediate_active") != 0.0;
  first_run_done_ = number("first_run_done") != 0.0;
  step_ = static_cast<std::int64_t>(number("step"));
  switch_step_ = static_cast<std::int64_t>(number("switch_step"));
  for (const WeightTarget& target : plan_.weights) {
    master_[target.parameter] = tensor("master/" + target.parameter);
    last_quantized_[target.parameter] = tensor("last_quantized/" + target.parameter);
  }
  // Within a run (after on_train_start) the rules go on from their counts; the observation
  // counts are this process's quantisers' own.
  for (auto& [name, tracked] : ranges_) {
    const auto size = static_cast<std::size_t>(number("range/" + name + "/size"));
    std::vector<double> numbers;
    for (std::size_t i = 0; i < size; ++i) numbers.push_back(number("range/" + name + "/" + std::to_string(i)));
    tracked.rule->restore(numbers);
    tracked.seen_observations = find_quantizer(model, name).observation_count();
  }
  set_quantizer_bits(model);
  for (const WeightTarget& target : plan_.weights) {
    find_parameter(model, target.parameter).value = last_quantized_.at(target.parameter);
  }
}

}  // namespace lathe::compress::quantize
