#include "nn/evaluation.h"

#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/layers/fused_inference.h"
#include "nn/model_placement.h"

namespace lathe::nn {

EvaluationResult evaluate(Model& model, Backend& backend, const data::Dataset& dataset,
                          int batch_size, const io::Checkpoint* stored) {
  LATHE_CHECK(dataset.size() > 0, dataset.source, ": the data set is empty, nothing to evaluate");
  LATHE_CHECK(dataset.classes <= model.classes(), dataset.source, ": labels have ",
              dataset.classes, " classes but the model outputs ", model.classes());
  data::BatchLoader loader(dataset, batch_size, false, 0);
  loader.start_epoch(0);
  ModelOnBackend on_backend(model, backend);
  FusedInference fused(model, backend, stored);
  StagedBatch staged(backend);
  Tensor images;
  std::vector<std::int32_t> labels;
  double loss_sum = 0.0;
  std::int64_t correct_sum = 0;
  while (loader.next(images, labels)) {
    staged.stage(images, labels);
    const Tensor& logits = fused.forward(backend, staged.images());
    int correct = 0;
    const int batch = static_cast<int>(labels.size());
    const float loss = backend.softmax_cross_entropy(batch, model.classes(), logits.data(),
                                                     staged.labels(), nullptr, &correct);
    loss_sum += static_cast<double>(loss) * batch;
    correct_sum += correct;
  }
  on_backend.finish();
  EvaluationResult result;
  result.items = dataset.size();
  result.loss = loss_sum / static_cast<double>(result.items);
  result.accuracy = static_cast<double>(correct_sum) / static_cast<double>(result.items);
  result.integer_layers = fused.integer_layers();
  result.simulated_layers = fused.integer_fallbacks();
  return result;
}

}  // namespace lathe::nn
