// The CPU backend's thread count belongs to the backend object: each op runs under it and
// leaves the calling thread's OpenMP setting as it found it, so backends with different
// counts share a process and a thread.
#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <random>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/cpu_kernels.h"

namespace lathe {
namespace {

// Restores the calling thread's OpenMP thread count when a test ends.
class KeepCallersThreads {
 public:
  KeepCallersThreads() : saved_(omp_get_max_threads()) {}
  ~KeepCallersThreads() { omp_set_num_threads(saved_); }
  KeepCallersThreads(const KeepCallersThreads&) = delete;
  KeepCallersThreads& operator=(const KeepCallersThreads&) = delete;

 private:
  int saved_;
};

TEST(CpuBackendThreads, ThreadScopeRunsParallelRegionsWithItsCountAndRestoresTheCallers) {
  const KeepCallersThreads keep;
  omp_set_dynamic(0);  // so a region gets exactly the threads asked for
  omp_set_num_threads(3);
  for (const int threads : {1, 2, 4}) {
    const cpu::ThreadScope scope(threads);
    EXPECT_EQ(omp_get_max_threads(), threads);
    int team = 0;
#pragma omp parallel
    {
#pragma omp single
      team = omp_get_num_threads();
    }
    EXPECT_EQ(team, threads);
  }
  EXPECT_EQ(omp_get_max_threads(), 3);
}

TEST(CpuBackendThreads, BackendsWithDifferentCountsInterleaveOnOneThread) {
  const KeepCallersThreads keep;
  omp_set_num_threads(3);
  CpuBackend one(1);
  CpuBackend two(2);
  EXPECT_EQ(omp_get_max_threads(), 3);  // making a backend changes nothing process-wide

  Conv2dGeometry g;
  g.batch = 8;
  g.in_channels = 8;
  g.in_height = 12;
  g.in_width = 12;
  g.out_channels = 16;
  g.kernel_height = 3;
  g.kernel_width = 3;
  g.padding = 1;
  std::mt19937 generator(5);
  std::uniform_real_distribution<float> uniform(-1.0F, 1.0F);
  std::vector<float> input(static_cast<std::size_t>(g.batch) * 8 * 12 * 12);
  std::vector<float> weight(16 * 8 * 9);
  std::vector<float> grad_output(static_cast<std::size_t>(g.batch) * 16 * 12 * 12);
  for (auto* values : {&input, &weight, &grad_output}) {
    for (float& v : *values) v = uniform(generator);
  }
  const auto filter_gradient = [&](CpuBackend& backend) {
    std::vector<float> grad(weight.size());
    backend.conv2d_backward_filter(g, input.data(), grad_output.data(), grad.data(), nullptr, false);
    EXPECT_EQ(omp_get_max_threads(), 3) << "an op left its count on the calling thread";
    return grad;
  };
  // Alone, then interleaved with the other backend: each gives its own result again,
  // bit for bit, so neither picked up the other's count.
  const std::vector<float> one_alone = filter_gradient(one);
  const std::vector<float> two_alone = filter_gradient(two);
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(filter_gradient(one), one_alone);
    EXPECT_EQ(filter_gradient(two), two_alone);
  }
  EXPECT_EQ(one.threads(), 1);
  EXPECT_EQ(two.threads(), 2);
}

}  // namespace
}  // namespace lathe
