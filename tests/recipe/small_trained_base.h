// The base model the evaluator tests compress: a small CNN trained for 4 epochs on the
// synthetic four-class images, made once per test binary.
#pragma once

#include <utility>

#include "backend/backend.h"
#include "io/checkpoint.h"
#include "nn/model_checkpoint.h"
#include "nn/trainer.h"
#include "support/synthetic_data.h"

namespace lathe::recipe::test_support {

using lathe::test_support::synthetic_splits;

inline const char* kSpec =
    "name: small\ninput: {channels: 1, height: 8, width: 8}\nlayers:\n"
    "  - {name: conv1, type: conv2d, out_channels: 8, kernel: 3, padding: 1}\n"
    "  - {name: relu1, type: relu}\n"
    "  - {name: pool1, type: maxpool, kernel: 2}\n"
    "  - {name: flatten, type: flatten}\n"
    "  - {name: fc1, type: linear, out_features: 16}\n"
    "  - {name: relu2, type: relu}\n"
    "  - {name: fc, type: linear, out_features: 4}\n";

struct Trained {
  data::DataSplits data;
  io::Checkpoint base;
};

// A base of `spec` trained on `data` for 4 epochs, as trained() is (for tests that need
// other shapes or more test images).
inline Trained train_base(const char* spec, const char* file, data::DataSplits data) {
  Trained result;
  result.data = std::move(data);
  nn::Model model(nn::parse_model_spec(spec, file), 3);
  const auto backend = make_cpu_backend(1);
  nn::TrainingOptions options;
  options.epochs = 4;
  options.batch_size = 16;
  (void)nn::train_model(model, *backend, result.data.train, result.data.validation, options);
  result.base = nn::make_checkpoint(model);
  return result;
}

inline const Trained& trained() {
  static const Trained t = train_base(kSpec, "small.yaml", synthetic_splits());
  return t;
}

}  // namespace lathe::recipe::test_support
