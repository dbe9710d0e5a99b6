// The `distill:` step's keys (docs/methods.md M5: distillation variants logits and hint /
// feature, and a small student trained on the first model's data). Declared
// once: the recipe reader, `--help` and docs/configuration.md list these fields.
#pragma once

#include <string>

#include "config/field_checks.h"

namespace lathe::compress::distill {

struct DistillParams {
  std::string kind = "logits";
  double temperature = 4.0;
  double alpha = 0.7;
  std::string student_layer;
  std::string teacher_layer;
  double hint_weight = 1.0;   // (ours)
  double adapter_lr = 0.05;   // (ours)
  std::string student;
  std::string teacher;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("kind", kind, {"logits", "hint", "none"},
             "what the student learns from the teacher: its softened logits (Hinton et al.), "
             "those plus one intermediate activation (hint), or nothing (plain training)");
    v.number("temperature", temperature, Range::positive(),
             "softmax temperature T of the logits loss (kinds logits, hint)");
    v.number("alpha", alpha, Range::closed(0, 1),
             "weight of the distillation term: (1 - alpha) * CE + alpha * T^2 * KL "
             "(kinds logits, hint)");
    v.text("student_layer", student_layer,
           "student layer whose output is matched to the teacher's (kind hint)");
    v.text("teacher_layer", teacher_layer,
           "teacher layer whose output the student layer learns (kind hint)");
    v.number("hint_weight", hint_weight, Range::at_least(0),
             "weight of the hint loss, a mean squared error over the activation (kind hint)");
    v.number("adapter_lr", adapter_lr, Range::positive(),
             "SGD learning rate of the 1x1 adapter used when the hint layers' channel counts "
             "differ (kind hint)");
    v.text("student", student,
           "model spec YAML of a fresh student that replaces the model, trained from scratch "
           "by the later finetune steps (docs/methods.md M5); default: the current model");
    v.text("teacher", teacher,
           "checkpoint (.h5) of the teacher; default: the base model (kinds logits, hint)");
  }
};

}  // namespace lathe::compress::distill
