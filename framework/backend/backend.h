// The engine's one compute interface. Layers, losses and optimisers call these
// operations and nothing else, so a second backend (CUDA, in backend/cuda/, built only
// when the toolkit is found) is a second implementation of this class, checked op by op
// against the CPU one. Pointers are to the backend's own memory; shapes are explicit.
// All tensors are float32, row-major, NCHW for images. This folder must never depend on
// nn/, data/ or io/.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "tensor/device_memory.h"

namespace lathe {

struct Conv2dGeometry {
  int batch = 0;
  int in_channels = 0;
  int in_height = 0;
  int in_width = 0;
  int out_channels = 0;
  int kernel_height = 0;
  int kernel_width = 0;
  int stride = 1;
  int padding = 0;

  [[nodiscard]] int out_height() const { return (in_height + 2 * padding - kernel_height) / stride + 1; }
  [[nodiscard]] int out_width() const { return (in_width + 2 * padding - kernel_width) / stride + 1; }
};

struct Pool2dGeometry {
  int batch = 0;
  int channels = 0;
  int in_height = 0;
  int in_width = 0;
  int kernel = 2;
  int stride = 2;
  int padding = 0;

  [[nodiscard]] int out_height() const { return (in_height + 2 * padding - kernel) / stride + 1; }
  [[nodiscard]] int out_width() const { return (in_width + 2 * padding - kernel) / stride + 1; }
};

// One integer grid of fake quantisation (nn::QuantGrid is its source):
// code = clamp(round(clamp(x, clamp_low, clamp_high) / scale) + zero_point, min_code,
// max_code) with round half away from zero and a true division (no reciprocal), and the
// result scale * (code - zero_point). Backends must agree bit for bit.
struct FakeQuantGrid {
  float scale = 1.0F;
  int zero_point = 0;
  int min_code = 0;
  int max_code = 255;
  float clamp_low = -std::numeric_limits<float>::infinity();
  float clamp_high = std::numeric_limits<float>::infinity();
};

// One Gaussian of the weight-sharing prior (docs/methods.md M2), in the form the per-weight
// loop needs: offset = log pi - log sqrt(2 pi sigma^2), inverse_variance = 1 / sigma^2.
struct MixtureComponent {
  double mean = 0.0;
  double inverse_variance = 1.0;
  double offset = 0.0;
};

// Sums over the weights of the mixture prior's terms, per component j, with
// r_ij = pi_j N(w_i | mu_j) / sum_k pi_k N(w_i | mu_k) and d_ij = w_i - mu_j:
//   nll = -sum_i log sum_j pi_j N(w_i | mu_j, sigma_j^2)
//   mean_gradient[j] = -sum_i r_ij d_ij / sigma_j^2          (d nll / d mu_j)
//   log_variance_gradient[j] = sum_i r_ij (1 - d_ij^2 / sigma_j^2) / 2
//   responsibility[j] = sum_i r_ij
// Accumulated in double, in fixed blocks added in order, so a run is reproducible.
struct MixturePriorSums {
  double nll = 0.0;
  std::vector<double> mean_gradient;
  std::vector<double> log_variance_gradient;
  std::vector<double> responsibility;
};

// Batchnorm over N x C x S values (S = H*W for 2d, 1 for 1d): statistics per channel.
struct BatchNormGeometry {
  int batch = 0;
  int channels = 0;
  int spatial = 1;
};

class Backend {
 public:
  virtual ~Backend() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;

  // Where this backend's operands live: null for host memory (the CPU backend), else
  // the device memory that tensors are placed in before this backend may touch them.
  [[nodiscard]] virtual DeviceMemory* memory() const { return nullptr; }
  // Returns once every operation issued so far has finished (a GPU queues them): for
  // timing. Operations that return values to the host wait by themselves.
  virtual void synchronize() {}

  // Threads this backend may use for one operation (CPU: OpenMP, BLAS and oneDNN
  // threads). The count belongs to this object: the CPU backend applies it to the calling
  // thread for each op and restores the caller's setting after, so backends with
  // different counts can share a process, and a thread.
  virtual void set_threads(int threads) = 0;
  [[nodiscard]] virtual int threads() const = 0;

  // ---- dense algebra ----
  // C[m x n] = alpha * op(A) * op(B) + beta * C, row-major; op(A) is m x k, op(B) k x n.
  virtual void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c,
                    int ldc) = 0;
  // y[r, :] += bias for each of `rows` rows of `cols` values.
  virtual void add_bias_rows(int rows, int cols, const float* bias, float* y) = 0;
  // bias_grad[c] (+)= sum over rows of dy[r, c]; accumulates when `accumulate`.
  virtual void sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) = 0;

  // Inference: y [batch x out] = max(0, x W^T + b) for x [batch x in], W [out x in]
  // (PyTorch's layout) and b [out] or null: one pass where the backend can (the CPU
  // backend's oneDNN post-op), by default gemm, add_bias_rows and relu_forward.
  virtual void linear_forward_relu(int batch, int in_features, int out_features, const float* x,
                                   const float* weight, const float* bias, float* y) {
    gemm(false, true, batch, out_features, in_features, 1.0F, x, in_features, weight, in_features,
         0.0F, y, out_features);
    if (bias != nullptr) add_bias_rows(batch, out_features, bias, y);
    relu_forward(std::int64_t{batch} * out_features, y, y);
  }

  // ---- convolution (weights O x C x kh x kw, optional bias O) ----
  // `bias` may be null. Output is N x O x OH x OW.
  virtual void conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight,
                              const float* bias, float* output) = 0;
  // Inference: conv2d_forward followed by max(0, y), as one pass where the backend can
  // (the CPU backend's oneDNN post-op); by default the two ops one after the other.
  virtual void conv2d_forward_relu(const Conv2dGeometry& g, const float* input,
                                   const float* weight, const float* bias, float* output) {
    conv2d_forward(g, input, weight, bias, output);
    relu_forward(std::int64_t{g.batch} * g.out_channels * g.out_height() * g.out_width(), output,
                 output);
  }
  // grad_input = d loss / d input (overwritten).
  virtual void conv2d_backward_data(const Conv2dGeometry& g, const float* grad_output,
                                    const float* weight, float* grad_input) = 0;
  // grad_weight and grad_bias (nullable) are accumulated into when `accumulate`, else
  // overwritten.
  virtual void conv2d_backward_filter(const Conv2dGeometry& g, const float* input,
                                      const float* grad_output, float* grad_weight,
                                      float* grad_bias, bool accumulate) = 0;

  // ---- pooling ----
  // argmax holds, per output, the flat index of the chosen input within its (n, c) plane.
  virtual void maxpool_forward(const Pool2dGeometry& g, const float* input, float* output,
                               std::int32_t* argmax) = 0;
  virtual void maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                const std::int32_t* argmax, float* grad_input) = 0;
  // Average over the window; padding cells count as zeros and in the divisor
  // (PyTorch's count_include_pad=True).
  virtual void avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) = 0;
  virtual void avgpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                float* grad_input) = 0;

  // ---- batch normalisation ----
  // Training: normalise with the batch's mean and biased variance, save mean and
  // 1/sqrt(var + eps) for backward, and update running stats with
  // running = (1 - momentum) * running + momentum * batch (unbiased variance), as PyTorch.
  virtual void batchnorm_forward_training(const BatchNormGeometry& g, const float* x,
                                          const float* gamma, const float* beta, float epsilon,
                                          float momentum, float* y, float* saved_mean,
                                          float* saved_inv_std, float* running_mean,
                                          float* running_var) = 0;
  virtual void batchnorm_forward_inference(const BatchNormGeometry& g, const float* x,
                                           const float* gamma, const float* beta,
                                           const float* running_mean, const float* running_var,
                                           float epsilon, float* y) = 0;
  // dx overwritten; dgamma and dbeta accumulated when `accumulate`, else overwritten.
  virtual void batchnorm_backward(const BatchNormGeometry& g, const float* x, const float* dy,
                                  const float* gamma, const float* saved_mean,
                                  const float* saved_inv_std, float* dx, float* dgamma,
                                  float* dbeta, bool accumulate) = 0;

  // ---- elementwise ----
  virtual void relu_forward(std::int64_t n, const float* x, float* y) = 0;
  // dx = dy where y > 0, else 0 (y is the forward output).
  virtual void relu_backward(std::int64_t n, const float* y, const float* dy, float* dx) = 0;
  virtual void add(std::int64_t n, const float* a, const float* b, float* out) = 0;
  // y += alpha * x
  virtual void axpy(std::int64_t n, float alpha, const float* x, float* y) = 0;
  virtual void copy(std::int64_t n, const float* x, float* y) = 0;
  virtual void fill(std::int64_t n, float value, float* y) = 0;
  // Inverted dropout: keep each element with probability 1 - p and scale it by 1/(1-p).
  // The keep decision for element i is a pure function of (seed, i), so every backend
  // draws the same mask. mask receives 0 or 1/(1-p).
  virtual void dropout_forward(std::int64_t n, float p, std::uint64_t seed, const float* x,
                               float* y, float* mask) = 0;
  // dx = dy * mask
  virtual void multiply(std::int64_t n, const float* a, const float* b, float* out) = 0;

  // ---- loss ----
  // Mean softmax cross-entropy over the batch. Writes d loss / d logits (already divided
  // by the batch) into grad_logits when it is non-null; adds the number of correct argmax
  // predictions to *correct when non-null. Returns the mean loss. Labels outside
  // [0, classes) are a lathe::Error.
  virtual float softmax_cross_entropy(int batch, int classes, const float* logits,
                                      const std::int32_t* labels, float* grad_logits,
                                      int* correct) = 0;

  // ---- quantisation (docs/methods.md M3) ----
  // Per row of a rows x cols matrix, its smallest and largest value, written to HOST
  // arrays of `rows` floats (they are read by host code that sets quantisation ranges).
  virtual void min_max_rows(int rows, std::int64_t cols, const float* x, float* row_min,
                            float* row_max) = 0;
  // y = the fake-quantised x, row r using grids[r] (or grids[0] for every row when there
  // is one grid). `grids` is host memory; x and y may be the same array.
  virtual void fake_quantize(int rows, std::int64_t cols, const float* x,
                             std::span<const FakeQuantGrid> grids, float* y) = 0;
  // The straight-through estimator: dx = dy where low <= x <= high, else 0.
  virtual void fake_quantize_backward(std::int64_t n, const float* x, float low, float high,
                                      const float* dy, float* dx) = 0;

  // ---- weight sharing (docs/methods.md M2) ----
  // The mixture prior over n weights (see MixturePriorSums); writes d nll / d w_i into
  // weight_grad (overwritten) when it is non-null. `components` is host memory.
  virtual MixturePriorSums mixture_prior(std::int64_t n, const float* weights,
                                         std::span<const MixtureComponent> components,
                                         float* weight_grad) = 0;

  // ---- distillation ----
  // Per row: p = softmax(student / T), q = softmax(teacher / T), in double. Returns the
  // mean over the batch of KL(q || p). When grad_logits is non-null, each of its values
  // becomes keep_scale * grad + soft_scale * (p - q).
  virtual double distillation_kl(int batch, int classes, const float* student,
                                 const float* teacher, float temperature, float keep_scale,
                                 float soft_scale, float* grad_logits) = 0;

  // ---- optimiser updates (in place, over n parameters) ----
  // PyTorch's SGD: g' = g + wd * w; v = momentum * v + g'; w -= lr * (nesterov ? g' +
  // momentum * v : v).
  virtual void sgd_update(std::int64_t n, float lr, float momentum, float weight_decay,
                          bool nesterov, float* weight, const float* grad, float* velocity) = 0;
  // PyTorch's Adam (L2 weight decay added to the gradient); step counts from 1.
  virtual void adam_update(std::int64_t n, float lr, float beta1, float beta2, float epsilon,
                           float weight_decay, std::int64_t step, float* weight, const float* grad,
                           float* first_moment, float* second_moment) = 0;
};

// The CPU backend (Eigen, with a tuned BLAS for GEMM where the build found one).
std::unique_ptr<Backend> make_cpu_backend(int threads);

}  // namespace lathe
