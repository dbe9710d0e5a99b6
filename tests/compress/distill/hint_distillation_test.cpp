// Hint (feature) distillation: the hook's gradients, through Model::backward's
// activation gradients and the 1x1 adapter, against finite differences of
// (1 - alpha) * CE + alpha * T^2 * KL + hint_weight * MSE(adapter(student layer), teacher layer).
#include <gtest/gtest.h>

#include "backend/backend.h"
#include "compress/distill/distillation_hook.h"
#include "compress/distill/feature_adapter.h"
#include "distill_test_support.h"

namespace lathe::compress::distill {
namespace {

using test::conv_linear_model;
using test::random_tensor;

const std::vector<std::int32_t> kLabels = {0, 2};
const Shape kImages{2, 1, 4, 4};

struct HintCase {
  std::string layer;  // the same name in student and teacher
  int teacher_channels;
};

// Student and teacher are conv -> flatten -> linear; the student's conv has 2 channels.
double reference_loss(nn::Model& student, nn::Model& teacher, FeatureAdapter& adapter,
                      const Tensor& images, const LogitDistillation& logits,
                      const HintSettings& hint, Backend& backend) {
  const Tensor& s = student.forward(backend, images, nn::RunMode{});
  const Tensor& t = teacher.forward(backend, images, nn::RunMode{});
  const double temperature = logits.temperature;
  double loss = (1.0 - logits.alpha) * test::reference_cross_entropy(s, kLabels) +
                logits.alpha * temperature * temperature * test::reference_kl(s, t, temperature);
  const Tensor& a = student.activation(*student.find_layer(hint.student_layer));
  const Tensor& b = teacher.activation(*teacher.find_layer(hint.teacher_layer));
  const std::int64_t cs = a.shape()[1];
  const std::int64_t ct = b.shape()[1];
  const std::int64_t positions = a.shape().elements_per_item() / cs;
  double squared = 0.0;
  for (std::int64_t n = 0; n < a.shape()[0]; ++n) {
    for (std::int64_t o = 0; o < ct; ++o) {
      for (std::int64_t p = 0; p < positions; ++p) {
        double mapped = 0.0;
        for (std::int64_t c = 0; c < cs; ++c) {
          const double w = adapter.is_identity() ? (o == c ? 1.0 : 0.0) : adapter.weight()[o * cs + c];
          mapped += w * a[(n * cs + c) * positions + p];
        }
        const double gap = mapped - b[(n * ct + o) * positions + p];
        squared += gap * gap;
      }
    }
  }
  return loss + hint.weight * squared / static_cast<double>(b.size());
}

TEST(HintDistillation, GradientsIncludingTheAdapterMatchFiniteDifferences) {
  const auto backend = make_cpu_backend(1);
  for (const HintCase& c : {HintCase{"conv", 3}, HintCase{"conv", 2}, HintCase{"flatten", 3}}) {
    SCOPED_TRACE(c.layer + " with " + std::to_string(c.teacher_channels) + " teacher channels");
    nn::Model student = conv_linear_model("student", "conv", 2, 3, 1);
    const LogitDistillation logits{2.0F, 0.5F};
    const HintSettings hint{c.layer, c.layer, 0.7F, 0.1F};
    DistillationHook hook(conv_linear_model("teacher", "conv", c.teacher_channels, 3, 2), logits,
                          hint, 3, "test");
    hook.prepare(student);
    FeatureAdapter& adapter = *hook.adapter();
    EXPECT_EQ(adapter.is_identity(), c.layer == "conv" && c.teacher_channels == 2);
    const Tensor images = random_tensor(kImages, 4);

    const Tensor& s = student.forward(*backend, images, nn::RunMode{true, 1});
    Tensor grad_logits(s.shape());
    const float task_loss = backend->softmax_cross_entropy(2, 3, s.data(), kLabels.data(),
                                                           grad_logits.data(), nullptr);
    nn::LossGradients gradients{grad_logits, kLabels, task_loss, {}};
    const float reported = task_loss + hook.add_loss_gradient(*backend, student, images, gradients);
    ASSERT_EQ(gradients.activations.size(), 1U);
    student.backward(*backend, grad_logits, gradients.activations);

    const auto combined = [&] {
      return reference_loss(student, hook.teacher(), adapter, images, logits, hint, *backend);
    };
    EXPECT_NEAR(reported, combined(), 1e-4);
    for (const nn::NamedParameter& p : student.named_parameters()) {
      const Tensor analytic = p.parameter->grad;
      for (std::int64_t i = 0; i < analytic.size(); ++i) {
        const double numeric = test::numeric_derivative(p.parameter->value[i], combined);
        EXPECT_NEAR(analytic[i], numeric, 2e-3 + 1e-2 * std::abs(numeric)) << p.name << " " << i;
      }
    }
    const Tensor adapter_grad = adapter.weight_grad();
    for (std::int64_t i = 0; i < adapter.weight().size(); ++i) {
      const double numeric = test::numeric_derivative(adapter.weight()[i], combined);
      EXPECT_NEAR(adapter_grad[i], numeric, 2e-3 + 1e-2 * std::abs(numeric)) << "adapter " << i;
    }
  }
}

TEST(HintDistillation, AdapterStepsDownItsGradientAfterTheUpdate) {
  const auto backend = make_cpu_backend(1);
  nn::Model student = conv_linear_model("student", "conv", 2, 3, 1);
  DistillationHook hook(conv_linear_model("teacher", "conv", 3, 3, 2), {2.0F, 0.0F},
                        HintSettings{"conv", "conv", 1.0F, 0.5F}, 3, "test");
  const Tensor images = random_tensor(kImages, 5);
  const Tensor& s = student.forward(*backend, images, nn::RunMode{true, 1});
  Tensor grad_logits(s.shape());
  nn::LossGradients gradients{grad_logits, kLabels, 0.0F, {}};
  hook.add_loss_gradient(*backend, student, images, gradients);
  const Tensor before = hook.adapter()->weight();
  const Tensor step = hook.adapter()->weight_grad();
  hook.after_update(*backend, student);
  for (std::int64_t i = 0; i < before.size(); ++i) {
    EXPECT_FLOAT_EQ(hook.adapter()->weight()[i], before[i] - 0.5F * step[i]);
  }
  hook.after_update(*backend, student);  // no new gradient: no second step
  for (std::int64_t i = 0; i < before.size(); ++i) {
    EXPECT_FLOAT_EQ(hook.adapter()->weight()[i], before[i] - 0.5F * step[i]);
  }
}

TEST(HintDistillation, AdapterIsSeeded) {
  FeatureAdapter a(2, 5, 11);
  FeatureAdapter b(2, 5, 11);
  FeatureAdapter c(2, 5, 12);
  EXPECT_EQ(std::vector<float>(a.weight().values().begin(), a.weight().values().end()),
            std::vector<float>(b.weight().values().begin(), b.weight().values().end()));
  EXPECT_NE(std::vector<float>(a.weight().values().begin(), a.weight().values().end()),
            std::vector<float>(c.weight().values().begin(), c.weight().values().end()));
}

TEST(HintDistillation, DifferentSpatialSizesAreAnError) {
  nn::Model student = conv_linear_model("student", "conv", 2, 3, 1);
  DistillationHook hook(conv_linear_model("teacher", "conv", 3, 3, 2), {},
                        HintSettings{"conv", "flatten", 1.0F, 0.1F}, 3, "r.yaml:2: steps[0].distill");
  EXPECT_ERROR_CONTAINS([&] { hook.prepare(student); },
                        "r.yaml:2: steps[0].distill.student_layer: the student's 'conv' outputs "
                        "[2, 4, 4] per item and the teacher's 'flatten' [48]");
}

// Model::backward's `extra` gradients (added for feature distillation): the parameter
// gradients of sum(R * logits) + sum(G * activation of conv) against finite differences.
TEST(DistillModelBackward, ActivationGradientMatchesFiniteDifferences) {
  const auto backend = make_cpu_backend(1);
  nn::Model model = conv_linear_model("m", "conv", 2, 3, 6);
  const Tensor images = random_tensor(kImages, 7);
  const std::size_t conv = *model.find_layer("conv");
  const std::size_t flatten = *model.find_layer("flatten");
  const Tensor grad_logits = random_tensor(Shape{2, 3}, 8);
  model.forward(*backend, images, nn::RunMode{});
  const Tensor grad_conv = random_tensor(model.activation(conv).shape(), 9);
  const Tensor grad_flatten = random_tensor(model.activation(flatten).shape(), 10);
  const std::vector<nn::ActivationGradient> extra = {{conv, &grad_conv}, {flatten, &grad_flatten}};
  model.backward(*backend, grad_logits, extra);
  const auto objective = [&] {
    const Tensor& logits = model.forward(*backend, images, nn::RunMode{});
    double total = 0.0;
    for (std::int64_t i = 0; i < logits.size(); ++i) total += double{grad_logits[i]} * logits[i];
    for (const auto& [index, grad] : extra) {
      const Tensor& activation = model.activation(index);
      for (std::int64_t i = 0; i < activation.size(); ++i) total += double{(*grad)[i]} * activation[i];
    }
    return total;
  };
  for (const nn::NamedParameter& p : model.named_parameters()) {
    const Tensor analytic = p.parameter->grad;
    for (std::int64_t i = 0; i < analytic.size(); ++i) {
      const double numeric = test::numeric_derivative(p.parameter->value[i], objective);
      EXPECT_NEAR(analytic[i], numeric, 2e-3 + 1e-2 * std::abs(numeric)) << p.name << " " << i;
    }
  }
}

}  // namespace
}  // namespace lathe::compress::distill
