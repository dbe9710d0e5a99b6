// Training and inference throughput (images/s) of the engine on the benchmark models at
// a fixed batch, the figures bench/torch_peer.py (CPU and GPU) measures for PyTorch: one
// SGD step (forward, cross-entropy, backward, momentum update) per iteration for training,
// one inference forward as nn::evaluate runs it (nn/layers/fused_inference.h) for
// inference.
//   lathe_bench --benchmark_format=json   (scripts/bench.sh runs it beside PyTorch;
//                                          bench/gpu/run_gpu_bench.sh on a GPU)
// --benchmark_min_time sets the seconds per figure (scripts/bench.sh --seconds).
// LATHE_BENCH_THREADS (default 2) and LATHE_BENCH_BATCH (default 128) set the shape;
// LATHE_BENCH_DEVICE (cpu, cuda or auto; default cpu) the device, and on a GPU
// LATHE_BENCH_DETERMINISTIC=1 keeps cuDNN to its deterministic algorithms (default 0:
// the fastest it finds, as PyTorch with cudnn.benchmark). Every iteration ends with
// a synchronize, so its work is done on the device before the next begins and
// queued GPU work is never counted as finished (the PyTorch peer does the same).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "backend/backend_factory.h"
#include "nn/layers/fused_inference.h"
#include "nn/model.h"
#include "nn/optimizer.h"
#include "tensor/index_buffer.h"

namespace {

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && std::atoi(text) > 0 ? std::atoi(text) : fallback;
}

std::string env_text(const char* name, const char* fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? text : fallback;
}

// The model, a random batch and its labels, all where the backend reads them.
struct Workload {
  std::unique_ptr<lathe::Backend> backend;
  lathe::nn::Model model;
  lathe::Tensor images;
  lathe::IndexBuffer labels;
  lathe::Tensor grad_logits;

  Workload(const std::string& name, int batch, int threads)
      : backend(lathe::make_backend(env_text("LATHE_BENCH_DEVICE", "cpu"), threads,
                                    env_int("LATHE_BENCH_DETERMINISTIC", 0) != 0)),
        model(lathe::nn::load_model_spec(std::string(LATHE_SOURCE_DIR) + "/configs/models/" +
                                         name + ".yaml"),
              1),
        images(lathe::Shape{batch, 1, 28, 28}),
        grad_logits(lathe::Shape{}, backend->memory()) {
    std::mt19937_64 rng(0);
    std::normal_distribution<float> normal(0.0F, 1.0F);
    for (float& v : images.values()) v = normal(rng);
    std::vector<std::int32_t> label_values(static_cast<std::size_t>(batch));
    for (std::int32_t& y : label_values) y = static_cast<std::int32_t>(rng() % 10);
    model.place(backend->memory());
    images.place(backend->memory());
    labels.place(backend->memory());
    labels.assign(label_values);
  }
};

void report(benchmark::State& state, const Workload& w, int batch, int threads) {
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["threads"] = threads;
  state.counters["batch"] = batch;
  state.SetLabel(std::string(w.backend->name()));
}

void train_step(benchmark::State& state, const std::string& name) {
  const int batch = env_int("LATHE_BENCH_BATCH", 128);
  const int threads = env_int("LATHE_BENCH_THREADS", 2);
  Workload w(name, batch, threads);
  lathe::nn::OptimizerConfig sgd;
  sgd.lr = 0.01;
  sgd.weight_decay = 0.0;  // as the PyTorch peer
  lathe::nn::Optimizer optimizer(sgd, w.model.trainable_parameters());
  for (auto _ : state) {
    const lathe::Tensor& logits = w.model.forward(*w.backend, w.images, {true, 1});
    w.grad_logits.resize(logits.shape());
    // Returns the loss to the host: the step's forward is done when it returns.
    benchmark::DoNotOptimize(w.backend->softmax_cross_entropy(
        batch, 10, logits.data(), w.labels.data(), w.grad_logits.data(), nullptr));
    w.model.backward(*w.backend, w.grad_logits);
    optimizer.step(*w.backend, 0.01F);
    w.backend->synchronize();
  }
  report(state, w, batch, threads);
}

void infer(benchmark::State& state, const std::string& name) {
  const int batch = env_int("LATHE_BENCH_BATCH", 128);
  const int threads = env_int("LATHE_BENCH_THREADS", 2);
  Workload w(name, batch, threads);
  // As nn::evaluate and the evaluator's latency run it: conv2d + batchnorm + ReLU fused.
  lathe::nn::FusedInference fused(w.model, *w.backend);
  for (auto _ : state) {
    benchmark::DoNotOptimize(fused.forward(*w.backend, w.images).data());
    w.backend->synchronize();
  }
  report(state, w, batch, threads);
}

BENCHMARK_CAPTURE(train_step, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(train_step, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
