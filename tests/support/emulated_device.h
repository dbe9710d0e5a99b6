// A stand-in for a GPU backend on machines without one: the CPU backend's arithmetic on
// operands that must live in a separate "device" memory. Every operand pointer an
// operation receives is checked to lie inside a live allocation of that memory, and host
// code reading a placed tensor fails (Tensor::values), so a CPU-only CI run proves that
// the engine keeps a fine-tune's tensors on the backend and hands it no host pointers,
// which is what the CUDA backend needs and what a GPU would otherwise be the first to
// notice. Results equal the CPU backend's bit for bit.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <memory>
#include <span>
#include <string_view>

#include "backend/backend.h"
#include "core/error.h"
#include "tensor/device_memory.h"

namespace lathe::test {

class EmulatedDeviceMemory final : public DeviceMemory {
 public:
  ~EmulatedDeviceMemory() override {
    for (auto& [address, bytes] : live_) std::free(reinterpret_cast<void*>(address));
  }
  [[nodiscard]] std::string_view name() const override { return "emulated-device"; }
  void* allocate(std::size_t bytes) override {
    void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (p == nullptr) fail("emulated device: out of memory for ", bytes, " bytes");
    live_[reinterpret_cast<std::uintptr_t>(p)] = bytes;
    return p;
  }
  void release(void* pointer, std::size_t bytes) noexcept override {
    const auto found = live_.find(reinterpret_cast<std::uintptr_t>(pointer));
    if (found == live_.end() || found->second != bytes) {
      std::fprintf(stderr, "emulated device: release of %zu bytes not allocated here\n", bytes);
      std::abort();
    }
    live_.erase(found);
    std::free(pointer);
  }
  void copy_to_device(void* destination, const void* host, std::size_t bytes) override {
    expect_inside(destination, bytes, "copy_to_device destination");
    std::memcpy(destination, host, bytes);
    ++uploads_;
  }
  void copy_to_host(void* host, const void* source, std::size_t bytes) override {
    expect_inside(source, bytes, "copy_to_host source");
    std::memcpy(host, source, bytes);
    ++downloads_;
  }
  void copy_on_device(void* destination, const void* source, std::size_t bytes) override {
    expect_inside(destination, bytes, "copy_on_device destination");
    expect_inside(source, bytes, "copy_on_device source");
    std::memcpy(destination, source, bytes);
  }
  void fill_floats(float* destination, std::size_t count, float value) override {
    expect_inside(destination, count * sizeof(float), "fill destination");
    std::fill_n(destination, count, value);
  }

  // Whether [p, p + bytes) lies inside one live allocation.
  [[nodiscard]] bool contains(const void* p, std::size_t bytes = 1) const {
    const auto address = reinterpret_cast<std::uintptr_t>(p);
    auto after = live_.upper_bound(address);
    if (after == live_.begin()) return false;
    const auto& [start, size] = *std::prev(after);
    return address + bytes <= start + size;
  }
  [[nodiscard]] std::size_t live_allocations() const { return live_.size(); }
  [[nodiscard]] std::int64_t uploads() const { return uploads_; }
  [[nodiscard]] std::int64_t downloads() const { return downloads_; }

 private:
  void expect_inside(const void* p, std::size_t bytes, const char* what) const {
    LATHE_CHECK(contains(p, bytes), "emulated device: ", what, " is not device memory");
  }
  std::map<std::uintptr_t, std::size_t> live_;
  std::int64_t uploads_ = 0;
  std::int64_t downloads_ = 0;
};

class EmulatedDeviceBackend final : public Backend {
 public:
  EmulatedDeviceBackend() : cpu_(make_cpu_backend(1)) {}
  [[nodiscard]] std::string_view name() const override { return "emulated-device"; }
  [[nodiscard]] DeviceMemory* memory() const override { return &memory_; }
  [[nodiscard]] EmulatedDeviceMemory& device() const { return memory_; }
  void set_threads(int threads) override { cpu_->set_threads(threads); }
  [[nodiscard]] int threads() const override { return cpu_->threads(); }

  void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) override {
    in_device("gemm", "a", a);
    in_device("gemm", "b", b);
    in_device("gemm", "c", c);
    cpu_->gemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  void add_bias_rows(int rows, int cols, const float* bias, float* y) override {
    in_device("add_bias_rows", "bias", bias);
    in_device("add_bias_rows", "y", y);
    cpu_->add_bias_rows(rows, cols, bias, y);
  }
  void sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) override {
    in_device("sum_rows", "dy", dy);
    in_device("sum_rows", "bias_grad", bias_grad);
    cpu_->sum_rows(rows, cols, dy, bias_grad, accumulate);
  }
  void conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight, const float* bias, float* output) override {
    in_device("conv2d_forward", "input", input);
    in_device("conv2d_forward", "weight", weight);
    in_device("conv2d_forward", "bias", bias);
    in_device("conv2d_forward", "output", output);
    cpu_->conv2d_forward(g, input, weight, bias, output);
  }
  void linear_forward_relu(int batch, int in_features, int out_features, const float* x, const float* weight, const float* bias, float* y) override {
    in_device("linear_forward_relu", "x", x);
    in_device("linear_forward_relu", "weight", weight);
    in_device("linear_forward_relu", "bias", bias);
    in_device("linear_forward_relu", "y", y);
    cpu_->linear_forward_relu(batch, in_features, out_features, x, weight, bias, y);
  }
  void conv2d_forward_relu(const Conv2dGeometry& g, const float* input, const float* weight, const float* bias, float* output) override {
    in_device("conv2d_forward_relu", "input", input);
    in_device("conv2d_forward_relu", "weight", weight);
    in_device("conv2d_forward_relu", "bias", bias);
    in_device("conv2d_forward_relu", "output", output);
    cpu_->conv2d_forward_relu(g, input, weight, bias, output);
  }
  void conv2d_backward_data(const Conv2dGeometry& g, const float* grad_output, const float* weight, float* grad_input) override {
    in_device("conv2d_backward_data", "grad_output", grad_output);
    in_device("conv2d_backward_data", "weight", weight);
    in_device("conv2d_backward_data", "grad_input", grad_input);
    cpu_->conv2d_backward_data(g, grad_output, weight, grad_input);
  }
  void conv2d_backward_filter(const Conv2dGeometry& g, const float* input, const float* grad_output, float* grad_weight, float* grad_bias, bool accumulate) override {
    in_device("conv2d_backward_filter", "input", input);
    in_device("conv2d_backward_filter", "grad_output", grad_output);
    in_device("conv2d_backward_filter", "grad_weight", grad_weight);
    in_device("conv2d_backward_filter", "grad_bias", grad_bias);
    cpu_->conv2d_backward_filter(g, input, grad_output, grad_weight, grad_bias, accumulate);
  }
  void maxpool_forward(const Pool2dGeometry& g, const float* input, float* output, std::int32_t* argmax) override {
    in_device("maxpool_forward", "input", input);
    in_device("maxpool_forward", "output", output);
    in_device("maxpool_forward", "argmax", argmax);
    cpu_->maxpool_forward(g, input, output, argmax);
  }
  void maxpool_backward(const Pool2dGeometry& g, const float* grad_output, const std::int32_t* argmax, float* grad_input) override {
    in_device("maxpool_backward", "grad_output", grad_output);
    in_device("maxpool_backward", "argmax", argmax);
    in_device("maxpool_backward", "grad_input", grad_input);
    cpu_->maxpool_backward(g, grad_output, argmax, grad_input);
  }
  void avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) override {
    in_device("avgpool_forward", "input", input);
    in_device("avgpool_forward", "output", output);
    cpu_->avgpool_forward(g, input, output);
  }
  void avgpool_backward(const Pool2dGeometry& g, const float* grad_output, float* grad_input) override {
    in_device("avgpool_backward", "grad_output", grad_output);
    in_device("avgpool_backward", "grad_input", grad_input);
    cpu_->avgpool_backward(g, grad_output, grad_input);
  }
  void batchnorm_forward_training(const BatchNormGeometry& g, const float* x, const float* gamma, const float* beta, float epsilon, float momentum, float* y, float* saved_mean, float* saved_inv_std, float* running_mean, float* running_var) override {
    in_device("batchnorm_forward_training", "x", x);
    in_device("batchnorm_forward_training", "gamma", gamma);
    in_device("batchnorm_forward_training", "beta", beta);
    in_device("batchnorm_forward_training", "y", y);
    in_device("batchnorm_forward_training", "saved_mean", saved_mean);
    in_device("batchnorm_forward_training", "saved_inv_std", saved_inv_std);
    in_device("batchnorm_forward_training", "running_mean", running_mean);
    in_device("batchnorm_forward_training", "running_var", running_var);
    cpu_->batchnorm_forward_training(g, x, gamma, beta, epsilon, momentum, y, saved_mean, saved_inv_std, running_mean, running_var);
  }
  void batchnorm_forward_inference(const BatchNormGeometry& g, const float* x, const float* gamma, const float* beta, const float* running_mean, const float* running_var, float epsilon, float* y) override {
    in_device("batchnorm_forward_inference", "x", x);
    in_device("batchnorm_forward_inference", "gamma", gamma);
    in_device("batchnorm_forward_inference", "beta", beta);
    in_device("batchnorm_forward_inference", "running_mean", running_mean);
    in_device("batchnorm_forward_inference", "running_var", running_var);
    in_device("batchnorm_forward_inference", "y", y);
    cpu_->batchnorm_forward_inference(g, x, gamma, beta, running_mean, running_var, epsilon, y);
  }
  void batchnorm_backward(const BatchNormGeometry& g, const float* x, const float* dy, const float* gamma, const float* saved_mean, const float* saved_inv_std, float* dx, float* dgamma, float* dbeta, bool accumulate) override {
    in_device("batchnorm_backward", "x", x);
    in_device("batchnorm_backward", "dy", dy);
    in_device("batchnorm_backward", "gamma", gamma);
    in_device("batchnorm_backward", "saved_mean", saved_mean);
    in_device("batchnorm_backward", "saved_inv_std", saved_inv_std);
    in_device("batchnorm_backward", "dx", dx);
    in_device("batchnorm_backward", "dgamma", dgamma);
    in_device("batchnorm_backward", "dbeta", dbeta);
    cpu_->batchnorm_backward(g, x, dy, gamma, saved_mean, saved_inv_std, dx, dgamma, dbeta, accumulate);
  }
  void relu_forward(std::int64_t n, const float* x, float* y) override {
    in_device("relu_forward", "x", x);
    in_device("relu_forward", "y", y);
    cpu_->relu_forward(n, x, y);
  }
  void relu_backward(std::int64_t n, const float* y, const float* dy, float* dx) override {
    in_device("relu_backward", "y", y);
    in_device("relu_backward", "dy", dy);
    in_device("relu_backward", "dx", dx);
    cpu_->relu_backward(n, y, dy, dx);
  }
  void add(std::int64_t n, const float* a, const float* b, float* out) override {
    in_device("add", "a", a);
    in_device("add", "b", b);
    in_device("add", "out", out);
    cpu_->add(n, a, b, out);
  }
  void axpy(std::int64_t n, float alpha, const float* x, float* y) override {
    in_device("axpy", "x", x);
    in_device("axpy", "y", y);
    cpu_->axpy(n, alpha, x, y);
  }
  void copy(std::int64_t n, const float* x, float* y) override {
    in_device("copy", "x", x);
    in_device("copy", "y", y);
    cpu_->copy(n, x, y);
  }
  void fill(std::int64_t n, float value, float* y) override {
    in_device("fill", "y", y);
    cpu_->fill(n, value, y);
  }
  void dropout_forward(std::int64_t n, float p, std::uint64_t seed, const float* x, float* y, float* mask) override {
    in_device("dropout_forward", "x", x);
    in_device("dropout_forward", "y", y);
    in_device("dropout_forward", "mask", mask);
    cpu_->dropout_forward(n, p, seed, x, y, mask);
  }
  void multiply(std::int64_t n, const float* a, const float* b, float* out) override {
    in_device("multiply", "a", a);
    in_device("multiply", "b", b);
    in_device("multiply", "out", out);
    cpu_->multiply(n, a, b, out);
  }
  float softmax_cross_entropy(int batch, int classes, const float* logits, const std::int32_t* labels, float* grad_logits, int* correct) override {
    in_device("softmax_cross_entropy", "logits", logits);
    in_device("softmax_cross_entropy", "labels", labels);
    in_device("softmax_cross_entropy", "grad_logits", grad_logits);
    return cpu_->softmax_cross_entropy(batch, classes, logits, labels, grad_logits, correct);
  }
  void min_max_rows(int rows, std::int64_t cols, const float* x, float* row_min, float* row_max) override {
    in_device("min_max_rows", "x", x);
    cpu_->min_max_rows(rows, cols, x, row_min, row_max);
  }
  void fake_quantize(int rows, std::int64_t cols, const float* x, std::span<const FakeQuantGrid> grids, float* y) override {
    in_device("fake_quantize", "x", x);
    in_device("fake_quantize", "y", y);
    cpu_->fake_quantize(rows, cols, x, grids, y);
  }
  void fake_quantize_backward(std::int64_t n, const float* x, float low, float high, const float* dy, float* dx) override {
    in_device("fake_quantize_backward", "x", x);
    in_device("fake_quantize_backward", "dy", dy);
    in_device("fake_quantize_backward", "dx", dx);
    cpu_->fake_quantize_backward(n, x, low, high, dy, dx);
  }
  MixturePriorSums mixture_prior(std::int64_t n, const float* weights, std::span<const MixtureComponent> components, float* weight_grad) override {
    in_device("mixture_prior", "weights", weights);
    in_device("mixture_prior", "weight_grad", weight_grad);
    return cpu_->mixture_prior(n, weights, components, weight_grad);
  }
  double distillation_kl(int batch, int classes, const float* student, const float* teacher, float temperature, float keep_scale, float soft_scale, float* grad_logits) override {
    in_device("distillation_kl", "student", student);
    in_device("distillation_kl", "teacher", teacher);
    in_device("distillation_kl", "grad_logits", grad_logits);
    return cpu_->distillation_kl(batch, classes, student, teacher, temperature, keep_scale, soft_scale, grad_logits);
  }
  void sgd_update(std::int64_t n, float lr, float momentum, float weight_decay, bool nesterov, float* weight, const float* grad, float* velocity) override {
    in_device("sgd_update", "weight", weight);
    in_device("sgd_update", "grad", grad);
    in_device("sgd_update", "velocity", velocity);
    cpu_->sgd_update(n, lr, momentum, weight_decay, nesterov, weight, grad, velocity);
  }
  void adam_update(std::int64_t n, float lr, float beta1, float beta2, float epsilon, float weight_decay, std::int64_t step, float* weight, const float* grad, float* first_moment, float* second_moment) override {
    in_device("adam_update", "weight", weight);
    in_device("adam_update", "grad", grad);
    in_device("adam_update", "first_moment", first_moment);
    in_device("adam_update", "second_moment", second_moment);
    cpu_->adam_update(n, lr, beta1, beta2, epsilon, weight_decay, step, weight, grad, first_moment, second_moment);
  }

 private:
  // Null operands are allowed (optional outputs); anything else must be device memory.
  void in_device(const char* op, const char* operand, const void* p) const {
    LATHE_CHECK(p == nullptr || memory_.contains(p), "emulated device: ", op, "(", operand,
                ") was handed a pointer outside device memory");
  }
  std::unique_ptr<Backend> cpu_;
  mutable EmulatedDeviceMemory memory_;
};

}  // namespace lathe::test
