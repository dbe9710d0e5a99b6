// Hinton et al.'s logits distillation (docs/methods.md M5, variant "logits"): the student
// minimises (1 - alpha) * CE(labels) + alpha * T^2 * KL(softmax(t/T) || softmax(s/T)),
// where s and t are the student's and teacher's logits. The T^2 keeps the soft term's
// gradient on the scale of the hard one as T grows. Batch means throughout, as the
// trainer's cross-entropy.
//
// The per-row softmax and KL are one backend operation (Backend::distillation_kl).
#pragma once

#include "backend/backend.h"
#include "tensor/tensor.h"

namespace lathe::compress::distill {

struct LogitDistillation {
  float temperature = 4.0F;
  float alpha = 0.7F;
};

// Mean over the batch of KL(softmax(teacher/T) || softmax(student/T)); both N x classes.
double softened_kl(Backend& backend, const Tensor& student_logits, const Tensor& teacher_logits,
                   double temperature);

// `grad_logits` holds d CE / d student logits (task_loss = CE); it becomes the gradient
// of the combined loss. Returns the change in the reported loss,
// alpha * T^2 * KL - alpha * task_loss.
float add_logit_distillation(Backend& backend, const Tensor& student_logits,
                             const Tensor& teacher_logits,
                             const LogitDistillation& settings, float task_loss,
                             Tensor& grad_logits);

}  // namespace lathe::compress::distill
