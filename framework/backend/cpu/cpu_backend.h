// The CPU implementation of lathe::Backend: OpenMP loops, GEMMs by OpenBLAS (or Eigen
// when the build has no OpenBLAS), convolutions by oneDNN (backend/onednn/, when the build
// found it) or as im2col + GEMM over cache-sized chunks of the batch.
// Every op runs under this backend's own thread count (cpu::ThreadScope), so backends
// with different counts can live in one process, even on one thread.
// The ops live in files named after their job (gemm.cpp, conv2d.cpp, ...); this class
// owns the scratch buffers they reuse, so a training step allocates nothing once the
// buffers have grown to the largest layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "backend/backend.h"

namespace lathe {

#ifdef LATHE_HAVE_ONEDNN
namespace onednn {
class Convolutions;
class InnerProducts;
enum class ConvPass;
}
#endif

// Which code runs the convolutions: `fastest` picks per shape (conv_route.cpp says how
// and why); the others force one path, for tests that compare them. `im2col` keeps
// oneDNN out altogether (linear_forward_relu too).
enum class ConvolutionRoute { fastest, im2col, onednn };

class CpuBackend final : public Backend {
 public:
  // Throws lathe::Error for ConvolutionRoute::onednn in a build without oneDNN.
  explicit CpuBackend(int threads, ConvolutionRoute route = ConvolutionRoute::fastest);
  ~CpuBackend() override;
  CpuBackend(const CpuBackend&) = delete;
  CpuBackend& operator=(const CpuBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return "cpu"; }
  void set_threads(int threads) override;
  [[nodiscard]] int threads() const override { return threads_; }

  void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
            int lda, const float* b, int ldb, float beta, float* c, int ldc) override;
  void add_bias_rows(int rows, int cols, const float* bias, float* y) override;
  void sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) override;
  void linear_forward_relu(int batch, int in_features, int out_features, const float* x,
                           const float* weight, const float* bias, float* y) override;

  void conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight,
                      const float* bias, float* output) override;
  void conv2d_forward_relu(const Conv2dGeometry& g, const float* input, const float* weight,
                           const float* bias, float* output) override;
  void conv2d_backward_data(const Conv2dGeometry& g, const float* grad_output, const float* weight,
                            float* grad_input) override;
  void conv2d_backward_filter(const Conv2dGeometry& g, const float* input, const float* grad_output,
                              float* grad_weight, float* grad_bias, bool accumulate) override;

  void maxpool_forward(const Pool2dGeometry& g, const float* input, float* output,
                       std::int32_t* argmax) override;
  void maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                        const std::int32_t* argmax, float* grad_input) override;
  void avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) override;
  void avgpool_backward(const Pool2dGeometry& g, const float* grad_output,
                        float* grad_input) override;

  void batchnorm_forward_training(const BatchNormGeometry& g, const float* x, const float* gamma,
                                  const float* beta, float epsilon, float momentum, float* y,
                                  float* saved_mean, float* saved_inv_std, float* running_mean,
                                  float* running_var) override;
  void batchnorm_forward_inference(const BatchNormGeometry& g, const float* x, const float* gamma,
                                   const float* beta, const float* running_mean,
                                   const float* running_var, float epsilon, float* y) override;
  void batchnorm_backward(const BatchNormGeometry& g, const float* x, const float* dy,
                          const float* gamma, const float* saved_mean, const float* saved_inv_std,
                          float* dx, float* dgamma, float* dbeta, bool accumulate) override;

  void relu_forward(std::int64_t n, const float* x, float* y) override;
  void relu_backward(std::int64_t n, const float* y, const float* dy, float* dx) override;
  void add(std::int64_t n, const float* a, const float* b, float* out) override;
  void axpy(std::int64_t n, float alpha, const float* x, float* y) override;
  void copy(std::int64_t n, const float* x, float* y) override;
  void fill(std::int64_t n, float value, float* y) override;
  void dropout_forward(std::int64_t n, float p, std::uint64_t seed, const float* x, float* y,
                       float* mask) override;
  void multiply(std::int64_t n, const float* a, const float* b, float* out) override;

  float softmax_cross_entropy(int batch, int classes, const float* logits,
                              const std::int32_t* labels, float* grad_logits,
                              int* correct) override;

  void min_max_rows(int rows, std::int64_t cols, const float* x, float* row_min,
                    float* row_max) override;
  void fake_quantize(int rows, std::int64_t cols, const float* x,
                     std::span<const FakeQuantGrid> grids, float* y) override;
  void fake_quantize_backward(std::int64_t n, const float* x, float low, float high,
                              const float* dy, float* dx) override;
  MixturePriorSums mixture_prior(std::int64_t n, const float* weights,
                                 std::span<const MixtureComponent> components,
                                 float* weight_grad) override;
  double distillation_kl(int batch, int classes, const float* student, const float* teacher,
                         float temperature, float keep_scale, float soft_scale,
                         float* grad_logits) override;

  void sgd_update(std::int64_t n, float lr, float momentum, float weight_decay, bool nesterov,
                  float* weight, const float* grad, float* velocity) override;
  void adam_update(std::int64_t n, float lr, float beta1, float beta2, float epsilon,
                   float weight_decay, std::int64_t step, float* weight, const float* grad,
                   float* first_moment, float* second_moment) override;

 private:
#ifdef LATHE_HAVE_ONEDNN
  // Whether this pass of this geometry goes to oneDNN (conv_route.cpp).
  [[nodiscard]] bool convolves_with_onednn(const Conv2dGeometry& g, onednn::ConvPass pass) const;
#endif

  // One thread's convolution scratch: each thread runs im2col, GEMM and reorders over its
  // own share of the batch.
  struct ConvScratch {
    // im2col patches of a chunk of images [C*kh*kw, images*OH*OW], or their gradient.
    std::vector<float> columns;
    // A chunk's output or output gradient channel-major, [O, images*OH*OW]: the GEMM's
    // side of the reorder to and from NCHW.
    std::vector<float> channel_major;
    // This thread's share of a filter gradient [O, C*kh*kw].
    std::vector<float> weight_gradient;
  };

  // Scratch for `workers` threads, each buffer grown to at least the floats given; grows,
  // never shrinks. Called outside parallel regions, where an allocation may throw.
  ConvScratch* reserve_conv_scratch(int workers, std::size_t columns, std::size_t channel_major,
                                    std::size_t weight_gradient);

  int threads_ = 1;
  ConvolutionRoute route_ = ConvolutionRoute::fastest;
  std::vector<ConvScratch> conv_scratch_;
#ifdef LATHE_HAVE_ONEDNN
  std::unique_ptr<onednn::Convolutions> onednn_;
  std::unique_ptr<onednn::InnerProducts> inner_products_;
#endif
};

}  // namespace lathe
