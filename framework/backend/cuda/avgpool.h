// Average pooling kernels (avgpool.cu), written here rather than taken from cuDNN:
// cudnnPoolingBackward takes the forward input and output as well as the output
// gradient, and nothing documents that average pooling ignores them, while
// Backend::avgpool_backward has only the gradient. Both kernels add in the CPU backend's
// order (backend/cpu/pooling.cpp), so their results are bitwise equal to it.
// Plain C++, like kernels.h: the backend's .cpp files include it.
#pragma once

#include "backend/backend.h"
#include "backend/cuda/kernels.h"

namespace lathe::cuda {

// Padding cells count as zeros and in the divisor (count_include_pad). Geometry is
// checked by the caller. Both launch on `stream` and return at once.
void launch_avgpool_forward(cudaStream_t stream, const Pool2dGeometry& g, const float* input,
                            float* output);
// grad_input is overwritten.
void launch_avgpool_backward(cudaStream_t stream, const Pool2dGeometry& g, const float* grad_output,
                             float* grad_input);

}  // namespace lathe::cuda
