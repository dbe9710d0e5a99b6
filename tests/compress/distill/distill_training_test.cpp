// A short training with the distill step's hook: a small student learns the softened
// outputs of a tiny teacher (trained a few steps first), and a hint student learns the
// teacher's feature map.
#include <gtest/gtest.h>

#include "compress/distill/distill_step.h"
#include "compress/distill/distillation_hook.h"
#include "compress/distill/logit_distillation.h"
#include "data/data_config.h"
#include "distill_test_support.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "support/temp_dir.h"
#include "support/synthetic_data.h"

namespace lathe::compress {
namespace {

constexpr double kTemperature = 4.0;
const StepSource kSource{"recipe.yaml:3", "steps[0].distill"};

data::DataSplits synthetic_splits() {
  return test_support::synthetic_splits(
      {.train_size = 480, .test_size = 100, .noise = 0.6, .validation_fraction = 0.25});
}

nn::TrainingOptions options_for(int epochs, std::uint64_t seed) {
  nn::TrainingOptions options;
  options.epochs = epochs;
  options.batch_size = 32;
  options.seed = seed;
  options.optimizer.lr = 0.05;
  return options;
}

nn::Model trained_teacher(Backend& backend, const data::DataSplits& data) {
  nn::Model teacher(nn::load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/tests/tiny_cnn.yaml"), 7);
  nn::train_model(teacher, backend, data.train, data.validation, options_for(1, 7));
  return teacher;
}

// KL(teacher || student) at temperature T over a whole data set, in one batch.
double kl_to_teacher(nn::Model& student, nn::Model& teacher, Backend& backend,
                     const data::Dataset& items) {
  const Tensor student_logits = student.forward(backend, items.images, nn::RunMode{});
  const Tensor& teacher_logits = teacher.forward(backend, items.images, nn::RunMode{});
  return distill::softened_kl(backend, student_logits, teacher_logits, kTemperature);
}

const char* kSmallStudent =
    "name: small\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 2, kernel: 3, padding: 1}\n"
    "  - {name: relu1, type: relu}\n  - {name: pool1, type: maxpool, kernel: 2}\n"
    "  - {name: flatten, type: flatten}\n  - {name: fc, type: linear, out_features: 4}\n";

// The student after the step and two epochs of training with its hook (if any).
nn::Model distilled_student(const std::string& step_yaml, Backend& backend,
                            const data::DataSplits& data, const io::Checkpoint& base,
                            double* kl_before) {
  CompressionContext context{backend, data, base, 11, 32};
  nn::Model model(nn::parse_model_spec(kSmallStudent, "placeholder"), 1);
  const auto step = make_distill_step(YAML::Load(step_yaml), kSource);
  nn::Model reference = nn::model_from_checkpoint(base, "base");
  step->validate(reference);
  step->apply(model, context);
  if (kl_before != nullptr) *kl_before = kl_to_teacher(model, reference, backend, data.validation);
  std::vector<nn::TrainingHook*> hooks;
  if (step->hook() != nullptr) hooks.push_back(step->hook());
  const nn::TrainingResult result =
      nn::train_model(model, backend, data.train, data.validation, options_for(2, 11), hooks);
  EXPECT_FALSE(result.diverged);
  return model;
}

TEST(DistillTraining, LogitsDistillationLowersTheKlToTheTeacherBelowPlainTraining) {
  const auto backend = make_cpu_backend(1);
  const data::DataSplits data = synthetic_splits();
  nn::Model teacher = trained_teacher(*backend, data);
  const io::Checkpoint base = nn::make_checkpoint(teacher);
  test_support::TempDir dir;
  dir.write("small.yaml", kSmallStudent);
  const std::string student = "student: " + dir.file("small.yaml");

  double kl_before = 0.0;
  nn::Model distilled = distilled_student("{kind: logits, temperature: 4, alpha: 0.9, " + student + "}",
                                          *backend, data, base, &kl_before);
  nn::Model plain = distilled_student("{kind: none, " + student + "}", *backend, data, base, nullptr);
  const double kl_distilled = kl_to_teacher(distilled, teacher, *backend, data.validation);
  const double kl_plain = kl_to_teacher(plain, teacher, *backend, data.validation);
  EXPECT_LT(kl_distilled, 0.5 * kl_before) << "before " << kl_before;
  EXPECT_LT(kl_distilled, kl_plain) << "plain training: " << kl_plain;
}

TEST(DistillTraining, HintDistillationLowersTheHintLoss) {
  const auto backend = make_cpu_backend(1);
  const data::DataSplits data = synthetic_splits();
  nn::Model teacher = trained_teacher(*backend, data);
  const io::Checkpoint base = nn::make_checkpoint(teacher);
  test_support::TempDir dir;
  dir.write("small.yaml", kSmallStudent);
  CompressionContext context{*backend, data, base, 11, 32};
  nn::Model model(nn::parse_model_spec(kSmallStudent, "placeholder"), 1);
  const auto step = make_distill_step(
      YAML::Load("{kind: hint, alpha: 0, student_layer: conv1, teacher_layer: conv1, student: " +
                 dir.file("small.yaml") + "}"),
      kSource);
  step->apply(model, context);
  auto* hook = dynamic_cast<distill::DistillationHook*>(step->hook());
  ASSERT_NE(hook, nullptr);
  ASSERT_FALSE(hook->adapter()->is_identity());  // 2 student channels, 4 teacher channels
  // With alpha 0 the hook adds exactly the hint loss.
  const auto hint_loss = [&] {
    const Tensor& logits = model.forward(*backend, data.validation.images, nn::RunMode{});
    Tensor grad(logits.shape());
    nn::LossGradients gradients{grad, data.validation.labels, 0.0F, {}};
    return hook->add_loss_gradient(*backend, model, data.validation.images, gradients);
  };
  const float before = hint_loss();
  std::vector<nn::TrainingHook*> hooks = {hook};
  nn::train_model(model, *backend, data.train, data.validation, options_for(2, 11), hooks);
  const float after = hint_loss();
  EXPECT_LT(after, 0.7F * before);
}

}  // namespace
}  // namespace lathe::compress
