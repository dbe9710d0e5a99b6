// A convolution geometry with a square kernel, for the backend tests that loop over many.
#pragma once

#include "backend/backend.h"

namespace lathe::testing {

inline Conv2dGeometry square_conv_geometry(int batch, int channels, int height, int width,
                                           int outputs, int kernel, int stride, int padding) {
  Conv2dGeometry g;
  g.batch = batch;
  g.in_channels = channels;
  g.in_height = height;
  g.in_width = width;
  g.out_channels = outputs;
  g.kernel_height = kernel;
  g.kernel_width = kernel;
  g.stride = stride;
  g.padding = padding;
  return g;
}

}  // namespace lathe::testing
