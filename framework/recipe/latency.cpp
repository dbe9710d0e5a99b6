#include "recipe/latency.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "nn/layers/fused_inference.h"
#include "nn/model_placement.h"

namespace lathe::recipe {

double median_latency_ms(nn::Model& model, Backend& backend, const data::Dataset& images,
                         int batch, const io::Checkpoint* stored) {
  LATHE_CHECK(images.size() > 0, images.source, ": no images to time the model on");
  const Shape& shape = images.images.shape();
  const std::int64_t item = shape[1] * shape[2] * shape[3];
  Tensor input(Shape{batch, shape[1], shape[2], shape[3]});
  for (int i = 0; i < batch; ++i) {
    const std::int64_t source = i % images.size();
    std::memcpy(input.data() + i * item, images.images.data() + source * item,
                sizeof(float) * static_cast<std::size_t>(item));
  }
  nn::ModelOnBackend on_backend(model, backend);
  input.place(backend.memory());
  // Timed as evaluation runs it: conv2d + batchnorm + ReLU chains fused, quantised layers
  // on integer kernels.
  nn::FusedInference fused(model, backend, stored);
  // Warm-up: buffers sized, caches and thread pools primed.
  for (int i = 0; i < 3; ++i) fused.forward(backend, input);
  backend.synchronize();
  std::vector<double> times;
  double total = 0.0;
  // At least 5 timed runs, more for fast models, up to about half a second.
  while (times.size() < 5 || (total < 500.0 && times.size() < 200)) {
    const auto start = std::chrono::steady_clock::now();
    fused.forward(backend, input);
    backend.synchronize();  // a GPU queues the work: time it done
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    times.push_back(ms);
    total += ms;
  }
  on_backend.finish();
  std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2),
                   times.end());
  return times[times.size() / 2];
}

}  // namespace lathe::recipe
