// Fake quantisation (docs/methods.md M3): row ranges, the fake-quantised forward and the
// straight-through backward, by the kernels of kernels.h.
#include <cstddef>
#include <type_traits>

#include "backend/cuda/cuda_backend.h"
#include "core/error.h"

namespace lathe::cuda {

static_assert(std::is_trivially_copyable_v<FakeQuantGrid>,
              "FakeQuantGrid is copied to the device byte for byte");

void CudaBackend::min_max_rows(int rows, std::int64_t cols, const float* x, float* row_min,
                               float* row_max) {
  LATHE_CHECK(rows >= 0 && cols >= 0, "cuda min_max_rows: invalid ", rows, " x ", cols, " matrix");
  if (rows == 0) return;
  use_device();
  // Room for a min and a max per row in double, should the kernel stage them there.
  const ReductionScratch scratch =
      reduction_scratch(static_cast<std::size_t>(rows) * 2 * sizeof(double));
  cuda::min_max_rows(stream_.get(), scratch, rows, cols, x, row_min, row_max);
}

void CudaBackend::fake_quantize(int rows, std::int64_t cols, const float* x,
                                std::span<const FakeQuantGrid> grids, float* y) {
  LATHE_CHECK(rows >= 0 && cols >= 0, "cuda fake_quantize: invalid ", rows, " x ", cols, " matrix");
  LATHE_CHECK(grids.size() == 1 || grids.size() == static_cast<std::size_t>(rows),
              "cuda fake_quantize: ", grids.size(), " grids for ", rows,
              " rows (one grid, or one per row)");
  if (rows == 0 || cols == 0) return;
  use_device();
  const auto* device_grids = static_cast<const FakeQuantGrid*>(
      upload(grids_, grids.data(), grids.size_bytes(), "fake_quantize"));
  launch_fake_quantize(stream_.get(), rows, cols, x, device_grids, static_cast<int>(grids.size()),
                       y);
}

void CudaBackend::fake_quantize_backward(std::int64_t n, const float* x, float low, float high,
                                         const float* dy, float* dx) {
  LATHE_CHECK(n >= 0, "cuda fake_quantize_backward: negative length ", n);
  if (n == 0) return;
  use_device();
  launch_fake_quantize_backward(stream_.get(), n, x, low, high, dy, dx);
}

}  // namespace lathe::cuda
