// cuDNN descriptors as owned objects (created once, destroyed with their owner) and the
// setters the backend's operations use. A descriptor is only a shape: the backend keeps
// a few and sets them again for each call, which costs a host function call.
#pragma once

#include <cudnn.h>

#include "backend/cuda/cuda_check.h"

namespace lathe::cuda {

template <class Handle, cudnnStatus_t (*Create)(Handle*), cudnnStatus_t (*Destroy)(Handle)>
class CudnnDescriptor {
 public:
  CudnnDescriptor() { cudnn_check(Create(&handle_), "cudnnCreate*Descriptor"); }
  ~CudnnDescriptor() { Destroy(handle_); }
  CudnnDescriptor(const CudnnDescriptor&) = delete;
  CudnnDescriptor& operator=(const CudnnDescriptor&) = delete;

  [[nodiscard]] Handle get() const { return handle_; }

 private:
  Handle handle_ = nullptr;
};

using TensorDescriptor = CudnnDescriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor,
                                         cudnnDestroyTensorDescriptor>;
using FilterDescriptor = CudnnDescriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor,
                                         cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    CudnnDescriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                    cudnnDestroyConvolutionDescriptor>;
using ActivationDescriptor =
    CudnnDescriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor,
                    cudnnDestroyActivationDescriptor>;

// A dense NCHW float tensor. cuDNN's legacy descriptors index with int: a tensor of 2^31
// or more values is a lathe::Error naming `operation`.
void set_nchw(cudnnTensorDescriptor_t descriptor, int n, int c, int h, int w,
              const char* operation);
// Weights O x C x kh x kw, NCHW.
void set_filter(cudnnFilterDescriptor_t descriptor, int out_channels, int in_channels, int height,
                int width, const char* operation);
// Symmetric padding and stride, no dilation, cross-correlation (what Conv2d computes) in
// FP32 with FMA math: CUDNN_DEFAULT_MATH lets cuDNN run FP32 convolutions as TF32 on
// Ampere and newer, whose 10-bit mantissa would break the CPU comparison.
void set_convolution(cudnnConvolutionDescriptor_t descriptor, int padding, int stride,
                     const char* operation);

}  // namespace lathe::cuda
