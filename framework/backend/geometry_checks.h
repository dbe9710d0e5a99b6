// The geometries every backend accepts, checked in one place so that the CPU and CUDA
// backends refuse the same inputs with the same message (prefixed by the backend's name).
#pragma once

#include <string_view>

#include "backend/backend.h"
#include "core/error.h"

namespace lathe {

inline void check_conv2d_geometry(const Conv2dGeometry& g, std::string_view backend) {
  const bool positive = g.batch >= 0 && g.in_channels > 0 && g.in_height > 0 && g.in_width > 0 &&
                        g.out_channels > 0 && g.kernel_height > 0 && g.kernel_width > 0 &&
                        g.stride > 0 && g.padding >= 0;
  LATHE_CHECK(positive && g.in_height + 2 * g.padding >= g.kernel_height &&
                  g.in_width + 2 * g.padding >= g.kernel_width,
              backend, " conv2d: invalid geometry: batch ", g.batch, ", ", g.in_channels, "x",
              g.in_height, "x", g.in_width, " input, ", g.out_channels, " outputs, ",
              g.kernel_height, "x", g.kernel_width, " kernel, stride ", g.stride, ", padding ",
              g.padding);
}

// Padding up to half the kernel (PyTorch's limit) leaves every window at least one
// input cell, so a max is always defined.
inline void check_pool2d_geometry(const Pool2dGeometry& g, std::string_view backend) {
  LATHE_CHECK(g.batch >= 0 && g.channels > 0 && g.in_height > 0 && g.in_width > 0 && g.kernel > 0 &&
                  g.stride > 0 && g.padding >= 0 && 2 * g.padding <= g.kernel &&
                  g.in_height + 2 * g.padding >= g.kernel && g.in_width + 2 * g.padding >= g.kernel,
              backend, " pooling: invalid geometry: batch ", g.batch, ", ", g.channels, "x",
              g.in_height, "x", g.in_width, " input, kernel ", g.kernel, ", stride ", g.stride,
              ", padding ", g.padding, " (at most half the kernel)");
}

inline void check_batchnorm_geometry(const BatchNormGeometry& g, std::string_view backend) {
  LATHE_CHECK(g.batch > 0 && g.channels > 0 && g.spatial > 0, backend,
              " batchnorm: invalid geometry: batch ", g.batch, ", channels ", g.channels,
              ", spatial ", g.spatial);
}

}  // namespace lathe
