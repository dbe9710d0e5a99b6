// The `distill` recipe step: its keys per kind, validate()'s messages, the student that
// replaces the model, and the hook it hands the trainer.
#include "compress/distill/distill_step.h"

#include <gtest/gtest.h>

#include "compress/distill/distill_params.h"
#include "compress/distill/distillation_hook.h"
#include "config/field_listing.h"
#include "distill_test_support.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"
#include "support/temp_dir.h"

namespace lathe::compress {
namespace {

using distill::test::conv_linear_model;
using distill::test::conv_linear_yaml;
using distill::test::error_message;

const StepSource kSource{"recipe.yaml:3", "steps[0].distill"};

std::unique_ptr<CompressionStep> step_from(const std::string& yaml) {
  return make_distill_step(YAML::Load(yaml), kSource);
}

// The base model every test starts from: conv (3 channels) -> flatten -> fc, 3 classes.
struct BaseFixture {
  std::unique_ptr<Backend> backend = make_cpu_backend(1);
  data::DataSplits data;
  nn::Model base = conv_linear_model("base", "conv", 3, 3, 1);
  io::Checkpoint checkpoint = nn::make_checkpoint(base);
  CompressionContext context{*backend, data, checkpoint, 5, 32};
};

TEST(DistillStep, ParamsListEveryKeyWithItsDefaultForTheDocs) {
  std::vector<std::string> rows;
  for (const config::FieldRow& row : config::FieldListing::of(distill::DistillParams{}, "distill.")) {
    rows.push_back(row.key + "=" + row.fallback);
  }
  EXPECT_EQ(rows, (std::vector<std::string>{
                      "distill.kind=logits", "distill.temperature=4", "distill.alpha=0.7",
                      "distill.student_layer=\"\"", "distill.teacher_layer=\"\"",
                      "distill.hint_weight=1", "distill.adapter_lr=0.05", "distill.student=\"\"",
                      "distill.teacher=\"\""}));
}

TEST(DistillStep, KeyOfAnotherKindIsAnErrorNamingIt) {
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: logits, student_layer: conv}"); },
                        "recipe.yaml:3: steps[0].distill.student_layer: not a key of kind logits "
                        "(only of kind hint)");
  EXPECT_ERROR_CONTAINS([] { step_from("{hint_weight: 2}"); },
                        "steps[0].distill.hint_weight: not a key of kind logits");
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: none, temperature: 2}"); },
                        "steps[0].distill.temperature: not a key of kind none (only of kinds "
                        "logits, hint)");
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: none, teacher: t.h5}"); },
                        "steps[0].distill.teacher: not a key of kind none");
  EXPECT_NO_THROW(step_from("{kind: none, student: s.yaml}"));
}

TEST(DistillStep, OutOfRangeNumbersAndUnknownKeysAreRejected) {
  EXPECT_ERROR_CONTAINS([] { step_from("{temperature: 0}"); },
                        "steps[0].distill.temperature: expected a number greater than 0, got 0");
  EXPECT_ERROR_CONTAINS([] { step_from("{temperature: -2}"); },
                        "steps[0].distill.temperature: expected a number greater than 0");
  EXPECT_ERROR_CONTAINS([] { step_from("{alpha: 1.5}"); },
                        "steps[0].distill.alpha: expected a number in [0, 1], got 1.5");
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: feature}"); },
                        "steps[0].distill.kind: expected one of logits, hint, none");
  EXPECT_ERROR_CONTAINS([] { step_from("{temprature: 3}"); },
                        "steps[0].distill.temprature: unknown key (did you mean 'temperature'?)");
}

TEST(DistillStep, HintNeedsBothLayers) {
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: hint, student_layer: conv}"); },
                        "steps[0].distill.teacher_layer: required for kind hint");
  EXPECT_ERROR_CONTAINS([] { step_from("{kind: hint, teacher_layer: conv}"); },
                        "steps[0].distill.student_layer: required for kind hint");
}

TEST(DistillStep, ValidateNamesAMissingHintLayer) {
  BaseFixture f;
  const auto student_missing = step_from("{kind: hint, student_layer: conv9, teacher_layer: conv}");
  EXPECT_ERROR_CONTAINS([&] { student_missing->validate(f.base); },
                        "recipe.yaml:3: steps[0].distill.student_layer: no layer 'conv9' in the "
                        "student model 'base' (its layers: conv, flatten, fc)");
  const auto teacher_missing = step_from("{kind: hint, student_layer: conv, teacher_layer: cnv}");
  EXPECT_ERROR_CONTAINS([&] { teacher_missing->validate(f.base); },
                        "steps[0].distill.teacher_layer: no layer 'cnv' in the teacher model 'base'");
  EXPECT_NO_THROW(step_from("{kind: hint, student_layer: conv, teacher_layer: conv}")->validate(f.base));
}

TEST(DistillStep, ValidateRejectsHintLayersOfDifferentSpatialSize) {
  BaseFixture f;
  const auto step = step_from("{kind: hint, student_layer: conv, teacher_layer: flatten}");
  EXPECT_ERROR_CONTAINS([&] { step->validate(f.base); },
                        "steps[0].distill.student_layer: the student's 'conv' outputs [3, 4, 4] "
                        "per item and the teacher's 'flatten' [48]: hint layers need the same "
                        "spatial size");
}

TEST(DistillStep, ValidateNamesAnUnknownStudentFile) {
  BaseFixture f;
  const auto step = step_from("{student: /no/such/student.yaml}");
  EXPECT_ERROR_CONTAINS([&] { step->validate(f.base); },
                        "recipe.yaml:3: steps[0].distill.student: no such file: /no/such/student.yaml "
                        "(expected a model spec YAML file)");
}

TEST(DistillStep, ValidateRejectsAStudentOfAnotherClassCountOrInput) {
  BaseFixture f;
  test_support::TempDir dir;
  dir.write("four.yaml", conv_linear_yaml("four_classes", "conv", 2, 4));
  EXPECT_ERROR_CONTAINS([&] { step_from("{student: " + dir.file("four.yaml") + "}")->validate(f.base); },
                        "steps[0].distill.student: the student 'four_classes' outputs 4 classes, "
                        "the teacher / base model 'base' 3");
  dir.write("wide.yaml", "name: wide\ninput: {channels: 1, height: 5, width: 5}\nlayers:\n"
                         "  - {name: flatten, type: flatten}\n  - {name: fc, type: linear, out_features: 3}\n");
  EXPECT_ERROR_CONTAINS([&] { step_from("{student: " + dir.file("wide.yaml") + "}")->validate(f.base); },
                        "steps[0].distill.student: the student 'wide' takes input [1, 5, 5]");
  dir.write("broken.yaml", "name: broken\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n"
                           "  - {name: c, type: conv2x}\n");
  EXPECT_ERROR_CONTAINS([&] { step_from("{student: " + dir.file("broken.yaml") + "}")->validate(f.base); },
                        "steps[0].distill.student: the student spec is not valid: ");
}

TEST(DistillStep, ValidateChecksTheHintLayerInTheStudentSpec) {
  BaseFixture f;
  test_support::TempDir dir;
  dir.write("small.yaml", conv_linear_yaml("small", "c1", 2, 3));
  const auto step = step_from("{kind: hint, student: " + dir.file("small.yaml") +
                              ", student_layer: conv, teacher_layer: conv}");
  EXPECT_ERROR_CONTAINS([&] { step->validate(f.base); },
                        "steps[0].distill.student_layer: no layer 'conv' in the student model 'small'");
}

TEST(DistillStep, ValidateNamesAMissingOrMismatchedTeacherFile) {
  BaseFixture f;
  EXPECT_ERROR_CONTAINS([&] { step_from("{teacher: /no/such/teacher.h5}")->validate(f.base); },
                        "steps[0].distill.teacher: no such file: /no/such/teacher.h5 (expected a checkpoint");
  test_support::TempDir dir;
  nn::Model other = conv_linear_model("other", "conv", 2, 5, 1);
  io::write_checkpoint(dir.file("t.h5"), nn::make_checkpoint(other));
  EXPECT_ERROR_CONTAINS([&] { step_from("{teacher: " + dir.file("t.h5") + "}")->validate(f.base); },
                        "steps[0].distill.teacher: the student 'base' outputs 3 classes, the "
                        "teacher / base model 'other' 5");
}

TEST(DistillStep, StudentReplacesTheModelWithTheSpecsLayersSeededFromTheContext) {
  BaseFixture f;
  test_support::TempDir dir;
  const std::string spec = "name: small\ninput: {channels: 1, height: 4, width: 4}\nlayers:\n"
                           "  - {name: c1, type: conv2d, out_channels: 2, kernel: 3}\n"
                           "  - {name: r1, type: relu}\n  - {name: flat, type: flatten}\n"
                           "  - {name: out, type: linear, out_features: 3}\n";
  dir.write("small.yaml", spec);
  for (const std::string kind : {"logits", "none"}) {
    SCOPED_TRACE(kind);
    const auto step = step_from("{kind: " + kind + ", student: " + dir.file("small.yaml") + "}");
    nn::Model model = conv_linear_model("base", "conv", 3, 3, 1);
    step->validate(model);
    step->apply(model, f.context);
    EXPECT_EQ(model.spec().name, "small");
    std::vector<std::string> names;
    for (const nn::LayerSpec& layer : model.spec().layers) names.push_back(layer.name);
    EXPECT_EQ(names, (std::vector<std::string>{"c1", "r1", "flat", "out"}));
    nn::Model fresh(nn::parse_model_spec(spec, "small"), f.context.seed);
    const auto weights = model.named_parameters();
    const auto expected = fresh.named_parameters();
    ASSERT_EQ(weights.size(), expected.size());
    for (std::size_t i = 0; i < weights.size(); ++i) {
      EXPECT_EQ(weights[i].name, expected[i].name);
      EXPECT_TRUE(std::equal(weights[i].parameter->value.values().begin(),
                             weights[i].parameter->value.values().end(),
                             expected[i].parameter->value.values().begin()));
    }
    // kind none: a student trained without a teacher.
    EXPECT_EQ(step->hook() == nullptr, kind == "none");
  }
}

TEST(DistillStep, WithoutStudentTheModelStaysAndTheBaseTeaches) {
  BaseFixture f;
  nn::Model model = conv_linear_model("base", "conv", 3, 3, 1);
  model.named_parameters().front().parameter->value.fill(0.5F);  // "compressed"
  const auto step = step_from("{kind: hint, student_layer: conv, teacher_layer: conv, alpha: 0}");
  step->validate(model);
  step->apply(model, f.context);
  EXPECT_EQ(model.named_parameters().front().parameter->value[0], 0.5F);
  auto* hook = dynamic_cast<distill::DistillationHook*>(step->hook());
  ASSERT_NE(hook, nullptr);
  EXPECT_EQ(hook->teacher().named_parameters().front().parameter->value[0],
            f.base.named_parameters().front().parameter->value[0]);
  ASSERT_NE(hook->adapter(), nullptr);
  EXPECT_TRUE(hook->adapter()->is_identity());
}

}  // namespace
}  // namespace lathe::compress
