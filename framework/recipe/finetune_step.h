// The `finetune` recipe step: trains the model as it stands with the hooks of every
// earlier step active (masks, fake quantisers, the mixture prior, the teacher).
#pragma once

#include "config/field_checks.h"
#include "nn/trainer.h"

namespace lathe::recipe {

struct FinetuneParams {
  int epochs = 1;
  double lr = 0.01;
  std::string optimizer = "sgd";
  double momentum = 0.9;
  double weight_decay = 5e-4;
  std::string schedule = "cosine";
  double warmup_epochs = 0.0;
  int batch_size = 0;  // 0: the evaluator's batch size

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.number("epochs", epochs, Range::closed(1, 1000), "training epochs");
    v.number("lr", lr, Range{0.0, 10.0, false, true}, "base learning rate");
    v.choice("optimizer", optimizer, {"sgd", "adam"}, "optimiser");
    v.number("momentum", momentum, Range::half_open(0.0, 1.0), "SGD momentum");
    v.number("weight_decay", weight_decay, Range::closed(0.0, 1.0), "L2 penalty");
    v.choice("schedule", schedule, {"constant", "cosine"}, "learning-rate schedule");
    v.number("warmup_epochs", warmup_epochs, Range::at_least(0.0),
             "linear warm-up over this many epochs (fractions allowed)");
    v.number("batch_size", batch_size, Range::closed(0, 65536),
             "batch size (0: the evaluator's --batch-size)");
  }
};

nn::TrainingOptions training_options(const FinetuneParams& params, int default_batch_size,
                                     std::uint64_t seed);

}  // namespace lathe::recipe
