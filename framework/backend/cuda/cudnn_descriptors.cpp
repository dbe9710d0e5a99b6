#include "backend/cuda/cudnn_descriptors.h"

#include <climits>
#include <cstdint>

#include "core/error.h"

namespace lathe::cuda {

void set_nchw(cudnnTensorDescriptor_t descriptor, int n, int c, int h, int w,
              const char* operation) {
  const std::int64_t values = std::int64_t{n} * c * h * w;
  LATHE_CHECK(values <= INT_MAX, "cuda ", operation, ": a ", n, "x", c, "x", h, "x", w,
              " tensor has ", values, " values, more than cuDNN indexes (2^31 - 1)");
  cudnn_check(
      cudnnSetTensor4dDescriptor(descriptor, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w),
      "cudnnSetTensor4dDescriptor", operation);
}

void set_filter(cudnnFilterDescriptor_t descriptor, int out_channels, int in_channels, int height,
                int width, const char* operation) {
  cudnn_check(cudnnSetFilter4dDescriptor(descriptor, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW,
                                         out_channels, in_channels, height, width),
              "cudnnSetFilter4dDescriptor", operation);
}

void set_convolution(cudnnConvolutionDescriptor_t descriptor, int padding, int stride,
                     const char* operation) {
  cudnn_check(cudnnSetConvolution2dDescriptor(descriptor, padding, padding, stride, stride,
                                              /*dilation_h=*/1, /*dilation_w=*/1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
              "cudnnSetConvolution2dDescriptor", operation);
  cudnn_check(cudnnSetConvolutionMathType(descriptor, CUDNN_FMA_MATH),
              "cudnnSetConvolutionMathType", operation);
}

}  // namespace lathe::cuda
