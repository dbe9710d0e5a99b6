// Dense algebra: GEMM (OpenBLAS, or Eigen without it) and the bias helpers of linear layers.
#include <algorithm>
#include <array>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"
#include "core/error.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/onednn_inner_products.h"
#endif

#ifdef LATHE_HAVE_OPENBLAS
#include <cblas.h>
#else
#include <Eigen/Core>
#endif

namespace lathe {
namespace cpu {
namespace {

#ifndef LATHE_HAVE_OPENBLAS
using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMatrixView = Eigen::Map<const RowMajorMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;
using MatrixView = Eigen::Map<RowMajorMatrix, Eigen::Unaligned, Eigen::OuterStride<>>;

template <class OpA, class OpB>
void eigen_product(float alpha, const OpA& op_a, const OpB& op_b, float beta, MatrixView& c) {
  // alpha * (A * B) lets Eigen fold alpha into its GEMM kernel instead of a second pass.
  if (beta == 0.0F) {
    c.noalias() = alpha * (op_a * op_b);
    return;
  }
  if (beta != 1.0F) c *= beta;
  c.noalias() += alpha * (op_a * op_b);
}
#endif

}  // namespace

void gemm_row_major(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c,
                    int ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // op(A) * op(B) is all zeros; BLAS would also reject lda = 0 here
    for (int row = 0; row < m; ++row) {
      float* c_row = c + static_cast<std::int64_t>(row) * ldc;
      for (int col = 0; col < n; ++col) c_row[col] = beta == 0.0F ? 0.0F : beta * c_row[col];
    }
    return;
  }
#ifdef LATHE_HAVE_OPENBLAS
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
              transpose_b ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c,
              ldc);
#else
  const ConstMatrixView stored_a(a, transpose_a ? k : m, transpose_a ? m : k,
                                 Eigen::OuterStride<>(lda));
  const ConstMatrixView stored_b(b, transpose_b ? n : k, transpose_b ? k : n,
                                 Eigen::OuterStride<>(ldb));
  MatrixView c_view(c, m, n, Eigen::OuterStride<>(ldc));
  if (transpose_a && transpose_b) {
    eigen_product(alpha, stored_a.transpose(), stored_b.transpose(), beta, c_view);
  } else if (transpose_a) {
    eigen_product(alpha, stored_a.transpose(), stored_b, beta, c_view);
  } else if (transpose_b) {
    eigen_product(alpha, stored_a, stored_b.transpose(), beta, c_view);
  } else {
    eigen_product(alpha, stored_a, stored_b, beta, c_view);
  }
#endif
}

}  // namespace cpu

void CpuBackend::gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                      const float* a, int lda, const float* b, int ldb, float beta, float* c,
                      int ldc) {
  const cpu::ThreadScope thread_scope(threads_);
  LATHE_CHECK(m >= 0 && n >= 0 && k >= 0, "cpu gemm: negative size m=", m, " n=", n, " k=", k);
  const int a_row_length = transpose_a ? m : k;
  const int b_row_length = transpose_b ? k : n;
  LATHE_CHECK(
      lda >= std::max(1, a_row_length) && ldb >= std::max(1, b_row_length) && ldc >= std::max(1, n),
      "cpu gemm: leading dimension shorter than a row: lda=", lda, " (row ", a_row_length,
      "), ldb=", ldb, " (row ", b_row_length, "), ldc=", ldc, " (row ", n, ")");
  cpu::gemm_row_major(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void CpuBackend::linear_forward_relu(int batch, int in_features, int out_features, const float* x,
                                     const float* weight, const float* bias, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
#ifdef LATHE_HAVE_ONEDNN
  if (inner_products_ != nullptr && batch > 0) {
    return inner_products_->forward_relu(batch, in_features, out_features, x, weight, bias, y,
                                         threads_);
  }
#endif
  Backend::linear_forward_relu(batch, in_features, out_features, x, weight, bias, y);
}

void CpuBackend::add_bias_rows(int rows, int cols, const float* bias, float* y) {
  const cpu::ThreadScope thread_scope(threads_);
#pragma omp parallel for if (static_cast<std::int64_t>(rows) * cols >= cpu::kParallelElements)
  for (int row = 0; row < rows; ++row) {
    float* y_row = y + static_cast<std::int64_t>(row) * cols;
    for (int col = 0; col < cols; ++col) y_row[col] += bias[col];
  }
}

void CpuBackend::sum_rows(int rows, int cols, const float* dy, float* bias_grad, bool accumulate) {
  const cpu::ThreadScope thread_scope(threads_);
  // Threads split the columns and each walks every row in order, so each sum is added up
  // in the same order whatever the thread count.
  constexpr int kColumnBlock = 256;
  const int blocks = (cols + kColumnBlock - 1) / kColumnBlock;
#pragma omp parallel for if (static_cast<std::int64_t>(rows) * cols >= cpu::kParallelElements)
  for (int block = 0; block < blocks; ++block) {
    const int begin = block * kColumnBlock;
    const int width = std::min(cols - begin, kColumnBlock);
    std::array<float, kColumnBlock> sums{};
    for (int row = 0; row < rows; ++row) {
      const float* dy_row = dy + static_cast<std::int64_t>(row) * cols + begin;
      for (int col = 0; col < width; ++col) sums[col] += dy_row[col];
    }
    for (int col = 0; col < width; ++col) {
      bias_grad[begin + col] = (accumulate ? bias_grad[begin + col] : 0.0F) + sums[col];
    }
  }
}

}  // namespace lathe
