#include "compress/share/share_step.h"

#include <algorithm>
#include <random>
#include <sstream>

#include "compress/share/codebook_packing.h"
#include "compress/share/share_state.h"
#include "compress/share/weight_sharing_hook.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "nn/init.h"

namespace lathe::compress {
namespace share {
namespace {

bool is_shareable(const std::string& layer_type) {
  return layer_type == "conv2d" || layer_type == "linear";
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

class ShareStep final : public CompressionStep {
 public:
  ShareStep(ShareParams params, StepSource source)
      : params_(std::move(params)), source_(std::move(source)) {}

  [[nodiscard]] std::string kind() const override { return "share"; }

  void validate(const nn::Model& model) const override {
    static_cast<void>(shared_layer_names(model, params_, source_));
  }

  void apply(nn::Model& model, CompressionContext& context) override {
    const double training_items = std::max<double>(1.0, static_cast<double>(context.data.train.size()));
    state_ = std::make_unique<ShareState>(params_, shared_layer_names(model, params_, source_),
                                          params_.prior_weight / training_items);
    hook_ = std::make_unique<WeightSharingHook>(*state_);
    if (params_.init == "sample") {
      // `init: sample`: every shared weight drawn afresh, each layer from its own stream.
      for (const std::string& layer : state_->layers) {
        std::mt19937_64 rng(nn::layer_seed(nn::mix_seed(context.seed ^ 0x5348415245ULL), layer));
        sample_from_mixture(state_->mixture, shared_weight(model, layer).value.values(), rng);
      }
    }
  }

  nn::TrainingHook* hook() override { return hook_.get(); }

  // M2 steps 4-5 after the first finetune (the trained mixture), or in finalize when no
  // finetune followed the step (the initial grid).
  void after_finetune(nn::Model& model, CompressionContext& /*context*/) override { snap_once(model); }
  void finalize(nn::Model& model, CompressionContext& /*context*/) override { snap_once(model); }

  void pack(nn::Model& /*model*/, io::Checkpoint& artifact) const override {
    LATHE_CHECK(state_ && state_->snapped, source_.where, ": ", source_.label,
                ": pack before the weights were snapped (finalize not run)");
    for (std::size_t l = 0; l < state_->layers.size(); ++l) {
      const std::string name = state_->layers[l] + "/weight";
      const auto tensor = std::find_if(artifact.tensors.begin(), artifact.tensors.end(),
                                       [&](const io::NamedTensor& t) { return t.name == name; });
      LATHE_CHECK(tensor != artifact.tensors.end(), source_.where, ": ", source_.label,
                  ": the artifact has no tensor ", name);
      LATHE_CHECK(!tensor->packed.has_value(), source_.where, ": ", source_.label, ": ", name,
                  " is already packed by another step");
      io::PackedTensor packed =
          pack_with_codebook(tensor->value, state_->codebooks[l], source_.label + ": " + name);
      tensor->value = decode_codebook(packed);
      tensor->packed = std::move(packed);
    }
  }

 private:
  void snap_once(nn::Model& model) {
    LATHE_CHECK(state_ != nullptr, source_.where, ": ", source_.label, ": used before apply");
    if (!state_->snapped) snap_model(model, *state_);
  }

  ShareParams params_;
  StepSource source_;
  std::unique_ptr<ShareState> state_;
  std::unique_ptr<WeightSharingHook> hook_;
};

}  // namespace

ShareParams parse_share_params(const YAML::Node& params, const StepSource& source) {
  ShareParams p;
  config::YamlReader::read(params, p, source.where, source.label + ".");
  LATHE_CHECK(p.range.size() == 2 && p.range[0] < p.range[1], source.where, ": ",
              source.key("range"), ": expected [a, b] with a < b, got [", [&] {
                std::ostringstream text;
                for (std::size_t i = 0; i < p.range.size(); ++i) text << (i ? ", " : "") << p.range[i];
                return text.str();
              }(), "]");
  const std::size_t total = make_initial_mixture(p).size();
  LATHE_CHECK(total <= 256, source.where, ": ", source.key("components"), ": ", p.components,
              " components plus the zero component make ", total,
              ", more than a codebook of 8-bit indices holds (256); use at most 255 or "
              "zero_component: false");
  return p;
}

std::vector<std::string> shared_layer_names(const nn::Model& model, const ShareParams& params,
                                            const StepSource& source) {
  std::vector<std::string> shareable;
  for (std::size_t i = 0; i < model.layer_count(); ++i) {
    if (is_shareable(model.layer(i).type())) shareable.push_back(model.layer(i).name());
  }
  if (params.layers.empty()) {
    LATHE_CHECK(!shareable.empty(), source.where, ": ", source.label, ": model '",
                model.spec().name, "' has no conv2d or linear layer whose weights could be shared");
    return shareable;
  }
  std::vector<std::string> names;
  for (const std::string& name : params.layers) {
    const std::optional<std::size_t> index = model.find_layer(name);
    if (!index) {
      const std::string near = config::nearest_word(name, shareable);
      fail(source.where, ": ", source.key("layers"), ": no layer '", name, "' in model '",
           model.spec().name, "'", near.empty() ? "" : " (did you mean '" + near + "'?)",
           "; its conv2d and linear layers: ", joined(shareable));
    }
    const std::string& type = model.layer(*index).type();
    LATHE_CHECK(is_shareable(type), source.where, ": ", source.key("layers"), ": '", name,
                "' is a ", type, " layer; only conv2d and linear weights are shared (biases and "
                "batchnorm stay float)");
    LATHE_CHECK(std::find(names.begin(), names.end(), name) == names.end(), source.where, ": ",
                source.key("layers"), ": '", name, "' is listed twice");
    names.push_back(name);
  }
  return names;
}

}  // namespace share

std::unique_ptr<CompressionStep> make_share_step(const YAML::Node& params, const StepSource& source) {
  return std::make_unique<share::ShareStep>(share::parse_share_params(params, source), source);
}

}  // namespace lathe::compress
