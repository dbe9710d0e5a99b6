#include "compress/quantize/quantize_step.h"

#include <algorithm>
#include <map>
#include <utility>

#include "compress/quantize/activation_calibration.h"
#include "compress/quantize/model_lookup.h"
#include "compress/quantize/quantization_hook.h"
#include "compress/quantize/quantization_plan.h"
#include "compress/quantize/quantizer_insertion.h"
#include "compress/quantize/weight_quantizer.h"
#include "config/by_layer_numbers.h"
#include "config/yaml_reader.h"
#include "core/error.h"

namespace lathe::compress {
namespace quantize {
namespace {

bool quantizable(const std::string& type) { return type == "conv2d" || type == "linear"; }

std::string quantizable_list(const nn::Model& model) {
  std::string list;
  for (const nn::LayerSpec& layer : model.spec().layers) {
    if (quantizable(layer.type)) list += (list.empty() ? "" : ", ") + layer.name;
  }
  return list.empty() ? "none" : list;
}

class QuantizeStep final : public CompressionStep {
 public:
  QuantizeStep(QuantizeParams params, StepSource source)
      : params_(std::move(params)), source_(std::move(source)) {}

  [[nodiscard]] std::string kind() const override { return "quantize"; }

  void validate(const nn::Model& model) const override {
    const auto type_of = [&](const std::string& name) -> std::string {
      const std::optional<std::size_t> index = model.find_layer(name);
      return index ? model.layer(*index).type() : std::string();
    };
    for (const std::string& name : params_.layers) {
      const std::string type = type_of(name);
      LATHE_CHECK(!type.empty(), source_.where, ": ", source_.key("layers"), ": '", name,
                  "' is not a layer of the model (conv2d/linear layers: ", quantizable_list(model),
                  ")");
      LATHE_CHECK(quantizable(type), source_.where, ": ", source_.key("layers"), ": '", name,
                  "' is a ", type, " layer; only conv2d and linear layers are quantised");
    }
    const std::vector<std::string> targets = target_layers(model);
    LATHE_CHECK(!targets.empty(), source_.where, ": ", source_.label,
                ": the model has no conv2d or linear layer to quantise");
    for (const auto& [name, bits] : params_.weight_bits_by_layer) {
      if (name == config::kDefaultLayerKey) continue;
      LATHE_CHECK(std::find(targets.begin(), targets.end(), name) != targets.end(),
                  source_.where, ": ", source_.key("weight_bits." + name), ": '", name,
                  "' is not one of the layers this step quantises (",
                  params_.layers.empty() ? quantizable_list(model) : join(params_.layers), ")");
    }
  }

  void apply(nn::Model& model, CompressionContext& context) override {
    validate(model);
    plan_ = make_plan(model);
    final_grids_.clear();
    if (plan_.act_bits > 0) {
      const int start_bits = plan_.intermediate_start ? intermediate_bits(plan_.act_bits)
                                                      : plan_.act_bits;
      std::vector<std::string> layers;
      for (const WeightTarget& target : plan_.weights) layers.push_back(target.layer);
      plan_.quantizers = insert_input_quantizers(model, layers,
                                                 {start_bits, params_.act_symmetric}, context.seed);
    }
    // Weights first, so the calibrated ranges are those the quantised model produces.
    if (params_.method == "qat") {
      hook_ = std::make_unique<QuantizationHook>(plan_);
      hook_->start(model);
    } else {
      hook_.reset();
      for (const WeightTarget& target : plan_.weights) {
        nn::Parameter& weight = find_parameter(model, target.parameter);
        weight.value = quantize_weights(weight.value, plan_.weight_spec(target.bits)).values;
      }
    }
    if (!plan_.quantizers.empty()) {
      const CalibrationConfig calibration{params_.calibration, params_.percentile,
                                          params_.calibration_batches};
      calibrate_activations(model, context.backend, context.data.train, plan_.quantizers,
                            calibration, context.batch_size, context.seed);
    }
  }

  nn::TrainingHook* hook() override { return hook_.get(); }

  void finalize(nn::Model& model, CompressionContext& /*context*/) override {
    for (const WeightTarget& target : plan_.weights) {
      nn::Parameter& weight = find_parameter(model, target.parameter);
      QuantizedTensor quantized = quantize_weights(weight.value, plan_.weight_spec(target.bits));
      weight.value = std::move(quantized.values);
      final_grids_[target.parameter] = std::move(quantized.grids);
    }
    for (const std::string& name : plan_.quantizers) {
      nn::FakeQuant& quantizer = find_quantizer(model, name);
      quantizer.set_bits(plan_.act_bits);
      quantizer.set_observing(false);
    }
  }

  void pack(nn::Model& model, io::Checkpoint& artifact) const override {
    for (const WeightTarget& target : plan_.weights) {
      Tensor& value = find_parameter(model, target.parameter).value;
      const auto grids = final_grids_.find(target.parameter);
      // A later step's finalize (a prune's compaction) may have removed output channels
      // since the per-channel grids were stored. The kept channels are still on their
      // grids, so quantising them afresh finds those grids again; the model takes the
      // packed values, so what is measured is what is stored.
      const bool grids_fit = grids != final_grids_.end() &&
                             (grids->second.size() == 1 ||
                              static_cast<std::int64_t>(grids->second.size()) == value.shape()[0]);
      const QuantizedTensor quantized =
          grids_fit ? quantize_on_grids(value, target.bits, grids->second)
                    : quantize_weights(value, plan_.weight_spec(target.bits));
      if (!grids_fit) value = quantized.values;
      auto tensor = std::find_if(artifact.tensors.begin(), artifact.tensors.end(),
                                 [&](const io::NamedTensor& t) { return t.name == target.parameter; });
      LATHE_CHECK(tensor != artifact.tensors.end(), source_.where, ": ", source_.label,
                  ": the artifact has no tensor '", target.parameter, "' to pack");
      tensor->packed = to_packed_tensor(quantized);
      tensor->value = dequantize(*tensor->packed);
    }
  }

 private:
  static std::string join(const std::vector<std::string>& names) {
    std::string list;
    for (const std::string& name : names) list += (list.empty() ? "" : ", ") + name;
    return list;
  }

  [[nodiscard]] std::vector<std::string> target_layers(const nn::Model& model) const {
    std::vector<std::string> targets;
    for (const nn::LayerSpec& layer : model.spec().layers) {
      const bool listed = params_.layers.empty() ||
                          std::find(params_.layers.begin(), params_.layers.end(), layer.name) !=
                              params_.layers.end();
      if (listed && quantizable(layer.type)) targets.push_back(layer.name);
    }
    return targets;
  }

  [[nodiscard]] QuantizationPlan make_plan(const nn::Model& model) const {
    QuantizationPlan plan;
    for (const std::string& layer : target_layers(model)) {
      plan.weights.push_back({layer, layer + "/weight",
                              config::by_layer_value(params_.weight_bits_by_layer, layer,
                                                     params_.weight_bits)});
    }
    plan.symmetric = params_.symmetric;
    plan.per_channel = params_.granularity == "per_channel";
    plan.act_bits = params_.act_bits;
    plan.range_rule.kind = params_.range_update;
    plan.range_rule.momentum = params_.momentum;
    plan.range_rule.counted = {params_.window,      params_.ratio_up,    params_.ratio_down,
                               params_.update_rule, params_.weight_old,  params_.weight_mean,
                               params_.coefficient};
    plan.intermediate_start = params_.method == "qat" && params_.start_bits == "intermediate";
    plan.switch_fraction = params_.switch_fraction;
    return plan;
  }

  QuantizeParams params_;
  StepSource source_;
  QuantizationPlan plan_;
  std::unique_ptr<QuantizationHook> hook_;
  std::map<std::string, std::vector<nn::QuantGrid>> final_grids_;
};

}  // namespace

QuantizeParams read_quantize_params(const YAML::Node& params, const StepSource& source) {
  QuantizeParams result;
  config::read_with_by_layer(params, result, "weight_bits", result.weight_bits_by_layer,
                             source.where, source.label + ".");
  LATHE_CHECK(result.act_bits != 1, source.where, ": ", source.key("act_bits"),
              ": expected 0 (activations stay float) or an integer in [2, 8], got 1");
  return result;
}

}  // namespace quantize

std::unique_ptr<CompressionStep> make_quantize_step(const YAML::Node& params,
                                                    const StepSource& source) {
  return std::make_unique<quantize::QuantizeStep>(quantize::read_quantize_params(params, source),
                                                  source);
}

}  // namespace lathe::compress
