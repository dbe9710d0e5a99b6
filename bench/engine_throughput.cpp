// Training and inference throughput (images/s) of the engine on the benchmark models at
// a fixed batch, the figures bench/torch_peer.py (CPU and GPU) measures for PyTorch: one
// SGD step (forward, cross-entropy, backward, momentum update) per iteration for training,
// one inference forward as nn::evaluate runs it (nn/layers/fused_inference.h) for
// inference. infer_int8 (CPU) is the same forward of the model quantised to 8-bit
// weights and activations by the quantize step (PTQ, calibrated on synthetic images) and
// loaded from its artifact, so its conv2d and linear layers run on oneDNN's int8
// kernels (nn/layers/integer_layer.h); infer_int8_w4 the same with 4-bit weights, which
// run through the same kernels, consecutive ones handing each other u8 codes
// (nn/layers/integer_run.h); infer_int8_a7 8-bit weights with 7-bit activations (PyTorch's
// x86 engine's choice on CPUs without VNNI, whose int8 sums would clip 8-bit ones). Each
// label names the int8 kernels used, or why not.
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
#include "compress/quantize/quantize_step.h"
#include "data/data_config.h"
#include "nn/model_checkpoint.h"
#include "nn/layers/fused_inference.h"
#include "nn/model.h"
#include "nn/optimizer.h"
#include "tensor/index_buffer.h"

namespace {

namespace io = lathe::io;

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

// The workload's model quantised by the quantize recipe step (PTQ, calibration on
// synthetic 28x28 images) and reloaded from the artifact it packs, as `lathe evaluate`
// loads one: the artifact goes with it, so its layers take the integer path.
io::Checkpoint quantise(Workload& w, int weight_bits, int act_bits) {
  lathe::data::DataConfig config;
  config.format = "synthetic";
  config.synthetic.classes = 10;
  config.synthetic.height = 28;
  config.synthetic.width = 28;
  config.synthetic.train_size = 512;
  config.synthetic.test_size = 16;
  const lathe::data::DataSplits data = lathe::data::load_data(config, 1, "bench");
  const io::Checkpoint base = lathe::nn::make_checkpoint(w.model);
  const lathe::compress::StepSource source{"engine_throughput.cpp", "quantize"};
  const auto step = lathe::compress::make_quantize_step(
      YAML::Load("{method: ptq, act_bits: " + std::to_string(act_bits) +
                 ", weight_bits: " + std::to_string(weight_bits) + "}"),
      source);
  lathe::compress::CompressionContext context{*w.backend, data, base, 1, 128};
  step->apply(w.model, context);
  step->finalize(w.model, context);
  io::Checkpoint artifact = lathe::nn::make_checkpoint(w.model);
  step->pack(w.model, artifact);
  w.model = lathe::nn::model_from_checkpoint(artifact, "bench artifact");
  w.model.place(w.backend->memory());
  return artifact;
}

void infer_quantised(benchmark::State& state, const std::string& name, int weight_bits,
                     int act_bits) {
  const int batch = env_int("LATHE_BENCH_BATCH", 128);
  const int threads = env_int("LATHE_BENCH_THREADS", 2);
  Workload w(name, batch, threads);
  const io::Checkpoint artifact = quantise(w, weight_bits, act_bits);
  lathe::nn::FusedInference fused(w.model, *w.backend, &artifact);
  for (auto _ : state) {
    benchmark::DoNotOptimize(fused.forward(*w.backend, w.images).data());
    w.backend->synchronize();
  }
  report(state, w, batch, threads);
  std::string kernels;
  for (const std::string& kernel : fused.integer_implementations(*w.backend, batch)) {
    kernels += (kernels.empty() ? "" : ",") + kernel;
  }
  for (const std::string& why : fused.integer_fallbacks()) kernels += " simulated " + why;
  for (const std::string& why : fused.float_handoffs()) kernels += " floats " + why;
  state.counters["integer_layers"] = fused.integer_layers();
  state.counters["code_handoffs"] = fused.code_handoffs();
  state.SetLabel(std::string(w.backend->name()) + " int8: " + kernels);
}

void infer_int8(benchmark::State& state, const std::string& name) { infer_quantised(state, name, 8, 8); }
void infer_int8_w4(benchmark::State& state, const std::string& name) {
  infer_quantised(state, name, 4, 8);
}
void infer_int8_a7(benchmark::State& state, const std::string& name) {
  infer_quantised(state, name, 8, 7);
}

BENCHMARK_CAPTURE(train_step, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(train_step, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8_w4, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8_w4, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8_a7, lenet5, "lenet5")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(infer_int8_a7, vgg_small, "vgg_small")->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
