// Max pooling on the u8 codes that chained int8 layers hand on (NHWC), built only with
// LATHE_WITH_ONEDNN (only the int8 layers there write such codes). It equals the
// simulated path's float max pooling followed by the next quantiser: rounding to a grid,
// clamping and the ReLU are all monotone (never decreasing), so the code of the largest
// value is the largest code. Padding cells are left out of a window, as the CPU backend's
// max pooling does. A loop of its own (maxima over the window's rows, one vectorised pass
// over a whole row, then over its columns): vgg_small's two poolings took 0.78 ms in
// oneDNN 2.6's u8 pooling_max (jit_int) and take 0.34 ms so, lenet5's 0.53 and 0.27 ms
// (batch 128, 1 thread, one run on a loaded machine: ONEDNN_VERBOSE and perf).
#pragma once

#include <cstdint>
#include <memory>

#include "backend/backend.h"

namespace lathe::onednn {

class U8MaxPooling {
 public:
  // `g`'s batch is ignored (set per forward).
  explicit U8MaxPooling(const Pool2dGeometry& g);
  ~U8MaxPooling();
  U8MaxPooling(const U8MaxPooling&) = delete;
  U8MaxPooling& operator=(const U8MaxPooling&) = delete;

  // input: batch x H x W x C codes; output: batch x OH x OW x C codes.
  void forward(int batch, const std::uint8_t* input, std::uint8_t* output, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
