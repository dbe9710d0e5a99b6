#include "compress/quantize/activation_calibration.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/layers/fake_quant.h"
#include "nn/model_placement.h"

namespace lathe::compress::quantize {
namespace {

struct Observed {
  std::size_t layer_index = 0;
  nn::FakeQuant* quantizer = nullptr;
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
};

// Runs the calibration batches, calling `after_batch` after each forward.
void run_batches(nn::Model& model, Backend& backend, const data::Dataset& train,
                 const CalibrationConfig& config, int batch_size, std::uint64_t seed,
                 const std::function<void()>& after_batch) {
  data::BatchLoader loader(train, batch_size, true, seed);
  loader.start_epoch(0);
  Tensor images;
  std::vector<std::int32_t> labels;
  const nn::RunMode inference{false, 0};
  nn::ModelOnBackend on_backend(model, backend);
  nn::StagedBatch staged(backend);
  for (int b = 0; b < config.batches && loader.next(images, labels); ++b) {
    staged.stage(images, labels);
    model.forward(backend, staged.images(), inference);
    after_batch();
  }
  on_backend.finish();
}

}  // namespace

std::map<std::string, ActivationRange> calibrate_activations(
    nn::Model& model, Backend& backend, const data::Dataset& train,
    const std::vector<std::string>& quantizers, const CalibrationConfig& config, int batch_size,
    std::uint64_t seed) {
  LATHE_CHECK(train.size() > 0, "activation calibration: the training split is empty");
  std::vector<Observed> observed;
  for (const std::string& name : quantizers) {
    const std::optional<std::size_t> index = model.find_layer(name);
    auto* quantizer = index ? dynamic_cast<nn::FakeQuant*>(&model.layer(*index)) : nullptr;
    LATHE_CHECK(quantizer != nullptr, "activation calibration: '", name,
                "' is not a fake_quant layer of the model");
    quantizer->set_observing(true);
    observed.push_back({*index, quantizer});
  }

  // Pass 1: each quantiser's min and max over the calibration batches.
  run_batches(model, backend, train, config, batch_size, seed, [&] {
    for (Observed& o : observed) {
      o.min = std::min(o.min, o.quantizer->last_observed_min());
      o.max = std::max(o.max, o.quantizer->last_observed_max());
    }
  });

  std::map<std::string, ActivationRange> ranges;
  for (const Observed& o : observed) ranges[o.quantizer->name()] = {o.min, o.max};
  if (config.method != "minmax") {
    // Pass 2: the same batches again into a histogram over each observed range.
    std::vector<ValueHistogram> histograms;
    for (const Observed& o : observed) histograms.emplace_back(o.min, o.max);
    std::vector<float> buffer;
    run_batches(model, backend, train, config, batch_size, seed, [&] {
      for (std::size_t i = 0; i < observed.size(); ++i) {
        histograms[i].add(host_view(model.activation(observed[i].layer_index), buffer));
      }
    });
    for (std::size_t i = 0; i < observed.size(); ++i) {
      const nn::FakeQuant& q = *observed[i].quantizer;
      ranges[q.name()] = config.method == "percentile"
                             ? percentile_range(histograms[i], config.percentile)
                             : mse_range(histograms[i], q.bits(), q.symmetric());
    }
  }
  for (Observed& o : observed) {
    const ActivationRange& range = ranges[o.quantizer->name()];
    o.quantizer->set_range(range.min, range.max);
    o.quantizer->set_observing(false);
  }
  return ranges;
}

}  // namespace lathe::compress::quantize
