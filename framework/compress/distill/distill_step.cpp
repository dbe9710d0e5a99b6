#include "compress/distill/distill_step.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compress/distill/distill_models.h"
#include "compress/distill/distill_params.h"
#include "compress/distill/distillation_hook.h"
#include "config/yaml_reader.h"
#include "core/error.h"
#include "nn/model_checkpoint.h"

namespace lathe::compress {
namespace {

using distill::DistillParams;

struct KeyKinds {
  const char* key;
  std::vector<std::string> kinds;
};

// Which kinds take each key besides `kind` and `student` (every kind takes those).
const std::vector<KeyKinds>& kinds_of_keys() {
  static const std::vector<KeyKinds> table = {
      {"temperature", {"logits", "hint"}}, {"alpha", {"logits", "hint"}},
      {"teacher", {"logits", "hint"}},     {"student_layer", {"hint"}},
      {"teacher_layer", {"hint"}},         {"hint_weight", {"hint"}},
      {"adapter_lr", {"hint"}},
  };
  return table;
}

void reject_keys_of_other_kinds(const YAML::Node& node, const std::string& kind,
                                const StepSource& source) {
  if (!node.IsMap()) return;
  for (const KeyKinds& entry : kinds_of_keys()) {
    if (!node[entry.key]) continue;
    if (std::find(entry.kinds.begin(), entry.kinds.end(), kind) != entry.kinds.end()) continue;
    std::string takers;
    for (const std::string& k : entry.kinds) takers += (takers.empty() ? "" : ", ") + k;
    fail(source.where, ": ", source.key(entry.key), ": not a key of kind ", kind,
         " (only of kind", entry.kinds.size() > 1 ? "s " : " ", takers, ")");
  }
}

class DistillStep final : public CompressionStep {
 public:
  DistillStep(DistillParams params, StepSource source)
      : params_(std::move(params)), source_(std::move(source)) {}

  [[nodiscard]] std::string kind() const override { return "distill"; }

  [[nodiscard]] std::optional<nn::ModelSpec> replacement_spec() const override {
    if (params_.student.empty()) return std::nullopt;
    return *distill::cached_model_spec(params_.student);
  }

  // Runs before any step is applied, so `model` is the base: the default teacher.
  void validate(const nn::Model& model) const override {
    std::optional<nn::Model> student_from_spec;
    if (!params_.student.empty()) {
      student_from_spec.emplace(distill::load_student_model(params_, source_, model, 1));
    }
    if (params_.kind == "none") return;
    const nn::Model& student = student_from_spec ? *student_from_spec : model;
    std::optional<nn::Model> teacher_from_file;
    if (!params_.teacher.empty()) {
      teacher_from_file.emplace(distill::load_teacher_model(params_, source_));
      distill::check_teacher_fits_student(*teacher_from_file, student, source_, "teacher");
    }
    const nn::Model& teacher = teacher_from_file ? *teacher_from_file : model;
    if (params_.kind == "hint") distill::check_hint_layers(params_, source_, student, teacher);
  }

  void apply(nn::Model& model, CompressionContext& context) override {
    hook_.reset();
    std::optional<nn::Model> teacher;
    if (params_.kind != "none") {
      teacher.emplace(params_.teacher.empty()
                          ? nn::model_from_checkpoint(context.base, "the base model")
                          : distill::load_teacher_model(params_, source_));
    }
    if (!params_.student.empty()) {
      // The student must fit the base model's input and classes, teacher or not.
      std::optional<nn::Model> base;
      if (!teacher || !params_.teacher.empty()) {
        base.emplace(nn::model_from_checkpoint(context.base, "the base model"));
      }
      model = distill::load_student_model(params_, source_, base ? *base : *teacher, context.seed);
    }
    if (!teacher) return;
    distill::check_teacher_fits_student(*teacher, model,
                                        source_, params_.teacher.empty() ? "student" : "teacher");
    std::optional<distill::HintSettings> hint;
    if (params_.kind == "hint") {
      distill::check_hint_layers(params_, source_, model, *teacher);
      hint = distill::HintSettings{params_.student_layer, params_.teacher_layer,
                                   static_cast<float>(params_.hint_weight),
                                   static_cast<float>(params_.adapter_lr)};
    }
    const distill::LogitDistillation logits{static_cast<float>(params_.temperature),
                                            static_cast<float>(params_.alpha)};
    hook_ = std::make_unique<distill::DistillationHook>(std::move(*teacher), logits, hint,
                                                        context.seed,
                                                        source_.where + ": " + source_.label);
    hook_->prepare(model);
  }

  [[nodiscard]] nn::TrainingHook* hook() override { return hook_.get(); }

 private:
  DistillParams params_;
  StepSource source_;
  std::unique_ptr<distill::DistillationHook> hook_;
};

}  // namespace

std::unique_ptr<CompressionStep> make_distill_step(const YAML::Node& params,
                                                   const StepSource& source) {
  DistillParams p;
  config::YamlReader::read(params, p, source.where, source.label + ".");
  reject_keys_of_other_kinds(params, p.kind, source);
  if (p.kind == "hint") {
    for (const char* key : {"student_layer", "teacher_layer"}) {
      LATHE_CHECK(params[key], source.where, ": ", source.key(key),
                  ": required for kind hint (the layer whose output is matched)");
    }
  }
  return std::make_unique<DistillStep>(std::move(p), source);
}

}  // namespace lathe::compress
