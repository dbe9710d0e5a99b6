// docs/methods.md M1 steps 2-4: one test model per group (the group removed in place), its
// test loss on the deployment data, and its importance score against the unmodified
// model. Each group's evaluation is independent and cheap to call alone, so the search
// can spread the groups over MPI ranks.
#pragma once

#include <cstdint>
#include <vector>

#include "backend/backend.h"
#include "compress/ablate/ablation_group.h"
#include "data/dataset.h"
#include "nn/model.h"

namespace lathe::compress::ablate {

// How a group's importance is scored (`score:` in the recipe):
//   loss_increase: test loss - reference loss (ours: the difference of the two losses);
//   kl:            mean KL(p_reference || p_test) of the output distributions (ours).
enum class ScoreKind { loss_increase, kl };
[[nodiscard]] const char* score_kind_name(ScoreKind kind);
[[nodiscard]] ScoreKind parse_score_kind(const std::string& text, const std::string& where);

// The evaluation data: the first `max_batches` batches (0 = all) of `batch_size` items,
// in data set order, copied once so that every group sees the same items.
class EvaluationBatches {
 public:
  EvaluationBatches(const data::Dataset& dataset, int batch_size, int max_batches);
  [[nodiscard]] std::size_t count() const { return images_.size(); }
  [[nodiscard]] const Tensor& images(std::size_t batch) const { return images_[batch]; }
  [[nodiscard]] const std::vector<std::int32_t>& labels(std::size_t batch) const { return labels_[batch]; }
  [[nodiscard]] std::int64_t items() const { return items_; }
  [[nodiscard]] int classes() const { return classes_; }

 private:
  std::vector<Tensor> images_;
  std::vector<std::vector<std::int32_t>> labels_;
  std::int64_t items_ = 0;
  int classes_ = 0;
};

// The model's outputs on the evaluation batches: mean cross-entropy and per-item
// log-probabilities (computed in double from the logits, the same way for every model).
struct ModelOutputs {
  double loss = 0.0;
  std::int64_t items = 0;
  int classes = 0;
  std::vector<double> log_probabilities;  // items x classes
};

[[nodiscard]] ModelOutputs model_outputs(nn::Model& model, const EvaluationBatches& batches, Backend& backend);

// Mean over items of KL(p_reference || p_test), clamped at 0 against rounding; exactly 0
// when the outputs are identical.
[[nodiscard]] double mean_kl_divergence(const ModelOutputs& reference, const ModelOutputs& test);

struct GroupScore {
  double test_loss = 0.0;
  double score = 0.0;  // of the requested kind; +inf when the test model's outputs are not finite
};

// Removes `group` in place, evaluates the test model, restores the model bit-exactly.
[[nodiscard]] GroupScore score_group(nn::Model& model, const AblationGroup& group, const ModelOutputs& reference,
                                     const EvaluationBatches& batches, Backend& backend, ScoreKind kind);

// The test loss of the model without `group` on the first `max_batches` batches of `data`
// (one self-contained call; the model is restored bit-exactly afterwards).
[[nodiscard]] double ablation_loss(nn::Model& model, const AblationGroup& group, const data::Dataset& data,
                                   Backend& backend, int batch_size, int max_batches);

}  // namespace lathe::compress::ablate
