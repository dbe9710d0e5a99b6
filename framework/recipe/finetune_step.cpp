#include "recipe/finetune_step.h"

namespace lathe::recipe {

nn::TrainingOptions training_options(const FinetuneParams& params, int default_batch_size,
                                     std::uint64_t seed) {
  nn::TrainingOptions options;
  options.epochs = params.epochs;
  options.batch_size = params.batch_size > 0 ? params.batch_size : default_batch_size;
  options.seed = seed;
  options.optimizer.kind = params.optimizer;
  options.optimizer.lr = params.lr;
  options.optimizer.momentum = params.momentum;
  options.optimizer.weight_decay = params.weight_decay;
  options.schedule.kind = params.schedule;
  options.schedule.warmup_epochs = params.warmup_epochs;
  return options;
}

}  // namespace lathe::recipe
