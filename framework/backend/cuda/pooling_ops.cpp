// Pooling: max pooling by kernels.h (it keeps backend.h's argmax contract, which cuDNN's
// max pooling has no notion of), average pooling by avgpool.h.
#include <climits>
#include <cstdint>

#include "backend/cuda/avgpool.h"
#include "backend/cuda/cuda_backend.h"
#include "backend/geometry_checks.h"
#include "core/error.h"

namespace lathe::cuda {
void CudaBackend::maxpool_forward(const Pool2dGeometry& g, const float* input, float* output,
                                  std::int32_t* argmax) {
  check_pool2d_geometry(g, "cuda");
  LATHE_CHECK(std::int64_t{g.in_height} * g.in_width <= INT32_MAX, "cuda maxpool: a ", g.in_height,
              "x", g.in_width, " plane has more cells than an int32 argmax can index");
  if (g.batch == 0) return;
  use_device();
  launch_maxpool_forward(stream_.get(), g, input, output, argmax);
}

void CudaBackend::maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                   const std::int32_t* argmax, float* grad_input) {
  check_pool2d_geometry(g, "cuda");
  if (g.batch == 0) return;
  use_device();
  launch_maxpool_backward(stream_.get(), g, grad_output, argmax, grad_input);
}

void CudaBackend::avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) {
  check_pool2d_geometry(g, "cuda");
  if (g.batch == 0) return;
  use_device();
  launch_avgpool_forward(stream_.get(), g, input, output);
}

void CudaBackend::avgpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                   float* grad_input) {
  check_pool2d_geometry(g, "cuda");
  if (g.batch == 0) return;
  use_device();
  launch_avgpool_backward(stream_.get(), g, grad_output, grad_input);
}

}  // namespace lathe::cuda
