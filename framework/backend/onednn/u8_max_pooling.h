// Max pooling on the u8 codes that chained int8 layers hand on (NHWC, oneDNN's
// pooling_max), built only with LATHE_WITH_ONEDNN. It equals the simulated path's float
// max pooling followed by the next quantiser: rounding to a grid, clamping and the ReLU
// are all monotone (never decreasing), so the code of the largest value is the largest
// code. Padding cells are left out of a window, as the CPU backend's max pooling does.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "backend/backend.h"

namespace lathe::onednn {

class U8MaxPooling {
 public:
  // `g`'s batch is ignored (set per forward). why_not(g) must be "".
  explicit U8MaxPooling(const Pool2dGeometry& g);
  ~U8MaxPooling();
  U8MaxPooling(const U8MaxPooling&) = delete;
  U8MaxPooling& operator=(const U8MaxPooling&) = delete;

  // Why codes cannot be pooled so ("" when they can): a window leaving input rows or
  // columns unread would need a negative padding.
  static std::string why_not(const Pool2dGeometry& g);

  // input: batch x H x W x C codes; output: batch x OH x OW x C codes.
  void forward(int batch, const std::uint8_t* input, std::uint8_t* output, int threads);
  [[nodiscard]] std::string implementation(int batch, int threads);

 private:
  struct Cache;
  std::unique_ptr<Cache> cache_;
};

}  // namespace lathe::onednn
