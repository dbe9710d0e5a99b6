// The CUDA implementation of lathe::Backend: cuBLAS for GEMM, cuDNN for convolution,
// batchnorm and ReLU, hand-written kernels (kernels.h, avgpool.h) for the rest. Every
// operation is queued on one non-blocking stream of its own, so operations return before
// the GPU finishes unless they hand a value to the host; synchronize() waits.
//
// FP32 throughout: cuBLAS in CUBLAS_DEFAULT_MATH (no TF32 unless the environment forces
// it) and cuDNN convolutions in CUDNN_FMA_MATH, because tests compare every op with the
// CPU backend within FP32 tolerances. With options.deterministic (the default), cuDNN's
// algorithms are its deterministic ones, chosen by heuristics rather than by timing, and
// cuBLAS may not use atomics, so one seed gives the same bits run after run.
//
// The ops live in files named after their family (dense_ops.cpp, conv2d_ops.cpp, ...);
// this class owns the stream, the library handles, the memory and the scratch buffers.
//
// Lifetime: tensors placed in memory() must be released before the backend is destroyed.
// One thread at a time may call a backend's operations (one stream, one cuDNN handle).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "backend/backend.h"
#include "backend/cuda/conv_algorithms.h"
#include "backend/cuda/cuda_memory.h"
#include "backend/cuda/cudnn_descriptors.h"
#include "backend/cuda/device_buffers.h"
#include "backend/cuda/kernels.h"
#include "backend/cuda_support.h"

namespace lathe::cuda {

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(const CudaBackendOptions& options);
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  [[nodiscard]] std::string_view name() const override { return "cuda"; }
  [[nodiscard]] DeviceMemory* memory() const override { return memory_.get(); }
  [[nodiscard]] CudaMemory& cuda_memory() { return *memory_; }
  void synchronize() override;
  // Kept and reported, without effect: a GPU's parallelism is not a thread count.
  void set_threads(int threads) override;
  [[nodiscard]] int threads() const override { return threads_; }
  [[nodiscard]] int device() const { return device_; }
  [[nodiscard]] bool deterministic() const { return deterministic_; }

  void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a,
            int lda, const float* b, int ldb, float beta, float* c, int ldc) override;
  void add_bias_rows(int rows, int cols, const float* bias, float* y) override;
  void sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) override;

  void conv2d_forward(const Conv2dGeometry& g, const float* input, const float* weight,
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

  // The reduction scratch every reducing kernel gets, at least this large.
  static constexpr std::size_t kMinReductionScratchBytes = std::size_t{64} * 1024;

 private:
  struct StreamDeleter {
    void operator()(CUstream_st* stream) const noexcept { cudaStreamDestroy(stream); }
  };
  struct CublasDeleter {
    void operator()(cublasContext* handle) const noexcept { cublasDestroy(handle); }
  };
  struct CudnnDeleter {
    void operator()(cudnnContext* handle) const noexcept { cudnnDestroy(handle); }
  };

  // C = beta * C for a row-major m x n matrix: the GEMM of an empty product (k = 0).
  void scale_rows(int m, int n, float beta, float* c, int ldc);
  // Makes this backend's device the calling thread's current one (the thread that built
  // the backend may not be the one that runs it).
  void use_device() const;
  // The convolution workspace, grown to `bytes`; false when the device has no room.
  bool reserve_workspace(std::size_t bytes);
  // Sets input_descriptor_ to N x C x S x 1 and channel_descriptor_ to 1 x C x 1 x 1.
  void set_batchnorm_descriptors(const BatchNormGeometry& g, const char* operation);
  // Sets the convolution descriptors for `g` (batch > 0).
  ConvDescriptors set_conv_descriptors(const Conv2dGeometry& g, const char* operation);
  // Scratch for a reducing kernel: the device part and its pinned host mirror, both at
  // least max(kMinReductionScratchBytes, bytes).
  ReductionScratch reduction_scratch(std::size_t bytes);
  // Copies `bytes` from the host into `buffer` (queued on the stream; the host side may be
  // reused on return) and returns its device address. Kernels queued before the next
  // upload into the same buffer read these values: stream order keeps them apart.
  const void* upload(GrowingDeviceBuffer& buffer, const void* host, std::size_t bytes,
                     const char* operation);

  int device_;
  bool deterministic_;
  int threads_ = 1;

  // Declared in the order they are built; destroyed in reverse: scratch goes back to the
  // memory, the memory frees its blocks, then the handles and last the stream they use.
  std::unique_ptr<CUstream_st, StreamDeleter> stream_;
  std::unique_ptr<cublasContext, CublasDeleter> cublas_;
  std::unique_ptr<cudnnContext, CudnnDeleter> cudnn_;
  std::unique_ptr<CudaMemory> memory_;
  GrowingDeviceBuffer workspace_;         // cuDNN convolution workspace
  GrowingDeviceBuffer reduction_device_;  // ReductionScratch::device
  PinnedHostBuffer reduction_host_;       // ReductionScratch::host
  GrowingDeviceBuffer grids_;             // fake_quantize's FakeQuantGrid values
  GrowingDeviceBuffer components_;        // mixture_prior's MixtureComponent values

  TensorDescriptor input_descriptor_;
  TensorDescriptor output_descriptor_;
  TensorDescriptor channel_descriptor_;  // 1 x C x 1 x 1: conv bias, batchnorm parameters
  FilterDescriptor filter_descriptor_;
  ConvolutionDescriptor convolution_descriptor_;
  ActivationDescriptor relu_descriptor_;
  ConvAlgorithmCache conv_algorithms_;
  // The epsilon of the last forward training pass that saved into each saved_inv_std
  // buffer, for cuDNN's backward call (see batchnorm_ops.cpp).
  std::unordered_map<const float*, float> batchnorm_epsilons_;
};

}  // namespace lathe::cuda
