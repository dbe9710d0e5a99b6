// Pooling: max pooling by kernels.h (it keeps backend.h's argmax contract, which cuDNN's
// max pooling has no notion of), average pooling by avgpool.h.
#include <climits>
#include <cstdint>

#include "backend/cuda/avgpool.h"
#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

// The CPU backend's checks (backend/cpu/pooling.cpp): padding up to half the kernel
// leaves every window at least one input cell.
void check_geometry(const Pool2dGeometry& g) {
  LATHE_CHECK(g.batch >= 0 && g.channels > 0 && g.in_height > 0 && g.in_width > 0 && g.kernel > 0 &&
                  g.stride > 0 && g.padding >= 0 && 2 * g.padding <= g.kernel &&
                  g.in_height + 2 * g.padding >= g.kernel && g.in_width + 2 * g.padding >= g.kernel,
              "cuda pooling: invalid geometry: batch ", g.batch, ", ", g.channels, "x", g.in_height,
              "x", g.in_width, " input, kernel ", g.kernel, ", stride ", g.stride, ", padding ",
              g.padding, " (at most half the kernel)");
}

}  // namespace

void CudaBackend::maxpool_forward(const Pool2dGeometry& g, const float* input, float* output,
                                  std::int32_t* argmax) {
  check_geometry(g);
  LATHE_CHECK(std::int64_t{g.in_height} * g.in_width <= INT32_MAX, "cuda maxpool: a ", g.in_height,
              "x", g.in_width, " plane has more cells than an int32 argmax can index");
  if (g.batch == 0) return;
  use_device();
  launch_maxpool_forward(stream_.get(), g, input, output, argmax);
}

void CudaBackend::maxpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                   const std::int32_t* argmax, float* grad_input) {
  check_geometry(g);
  if (g.batch == 0) return;
  use_device();
  launch_maxpool_backward(stream_.get(), g, grad_output, argmax, grad_input);
}

void CudaBackend::avgpool_forward(const Pool2dGeometry& g, const float* input, float* output) {
  check_geometry(g);
  if (g.batch == 0) return;
  use_device();
  launch_avgpool_forward(stream_.get(), g, input, output);
}

void CudaBackend::avgpool_backward(const Pool2dGeometry& g, const float* grad_output,
                                   float* grad_input) {
  check_geometry(g);
  if (g.batch == 0) return;
  use_device();
  launch_avgpool_backward(stream_.get(), g, grad_output, grad_input);
}

}  // namespace lathe::cuda
