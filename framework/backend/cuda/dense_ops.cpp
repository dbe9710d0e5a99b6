// Dense algebra: GEMM by cuBLAS, the bias helpers of linear layers by kernels.h.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "core/error.h"

namespace lathe::cuda {

// C = beta * C over m rows of n values (ldc apart): what a GEMM with k == 0 leaves, said
// without relying on how cuBLAS treats k == 0. beta == 0 writes zeros without reading C.
void CudaBackend::scale_rows(int m, int n, float beta, float* c, int ldc) {
  if (beta == 1.0F) return;
  if (beta == 0.0F) {
    cuda_check(cudaMemset2DAsync(c, static_cast<std::size_t>(ldc) * sizeof(float), 0,
                                 static_cast<std::size_t>(n) * sizeof(float),
                                 static_cast<std::size_t>(m), stream_.get()),
               "cudaMemset2DAsync", "gemm with k = 0");
    return;
  }
  for (int row = 0; row < m; ++row) {
    cublas_check(cublasSscal(cublas_.get(), n, &beta, c + static_cast<std::int64_t>(row) * ldc, 1),
                 "cublasSscal", "gemm with k = 0");
  }
}

void CudaBackend::gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                       const float* a, int lda, const float* b, int ldb, float beta, float* c,
                       int ldc) {
  LATHE_CHECK(m >= 0 && n >= 0 && k >= 0, "cuda gemm: negative size m=", m, " n=", n, " k=", k);
  const int a_row_length = transpose_a ? m : k;
  const int b_row_length = transpose_b ? k : n;
  LATHE_CHECK(
      lda >= std::max(1, a_row_length) && ldb >= std::max(1, b_row_length) && ldc >= std::max(1, n),
      "cuda gemm: leading dimension shorter than a row: lda=", lda, " (row ", a_row_length,
      "), ldb=", ldb, " (row ", b_row_length, "), ldc=", ldc, " (row ", n, ")");
  if (m == 0 || n == 0) return;
  use_device();
  if (k == 0) {
    scale_rows(m, n, beta, c, ldc);
    return;
  }
  // cuBLAS is column-major, and a row-major matrix read column-major is its transpose. So
  // the row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T: B first, A
  // second, m and n swapped; each operand keeps its own transpose flag and leading
  // dimension.
  cublas_check(cublasSgemm(cublas_.get(), transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                           transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, n, m, k, &alpha, b, ldb, a, lda,
                           &beta, c, ldc),
               "cublasSgemm", "gemm");
}

void CudaBackend::add_bias_rows(int rows, int cols, const float* bias, float* y) {
  LATHE_CHECK(rows >= 0 && cols >= 0, "cuda add_bias_rows: negative size ", rows, " x ", cols);
  if (rows == 0 || cols == 0) return;
  use_device();
  launch_add_bias_rows(stream_.get(), rows, cols, bias, y);
}

void CudaBackend::sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) {
  LATHE_CHECK(rows >= 0 && cols >= 0, "cuda sum_rows: negative size ", rows, " x ", cols);
  if (cols == 0) return;
  use_device();
  // rows == 0 still writes (zeros, or leaves the accumulated values): the kernel's loop
  // over rows is empty.
  launch_sum_rows(stream_.get(), rows, cols, dy, bias_grad, accumulate);
}

}  // namespace lathe::cuda
