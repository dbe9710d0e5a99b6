// Helpers shared by the CPU backend's op files; private to backend/cpu/.
#pragma once

#include <omp.h>

#include <cstdint>

namespace lathe::cpu {

// Runs one backend op under the backend's thread count: sets the calling thread's OpenMP
// nthreads (an ICV of the calling thread, read by OpenMP loops, OpenBLAS's OpenMP build,
// Eigen and oneDNN) and restores the caller's on the way out.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : threads_(threads), saved_(omp_get_max_threads()) {
    if (saved_ != threads_) omp_set_num_threads(threads_);
  }
  ~ThreadScope() {
    if (saved_ != threads_) omp_set_num_threads(saved_);
  }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int threads_;
  int saved_;
};

// Below this many elements a loop runs on one thread: waking the OpenMP team costs
// more than the loop itself (a few microseconds against ~10 ns per 32 floats).
inline constexpr std::int64_t kParallelElements = std::int64_t{1} << 15;

// C[m x n] = alpha * op(A) * op(B) + beta * C, row-major: cblas_sgemm when the build
// found OpenBLAS, else an Eigen product. beta == 0 overwrites C without reading it.
// Outside a parallel region both libraries thread it over the threads set_threads chose;
// inside an active one (conv2d.cpp's batch split) both run it on the calling thread only:
// OpenBLAS's OpenMP build checks omp_in_parallel(), Eigen omp_get_num_threads().
void gemm_row_major(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                    const float* a, int lda, const float* b, int ldb, float beta, float* c,
                    int ldc);

}  // namespace lathe::cpu
