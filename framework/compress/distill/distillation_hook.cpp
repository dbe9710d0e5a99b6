#include "compress/distill/distillation_hook.h"

#include <vector>

#include "compress/distill/hint_loss.h"
#include "core/error.h"
#include "nn/init.h"

namespace lathe::compress::distill {
namespace {

// Everything but the channel axis must agree between the hint activations.
bool same_apart_from_channels(const Shape& a, const Shape& b) {
  if (a.rank() != b.rank()) return false;
  for (std::size_t axis = 0; axis < a.rank(); ++axis) {
    if (axis != 1 && a[axis] != b[axis]) return false;
  }
  return true;
}

// "[4, 8, 8]": one item's shape, without the batch axis.
std::string item_shape(const Shape& with_batch) {
  return Shape(std::vector<std::int64_t>(with_batch.dims().begin() + 1, with_batch.dims().end()))
      .to_string();
}

}  // namespace

DistillationHook::DistillationHook(nn::Model teacher, LogitDistillation logits,
                                   std::optional<HintSettings> hint, std::uint64_t seed,
                                   std::string label)
    : teacher_(std::move(teacher)),
      logits_(logits),
      hint_(std::move(hint)),
      seed_(seed),
      label_(std::move(label)) {}

void DistillationHook::on_train_start(Backend& backend, nn::Model& model,
                                      std::int64_t /*total_steps*/) {
  // The feature adapter and the hint loss are host loops (not yet backend operations).
  LATHE_CHECK(!hint_ || backend.memory() == nullptr, label_,
              ": hint (feature) distillation runs on the cpu backend only so far; the ",
              backend.name(), " backend can run logits distillation (drop the hint keys) or "
              "use device: cpu for this recipe");
  prepare(model);
  // The teacher runs on the student's backend for the whole fine-tune.
  teacher_.place(backend.memory());
}

void DistillationHook::on_train_end(Backend& /*backend*/, nn::Model& /*model*/) {
  teacher_.place(nullptr);
}

std::size_t DistillationHook::hint_layer_index(const nn::Model& model, const std::string& name,
                                               const char* role) const {
  const std::optional<std::size_t> index = model.find_layer(name);
  LATHE_CHECK(index.has_value(), label_, ".", role, "_layer: no layer '", name, "' in the ", role,
              " model '", model.spec().name, "'");
  return *index;
}

void DistillationHook::prepare(const nn::Model& student) {
  if (!hint_) return;
  const std::size_t student_index = hint_layer_index(student, hint_->student_layer, "student");
  const std::size_t teacher_index = hint_layer_index(teacher_, hint_->teacher_layer, "teacher");
  const Shape student_shape = student.layer(student_index).output_shape(1);
  const Shape teacher_shape = teacher_.layer(teacher_index).output_shape(1);
  LATHE_CHECK((student_shape.rank() == 2 || student_shape.rank() == 4) &&
                  same_apart_from_channels(student_shape, teacher_shape),
              label_, ".student_layer: the student's '", hint_->student_layer, "' outputs ",
              item_shape(student_shape), " per item and the teacher's '", hint_->teacher_layer,
              "' ", item_shape(teacher_shape),
              ": hint layers need the same spatial size (only the channel count may differ)");
  const std::int64_t student_channels = student_shape[1];
  const std::int64_t teacher_channels = teacher_shape[1];
  if (adapter_ && adapter_->student_channels() == student_channels &&
      adapter_->teacher_channels() == teacher_channels) {
    return;
  }
  adapter_ = std::make_unique<FeatureAdapter>(
      student_channels, teacher_channels,
      nn::layer_seed(seed_, "distill_adapter/" + hint_->student_layer));
  adapter_gradient_pending_ = false;
}

float DistillationHook::add_loss_gradient(Backend& backend, nn::Model& model, const Tensor& images,
                                          nn::LossGradients& gradients) {
  if (logits_.alpha == 0.0F && !hint_) return 0.0F;  // nothing asks for the teacher
  const Tensor& teacher_logits = teacher_.forward(backend, images, nn::RunMode{false, 0});
  const Tensor& student_logits = model.activation(model.layer_count() - 1);
  float added_loss = 0.0F;
  if (logits_.alpha > 0.0F) {
    added_loss += add_logit_distillation(backend, student_logits, teacher_logits, logits_,
                                         gradients.task_loss, gradients.logits);
    // What of the cross-entropy the logits' gradient now holds, for any later hook.
    gradients.task_loss *= 1.0F - logits_.alpha;
  }
  if (hint_) added_loss += add_hint_gradient(backend, model, gradients);
  return added_loss;
}

float DistillationHook::add_hint_gradient(Backend& backend, nn::Model& model,
                                          nn::LossGradients& gradients) {
  prepare(model);
  const std::size_t student_index = hint_layer_index(model, hint_->student_layer, "student");
  const std::size_t teacher_index = hint_layer_index(teacher_, hint_->teacher_layer, "teacher");
  const Tensor& student_activation = model.activation(student_index);
  const Tensor& teacher_activation = teacher_.activation(teacher_index);
  const Tensor& adapted = adapter_->forward(backend, student_activation);
  const float loss = hint_loss(adapted, teacher_activation, hint_->weight, grad_adapted_);
  adapter_->backward(backend, student_activation, grad_adapted_, grad_student_);
  adapter_gradient_pending_ = true;
  gradients.activations.push_back(nn::ActivationGradient{student_index, &grad_student_});
  return loss;
}

void DistillationHook::after_update(Backend& backend, nn::Model& /*model*/) {
  if (!adapter_gradient_pending_) return;
  adapter_->sgd_step(backend, hint_->adapter_lr);
  adapter_gradient_pending_ = false;
}

void DistillationHook::save_state(nn::HookState& state) const {
  if (adapter_ && !adapter_->is_identity()) state.tensors["adapter_weight"] = adapter_->weight();
}

void DistillationHook::load_state(const nn::HookState& state, nn::Model& model) {
  const bool saved_weight = state.tensors.contains("adapter_weight");
  if (hint_) prepare(model);  // the adapter this student's hint layer needs, then its saved weight
  if (!adapter_ || adapter_->is_identity()) {
    LATHE_CHECK(!saved_weight, label_, ": the saved state has a hint adapter, this step's student needs none");
    return;
  }
  const Tensor& weight = state.tensor("adapter_weight", label_);
  LATHE_CHECK(weight.shape() == adapter_->weight().shape(), label_, ": the saved hint adapter has shape ",
              weight.shape().to_string(), ", this student's needs ", adapter_->weight().shape().to_string());
  adapter_->weight() = weight;
}

}  // namespace lathe::compress::distill
