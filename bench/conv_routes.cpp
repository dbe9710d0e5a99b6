// The CPU backend's two convolution paths, im2col + GEMM and oneDNN, on each convolution
// of lenet5 and vgg_small at batch 128: forward, data gradient and filter gradient, one
// figure per layer, pass and path. What backend/cpu/conv_route.cpp chooses by.
//   lathe_conv_bench [--benchmark_filter=vgg] [--benchmark_min_time=0.3]
// LATHE_BENCH_THREADS (default 1) sets the backend's threads. Built with oneDNN only.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"

namespace {

struct Layer {
  const char* name;
  int channels, size, outputs, kernel, padding;
};

constexpr Layer kLayers[] = {
    {"lenet5/conv1", 1, 28, 6, 5, 2},    {"lenet5/conv2", 6, 14, 16, 5, 0},
    {"vgg_small/conv1", 1, 28, 32, 3, 1}, {"vgg_small/conv2", 32, 28, 32, 3, 1},
    {"vgg_small/conv3", 32, 14, 64, 3, 1}, {"vgg_small/conv4", 64, 14, 64, 3, 1},
    {"vgg_small/conv5", 64, 7, 128, 3, 1}};

enum class Pass { forward, backward_data, backward_filter };

void run(benchmark::State& state, Layer layer, Pass pass, lathe::ConvolutionRoute route) {
  const char* threads_text = std::getenv("LATHE_BENCH_THREADS");
  const int threads = threads_text != nullptr && std::atoi(threads_text) > 0 ? std::atoi(threads_text) : 1;
  lathe::CpuBackend backend(threads, route);
  lathe::Conv2dGeometry g;
  g.batch = 128;
  g.in_channels = layer.channels;
  g.in_height = g.in_width = layer.size;
  g.out_channels = layer.outputs;
  g.kernel_height = g.kernel_width = layer.kernel;
  g.padding = layer.padding;
  std::vector<float> input(static_cast<std::size_t>(g.batch) * g.in_channels * layer.size * layer.size, 0.5F);
  std::vector<float> weight(static_cast<std::size_t>(g.out_channels) * g.in_channels * layer.kernel * layer.kernel, 0.1F);
  std::vector<float> output(static_cast<std::size_t>(g.batch) * g.out_channels * g.out_height() * g.out_width(), 0.3F);
  std::vector<float> bias(static_cast<std::size_t>(g.out_channels), 0.0F);
  for (auto _ : state) {
    switch (pass) {
      case Pass::forward:
        backend.conv2d_forward(g, input.data(), weight.data(), bias.data(), output.data());
        break;
      case Pass::backward_data:
        backend.conv2d_backward_data(g, output.data(), weight.data(), input.data());
        break;
      case Pass::backward_filter:
        backend.conv2d_backward_filter(g, input.data(), output.data(), weight.data(), bias.data(), false);
        break;
    }
  }
  state.SetItemsProcessed(state.iterations() * g.batch);
  state.counters["threads"] = threads;
}

void register_all() {
  const std::pair<const char*, Pass> passes[] = {
      {"forward", Pass::forward}, {"backward_data", Pass::backward_data},
      {"backward_filter", Pass::backward_filter}};
  const std::pair<const char*, lathe::ConvolutionRoute> routes[] = {
      {"im2col", lathe::ConvolutionRoute::im2col}, {"onednn", lathe::ConvolutionRoute::onednn}};
  for (const Layer& layer : kLayers) {
    for (const auto& [pass_name, pass] : passes) {
      for (const auto& [route_name, route] : routes) {
        const std::string name = std::string(layer.name) + "/" + pass_name + "/" + route_name;
        benchmark::RegisterBenchmark(name.c_str(), run, layer, pass, route)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
