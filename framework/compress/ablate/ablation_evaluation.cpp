#include "compress/ablate/ablation_evaluation.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "compress/ablate/group_removal.h"
#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/model_placement.h"

namespace lathe::compress::ablate {

const char* score_kind_name(ScoreKind kind) { return kind == ScoreKind::kl ? "kl" : "loss_increase"; }

ScoreKind parse_score_kind(const std::string& text, const std::string& where) {
  if (text == "loss_increase") return ScoreKind::loss_increase;
  if (text == "kl") return ScoreKind::kl;
  fail(where, ": expected loss_increase or kl, got '", text, "'");
}

EvaluationBatches::EvaluationBatches(const data::Dataset& dataset, int batch_size, int max_batches)
    : classes_(dataset.classes) {
  LATHE_CHECK(dataset.size() > 0, dataset.source, ": the data set is empty, no data to score the groups on");
  LATHE_CHECK(batch_size >= 1, dataset.source, ": expected a batch size of at least 1, got ", batch_size);
  LATHE_CHECK(max_batches >= 0, dataset.source, ": expected at least 0 batches (0 = all), got ", max_batches);
  data::BatchLoader loader(dataset, batch_size, false, 0);
  loader.start_epoch(0);
  Tensor images;
  std::vector<std::int32_t> labels;
  while ((max_batches == 0 || static_cast<int>(images_.size()) < max_batches) && loader.next(images, labels)) {
    items_ += static_cast<std::int64_t>(labels.size());
    images_.push_back(images);
    labels_.push_back(labels);
  }
}

ModelOutputs model_outputs(nn::Model& model, const EvaluationBatches& batches, Backend& backend) {
  LATHE_CHECK(batches.classes() <= model.classes(), "ablation data: labels have ", batches.classes(),
              " classes but model '", model.spec().name, "' outputs ", model.classes());
  ModelOutputs outputs;
  outputs.items = batches.items();
  outputs.classes = model.classes();
  outputs.log_probabilities.reserve(static_cast<std::size_t>(outputs.items * outputs.classes));
  double loss_sum = 0.0;
  nn::ModelOnBackend on_backend(model, backend);
  nn::StagedBatch staged(backend);
  for (std::size_t b = 0; b < batches.count(); ++b) {
    const std::vector<std::int32_t>& labels = batches.labels(b);
    staged.stage(batches.images(b), labels);
    const std::vector<float> logits =
        model.forward(backend, staged.images(), nn::RunMode{false, 0}).to_host_vector();
    for (std::size_t item = 0; item < labels.size(); ++item) {
      const float* row = logits.data() + static_cast<std::int64_t>(item) * outputs.classes;
      const double top = *std::max_element(row, row + outputs.classes);
      double sum = 0.0;
      for (int c = 0; c < outputs.classes; ++c) sum += std::exp(static_cast<double>(row[c]) - top);
      const double log_normaliser = top + std::log(sum);
      for (int c = 0; c < outputs.classes; ++c) {
        outputs.log_probabilities.push_back(static_cast<double>(row[c]) - log_normaliser);
      }
      loss_sum -= outputs.log_probabilities[outputs.log_probabilities.size() - static_cast<std::size_t>(outputs.classes) +
                                            static_cast<std::size_t>(labels[item])];
    }
  }
  on_backend.finish();
  outputs.loss = loss_sum / static_cast<double>(outputs.items);
  return outputs;
}

double mean_kl_divergence(const ModelOutputs& reference, const ModelOutputs& test) {
  LATHE_CHECK(reference.items == test.items && reference.classes == test.classes,
              "KL divergence: expected outputs for the same items and classes, got ", reference.items, " x ",
              reference.classes, " and ", test.items, " x ", test.classes);
  double sum = 0.0;
  for (std::size_t i = 0; i < reference.log_probabilities.size(); ++i) {
    const double log_p = reference.log_probabilities[i];
    sum += std::exp(log_p) * (log_p - test.log_probabilities[i]);
  }
  return std::max(0.0, sum / static_cast<double>(reference.items));
}

GroupScore score_group(nn::Model& model, const AblationGroup& group, const ModelOutputs& reference,
                       const EvaluationBatches& batches, Backend& backend, ScoreKind kind) {
  ModelOutputs test;
  {
    const TemporaryRemoval removal(model, group);
    test = model_outputs(model, batches, backend);
  }
  GroupScore result;
  result.test_loss = test.loss;
  result.score = kind == ScoreKind::kl ? mean_kl_divergence(reference, test) : test.loss - reference.loss;
  // A removal that breaks the model (non-finite outputs) is as important as can be.
  if (std::isnan(result.score)) result.score = std::numeric_limits<double>::infinity();
  return result;
}

double ablation_loss(nn::Model& model, const AblationGroup& group, const data::Dataset& data, Backend& backend,
                     int batch_size, int max_batches) {
  const EvaluationBatches batches(data, batch_size, max_batches);
  const TemporaryRemoval removal(model, group);
  return model_outputs(model, batches, backend).loss;
}

}  // namespace lathe::compress::ablate
