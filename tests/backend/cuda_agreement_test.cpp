// Every operation of backend.h run on the CPU backend (the reference) and on the CUDA
// backend with the same inputs, over generated geometries, compared within the tolerance
// its family states in the table below. Skips, saying why, where there is no GPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <numbers>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cuda_support.h"
#include "core/error.h"
#include "support/gpu_available.h"
#include "tensor/index_buffer.h"
#include "tensor/tensor.h"

namespace lathe {
namespace {

// ---- tolerances, per op family ----
// A value agrees when |cuda - cpu| <= tolerance * (1 + |cpu|): relative for large
// values, absolute near zero. 0 means bit for bit.
struct Tolerances {
  // Pure data movement and selections, defined bit for bit by backend.h: relu, add,
  // multiply, copy, fill, dropout masks and outputs, fake quantisation and its
  // straight-through gradient, min/max, max-pooling's output and argmax, correct counts.
  static constexpr double exact = 0.0;
  // One multiply-add per value, which nvcc may fuse (FMA) where the CPU rounds twice:
  // axpy, bias rows, SGD.
  static constexpr double fused = 1e-6;
  // Sums of a few values in another order: average pooling, max-pooling's backward
  // (overlapping windows add into one input), sum_rows per value of the row count.
  static constexpr double reordered_sum = 1e-6;
  // Adam: a square root and a division per value.
  static constexpr double adam = 1e-5;
  // GEMM and convolutions: times sqrt(k), k the length of each dot product (float sums
  // in another order and blocking; no TF32: the backend must keep full float math).
  static constexpr double dot_per_sqrt_k = 1e-4;
  // Batchnorm: statistics over N*H*W values per channel.
  static constexpr double batchnorm = 1e-4;
  // Softmax cross-entropy: the loss and its gradient (float).
  static constexpr double loss = 1e-5;
  // The mixture prior's sums and distillation's KL: accumulated in double.
  static constexpr double double_sums = 1e-9;
  // Per-value float results of a double computation (prior and distillation gradients).
  static constexpr double float_of_double = 1e-6;
};

using Floats = std::vector<float>;

Floats random_values(std::size_t count, std::mt19937& rng, float low = -1.0F, float high = 1.0F) {
  std::uniform_real_distribution<float> distribution(low, high);
  Floats values(count);
  for (float& v : values) v = distribution(rng);
  return values;
}

int pick(std::mt19937& rng, int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng);
}

// An odd size in [low, high] (odd sizes catch off-by-one tiling and halving).
int odd_size(std::mt19937& rng, int low, int high) { return pick(rng, low / 2, (high - 1) / 2) * 2 + 1; }

// Largest |actual - expected| / (1 + |expected|), with the index where it is.
struct Disagreement {
  double error = 0.0;
  std::size_t index = 0;
};

template <class T>
Disagreement largest_disagreement(const std::vector<T>& actual, const std::vector<T>& expected) {
  Disagreement worst;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double a = static_cast<double>(actual[i]);
    const double e = static_cast<double>(expected[i]);
    // NaN where the other is not, or the two differ: always a disagreement.
    const double error = (std::isnan(a) != std::isnan(e)) ? INFINITY
                         : (a == e)                       ? 0.0
                                                          : std::abs(a - e) / (1.0 + std::abs(e));
    if (error > worst.error || std::isnan(error)) worst = {error, i};
  }
  return worst;
}

template <class T>
void expect_agree(const std::vector<T>& cuda, const std::vector<T>& cpu, double tolerance,
                  const std::string& what) {
  ASSERT_EQ(cuda.size(), cpu.size()) << what;
  const Disagreement worst = largest_disagreement(cuda, cpu);
  EXPECT_LE(worst.error, tolerance)
      << what << ": at [" << worst.index << "] cuda " << cuda[worst.index] << ", cpu "
      << cpu[worst.index] << " (tolerance " << tolerance << ")";
}

void expect_agree(double cuda, double cpu, double tolerance, const std::string& what) {
  expect_agree(std::vector<double>{cuda}, std::vector<double>{cpu}, tolerance, what);
}

// The two backends under comparison.
struct Backends {
  std::unique_ptr<Backend> cpu = make_cpu_backend(1);
  std::unique_ptr<Backend> cuda = make_cuda_backend(CudaBackendOptions{0, true});
};

// One float operand on both sides: host values for the CPU backend and the same values
// in the GPU's memory.
class Operand {
 public:
  Operand(const Floats& values, Backend& cuda)
      : host_(values), device_(Shape{static_cast<std::int64_t>(values.size())}, cuda.memory()) {
    device_.copy_from_host(values);
  }
  Operand(std::size_t count, float value, Backend& cuda) : Operand(Floats(count, value), cuda) {}

  [[nodiscard]] float* cpu() { return host_.data(); }
  [[nodiscard]] float* gpu() { return device_.data(); }
  [[nodiscard]] const Floats& cpu_values() const { return host_; }
  [[nodiscard]] Floats gpu_values() const { return device_.to_host_vector(); }

 private:
  Floats host_;
  Tensor device_;
};

// int32 values (labels, argmax) on both sides.
class IndexOperand {
 public:
  IndexOperand(const std::vector<std::int32_t>& values, Backend& cuda)
      : host_(values), device_(cuda.memory()) {
    device_.assign(values);
  }
  IndexOperand(std::size_t count, Backend& cuda)
      : IndexOperand(std::vector<std::int32_t>(count, -7), cuda) {}

  [[nodiscard]] std::int32_t* cpu() { return host_.data(); }
  [[nodiscard]] std::int32_t* gpu() { return device_.data(); }
  [[nodiscard]] const std::vector<std::int32_t>& cpu_values() const { return host_; }
  // Brings the buffer to the host to read it (a test reads it once, at the end).
  [[nodiscard]] std::vector<std::int32_t> gpu_values() {
    device_.place(nullptr);
    return {device_.data(), device_.data() + device_.size()};
  }

 private:
  std::vector<std::int32_t> host_;
  IndexBuffer device_;
};

template <class Geometry>
std::string describe_conv(const Geometry& g) {
  std::ostringstream text;
  text << "N" << g.batch << " C" << g.in_channels << " " << g.in_height << "x" << g.in_width
       << " O" << g.out_channels << " k" << g.kernel_height << "x" << g.kernel_width << " s"
       << g.stride << " p" << g.padding;
  return text.str();
}

std::string describe_pool(const Pool2dGeometry& g) {
  std::ostringstream text;
  text << "N" << g.batch << " C" << g.channels << " " << g.in_height << "x" << g.in_width << " k"
       << g.kernel << " s" << g.stride << " p" << g.padding;
  return text.str();
}

// ---- dense algebra ----

TEST(CudaAgreement, GemmEveryTransposeWithPaddedLeadingDimensions) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(101);
  for (int round = 0; round < 6; ++round) {
    for (const bool ta : {false, true}) {
      for (const bool tb : {false, true}) {
        const int m = pick(rng, 1, 37), n = pick(rng, 1, 41), k = pick(rng, 1, 300);
        // Stored shapes: A is m x k (k x m when transposed), B k x n (n x k); each row
        // padded by a few unused values (lda > cols).
        const int a_rows = ta ? k : m, a_cols = ta ? m : k;
        const int b_rows = tb ? n : k, b_cols = tb ? k : n;
        const int lda = a_cols + pick(rng, 0, 5), ldb = b_cols + pick(rng, 0, 5);
        const int ldc = n + pick(rng, 0, 5);
        const float alpha = round % 2 == 0 ? 1.0F : -0.75F;
        const float beta = round % 3 == 0 ? 0.0F : 0.5F;  // 0: C's old values must not leak
        Operand a(random_values(static_cast<std::size_t>(a_rows) * lda, rng), *b.cuda);
        Operand bm(random_values(static_cast<std::size_t>(b_rows) * ldb, rng), *b.cuda);
        Floats c0 = random_values(static_cast<std::size_t>(m) * ldc, rng);
        if (beta == 0.0F) std::fill(c0.begin(), c0.end(), NAN);
        Operand c(c0, *b.cuda);
        b.cpu->gemm(ta, tb, m, n, k, alpha, a.cpu(), lda, bm.cpu(), ldb, beta, c.cpu(), ldc);
        b.cuda->gemm(ta, tb, m, n, k, alpha, a.gpu(), lda, bm.gpu(), ldb, beta, c.gpu(), ldc);
        // Only the m x n values (the padding of C is the caller's).
        Floats cpu_c, gpu_c;
        const Floats all_gpu = c.gpu_values();
        for (int r = 0; r < m; ++r) {
          for (int col = 0; col < n; ++col) {
            cpu_c.push_back(c.cpu_values()[static_cast<std::size_t>(r) * ldc + col]);
            gpu_c.push_back(all_gpu[static_cast<std::size_t>(r) * ldc + col]);
          }
        }
        std::ostringstream what;
        what << "gemm ta=" << ta << " tb=" << tb << " m=" << m << " n=" << n << " k=" << k
             << " lda=" << lda << " ldb=" << ldb << " ldc=" << ldc << " beta=" << beta;
        expect_agree(gpu_c, cpu_c, Tolerances::dot_per_sqrt_k * std::sqrt(k), what.str());
      }
    }
  }
}

TEST(CudaAgreement, AddBiasRowsAndSumRows) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(102);
  for (int round = 0; round < 6; ++round) {
    const int rows = pick(rng, 1, 300), cols = pick(rng, 1, 70);
    const auto count = static_cast<std::size_t>(rows) * cols;
    Operand y(random_values(count, rng), *b.cuda);
    Operand bias(random_values(static_cast<std::size_t>(cols), rng), *b.cuda);
    b.cpu->add_bias_rows(rows, cols, bias.cpu(), y.cpu());
    b.cuda->add_bias_rows(rows, cols, bias.gpu(), y.gpu());
    expect_agree(y.gpu_values(), y.cpu_values(), Tolerances::fused, "add_bias_rows");
    for (const bool accumulate : {false, true}) {
      Operand sums(random_values(static_cast<std::size_t>(cols), rng), *b.cuda);
      b.cpu->sum_rows(rows, cols, y.cpu(), sums.cpu(), accumulate);
      b.cuda->sum_rows(rows, cols, y.gpu(), sums.gpu(), accumulate);
      expect_agree(sums.gpu_values(), sums.cpu_values(), Tolerances::reordered_sum * rows,
                   "sum_rows rows=" + std::to_string(rows) + " accumulate=" + std::to_string(accumulate));
    }
  }
}

// ---- convolution ----

// Geometries from a fixed seed: every kernel size with strides 1 and 2, paddings 0-2,
// batch 1 and 7, odd spatial sizes and channel counts.
std::vector<Conv2dGeometry> conv_geometries() {
  std::mt19937 rng(103);
  std::vector<Conv2dGeometry> geometries;
  for (const int kernel : {1, 3, 5}) {
    for (const int stride : {1, 2}) {
      for (const int padding : {0, 1, 2}) {
        for (const int batch : {1, 7}) {
          Conv2dGeometry g;
          g.batch = batch;
          g.in_channels = pick(rng, 1, 9);
          g.out_channels = pick(rng, 1, 13);
          g.in_height = odd_size(rng, std::max(kernel, 3), 15);
          g.in_width = odd_size(rng, std::max(kernel, 3), 15);
          g.kernel_height = kernel;
          g.kernel_width = kernel;
          g.stride = stride;
          g.padding = padding;
          geometries.push_back(g);
        }
      }
    }
  }
  return geometries;
}

std::size_t input_count(const Conv2dGeometry& g) {
  return static_cast<std::size_t>(g.batch) * g.in_channels * g.in_height * g.in_width;
}
std::size_t output_count(const Conv2dGeometry& g) {
  return static_cast<std::size_t>(g.batch) * g.out_channels * g.out_height() * g.out_width();
}
std::size_t weight_count(const Conv2dGeometry& g) {
  return static_cast<std::size_t>(g.out_channels) * g.in_channels * g.kernel_height * g.kernel_width;
}

TEST(CudaAgreement, Conv2dForwardWithAndWithoutBias) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(104);
  for (const Conv2dGeometry& g : conv_geometries()) {
    Operand input(random_values(input_count(g), rng), *b.cuda);
    Operand weight(random_values(weight_count(g), rng), *b.cuda);
    Operand bias(random_values(static_cast<std::size_t>(g.out_channels), rng), *b.cuda);
    const int k = g.in_channels * g.kernel_height * g.kernel_width;
    for (const bool with_bias : {true, false}) {
      Operand output(output_count(g), NAN, *b.cuda);
      b.cpu->conv2d_forward(g, input.cpu(), weight.cpu(), with_bias ? bias.cpu() : nullptr, output.cpu());
      b.cuda->conv2d_forward(g, input.gpu(), weight.gpu(), with_bias ? bias.gpu() : nullptr, output.gpu());
      expect_agree(output.gpu_values(), output.cpu_values(), Tolerances::dot_per_sqrt_k * std::sqrt(k),
                   "conv2d_forward " + describe_conv(g) + (with_bias ? " bias" : " no bias"));
    }
  }
}

TEST(CudaAgreement, Conv2dBackwardData) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(105);
  for (const Conv2dGeometry& g : conv_geometries()) {
    Operand grad_output(random_values(output_count(g), rng), *b.cuda);
    Operand weight(random_values(weight_count(g), rng), *b.cuda);
    Operand grad_input(input_count(g), NAN, *b.cuda);  // overwritten, never read
    b.cpu->conv2d_backward_data(g, grad_output.cpu(), weight.cpu(), grad_input.cpu());
    b.cuda->conv2d_backward_data(g, grad_output.gpu(), weight.gpu(), grad_input.gpu());
    const int k = g.out_channels * g.kernel_height * g.kernel_width;
    expect_agree(grad_input.gpu_values(), grad_input.cpu_values(),
                 Tolerances::dot_per_sqrt_k * std::sqrt(k), "conv2d_backward_data " + describe_conv(g));
  }
}

TEST(CudaAgreement, Conv2dBackwardFilterOverwritingAndAccumulating) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(106);
  for (const Conv2dGeometry& g : conv_geometries()) {
    Operand input(random_values(input_count(g), rng), *b.cuda);
    Operand grad_output(random_values(output_count(g), rng), *b.cuda);
    const int k = g.batch * g.out_height() * g.out_width();
    for (const bool accumulate : {false, true}) {
      for (const bool with_bias : {true, false}) {
        // Overwriting must ignore the old values (NaN would show); accumulating adds to them.
        const float old = accumulate ? 0.0F : NAN;
        Floats start_weight = random_values(weight_count(g), rng);
        Floats start_bias = random_values(static_cast<std::size_t>(g.out_channels), rng);
        if (!accumulate) {
          std::fill(start_weight.begin(), start_weight.end(), old);
          std::fill(start_bias.begin(), start_bias.end(), old);
        }
        Operand grad_weight(start_weight, *b.cuda);
        Operand grad_bias(start_bias, *b.cuda);
        b.cpu->conv2d_backward_filter(g, input.cpu(), grad_output.cpu(), grad_weight.cpu(),
                                      with_bias ? grad_bias.cpu() : nullptr, accumulate);
        b.cuda->conv2d_backward_filter(g, input.gpu(), grad_output.gpu(), grad_weight.gpu(),
                                       with_bias ? grad_bias.gpu() : nullptr, accumulate);
        const std::string what = describe_conv(g) + " accumulate=" + std::to_string(accumulate);
        expect_agree(grad_weight.gpu_values(), grad_weight.cpu_values(),
                     Tolerances::dot_per_sqrt_k * std::sqrt(k), "conv2d_backward_filter weight " + what);
        if (with_bias) {
          expect_agree(grad_bias.gpu_values(), grad_bias.cpu_values(),
                       Tolerances::dot_per_sqrt_k * std::sqrt(k), "conv2d_backward_filter bias " + what);
        }
      }
    }
  }
}

// ---- pooling ----

std::vector<Pool2dGeometry> pool_geometries() {
  std::mt19937 rng(107);
  std::vector<Pool2dGeometry> geometries;
  // kernel, stride, padding: the usual 2/2, overlapping 3/2 and 3/1 with padding, 5/2.
  const int shapes[][3] = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {5, 2, 2}, {2, 1, 0}};
  for (const auto& shape : shapes) {
    for (const int batch : {1, 7}) {
      Pool2dGeometry g;
      g.batch = batch;
      g.channels = pick(rng, 1, 11);
      g.in_height = odd_size(rng, shape[0] + 1, 17);
      g.in_width = odd_size(rng, shape[0] + 1, 17);
      g.kernel = shape[0];
      g.stride = shape[1];
      g.padding = shape[2];
      geometries.push_back(g);
    }
  }
  return geometries;
}

std::size_t input_count(const Pool2dGeometry& g) {
  return static_cast<std::size_t>(g.batch) * g.channels * g.in_height * g.in_width;
}
std::size_t output_count(const Pool2dGeometry& g) {
  return static_cast<std::size_t>(g.batch) * g.channels * g.out_height() * g.out_width();
}

TEST(CudaAgreement, MaxPoolForwardArgmaxAndBackward) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(108);
  for (const Pool2dGeometry& g : pool_geometries()) {
    Operand input(random_values(input_count(g), rng), *b.cuda);
    Operand output(output_count(g), NAN, *b.cuda);
    IndexOperand argmax(output_count(g), *b.cuda);
    b.cpu->maxpool_forward(g, input.cpu(), output.cpu(), argmax.cpu());
    b.cuda->maxpool_forward(g, input.gpu(), output.gpu(), argmax.gpu());
    expect_agree(output.gpu_values(), output.cpu_values(), Tolerances::exact,
                 "maxpool_forward " + describe_pool(g));

    Operand grad_output(random_values(output_count(g), rng), *b.cuda);
    Operand grad_input(input_count(g), NAN, *b.cuda);
    b.cpu->maxpool_backward(g, grad_output.cpu(), argmax.cpu(), grad_input.cpu());
    b.cuda->maxpool_backward(g, grad_output.gpu(), argmax.gpu(), grad_input.gpu());
    expect_agree(grad_input.gpu_values(), grad_input.cpu_values(), Tolerances::reordered_sum * g.kernel,
                 "maxpool_backward " + describe_pool(g));
    expect_agree(argmax.gpu_values(), argmax.cpu_values(), Tolerances::exact,
                 "maxpool_forward argmax " + describe_pool(g));
  }
}

TEST(CudaAgreement, AvgPoolForwardAndBackward) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(109);
  for (const Pool2dGeometry& g : pool_geometries()) {
    Operand input(random_values(input_count(g), rng), *b.cuda);
    Operand output(output_count(g), NAN, *b.cuda);
    b.cpu->avgpool_forward(g, input.cpu(), output.cpu());
    b.cuda->avgpool_forward(g, input.gpu(), output.gpu());
    expect_agree(output.gpu_values(), output.cpu_values(), Tolerances::reordered_sum * g.kernel,
                 "avgpool_forward " + describe_pool(g));
    Operand grad_output(random_values(output_count(g), rng), *b.cuda);
    Operand grad_input(input_count(g), NAN, *b.cuda);
    b.cpu->avgpool_backward(g, grad_output.cpu(), grad_input.cpu());
    b.cuda->avgpool_backward(g, grad_output.gpu(), grad_input.gpu());
    expect_agree(grad_input.gpu_values(), grad_input.cpu_values(), Tolerances::reordered_sum * g.kernel,
                 "avgpool_backward " + describe_pool(g));
  }
}

// ---- batch normalisation ----

std::vector<BatchNormGeometry> batchnorm_geometries() {
  // 2d (spatial H*W) and 1d (spatial 1) at batch 1 and 7; batch 1 needs spatial > 1.
  return {{1, 3, 25}, {7, 5, 49}, {7, 16, 1}, {2, 1, 9}, {7, 11, 15}, {3, 64, 1}};
}

std::size_t value_count(const BatchNormGeometry& g) {
  return static_cast<std::size_t>(g.batch) * g.channels * g.spatial;
}

std::string describe(const BatchNormGeometry& g) {
  return "N" + std::to_string(g.batch) + " C" + std::to_string(g.channels) + " S" + std::to_string(g.spatial);
}

TEST(CudaAgreement, BatchNormTrainingInferenceAndBackward) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(110);
  const float epsilon = 1e-5F, momentum = 0.1F;
  for (const BatchNormGeometry& g : batchnorm_geometries()) {
    const auto channels = static_cast<std::size_t>(g.channels);
    // Shifted and scaled so the statistics are not trivially 0 and 1.
    Operand x(random_values(value_count(g), rng, -2.0F, 5.0F), *b.cuda);
    Operand gamma(random_values(channels, rng, 0.5F, 1.5F), *b.cuda);
    Operand beta(random_values(channels, rng), *b.cuda);
    Operand running_mean(random_values(channels, rng), *b.cuda);
    Operand running_var(random_values(channels, rng, 0.5F, 2.0F), *b.cuda);
    Operand y(value_count(g), NAN, *b.cuda);
    Operand saved_mean(channels, NAN, *b.cuda);
    Operand saved_inv_std(channels, NAN, *b.cuda);
    b.cpu->batchnorm_forward_training(g, x.cpu(), gamma.cpu(), beta.cpu(), epsilon, momentum, y.cpu(),
                                      saved_mean.cpu(), saved_inv_std.cpu(), running_mean.cpu(),
                                      running_var.cpu());
    b.cuda->batchnorm_forward_training(g, x.gpu(), gamma.gpu(), beta.gpu(), epsilon, momentum, y.gpu(),
                                       saved_mean.gpu(), saved_inv_std.gpu(), running_mean.gpu(),
                                       running_var.gpu());
    const std::string what = describe(g);
    expect_agree(y.gpu_values(), y.cpu_values(), Tolerances::batchnorm, "batchnorm training y " + what);
    expect_agree(saved_mean.gpu_values(), saved_mean.cpu_values(), Tolerances::batchnorm, "saved_mean " + what);
    expect_agree(saved_inv_std.gpu_values(), saved_inv_std.cpu_values(), Tolerances::batchnorm,
                 "saved_inv_std " + what);
    expect_agree(running_mean.gpu_values(), running_mean.cpu_values(), Tolerances::batchnorm,
                 "running_mean " + what);
    expect_agree(running_var.gpu_values(), running_var.cpu_values(), Tolerances::batchnorm,
                 "running_var (unbiased) " + what);

    Operand inference(value_count(g), NAN, *b.cuda);
    b.cpu->batchnorm_forward_inference(g, x.cpu(), gamma.cpu(), beta.cpu(), running_mean.cpu(),
                                       running_var.cpu(), epsilon, inference.cpu());
    b.cuda->batchnorm_forward_inference(g, x.gpu(), gamma.gpu(), beta.gpu(), running_mean.gpu(),
                                        running_var.gpu(), epsilon, inference.gpu());
    expect_agree(inference.gpu_values(), inference.cpu_values(), Tolerances::batchnorm,
                 "batchnorm inference " + what);

    Operand dy(random_values(value_count(g), rng), *b.cuda);
    for (const bool accumulate : {false, true}) {
      Operand dx(value_count(g), NAN, *b.cuda);
      Floats start = random_values(channels, rng);
      if (!accumulate) std::fill(start.begin(), start.end(), NAN);
      Operand dgamma(start, *b.cuda);
      Operand dbeta(start, *b.cuda);
      b.cpu->batchnorm_backward(g, x.cpu(), dy.cpu(), gamma.cpu(), saved_mean.cpu(), saved_inv_std.cpu(),
                                dx.cpu(), dgamma.cpu(), dbeta.cpu(), accumulate);
      b.cuda->batchnorm_backward(g, x.gpu(), dy.gpu(), gamma.gpu(), saved_mean.gpu(), saved_inv_std.gpu(),
                                 dx.gpu(), dgamma.gpu(), dbeta.gpu(), accumulate);
      const std::string how = what + " accumulate=" + std::to_string(accumulate);
      expect_agree(dx.gpu_values(), dx.cpu_values(), Tolerances::batchnorm, "batchnorm dx " + how);
      expect_agree(dgamma.gpu_values(), dgamma.cpu_values(), Tolerances::batchnorm, "batchnorm dgamma " + how);
      expect_agree(dbeta.gpu_values(), dbeta.cpu_values(), Tolerances::batchnorm, "batchnorm dbeta " + how);
    }
  }
}

// ---- elementwise ----

// Odd lengths around the sizes where kernels change their vector width or grid.
const std::int64_t kLengths[] = {1, 7, 1023, 4097, 100003};

TEST(CudaAgreement, ElementwiseOpsAreExact) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(111);
  for (const std::int64_t n : kLengths) {
    const auto count = static_cast<std::size_t>(n);
    const std::string at = " n=" + std::to_string(n);
    Operand x(random_values(count, rng), *b.cuda);
    Operand other(random_values(count, rng), *b.cuda);
    Operand y(count, NAN, *b.cuda);
    b.cpu->relu_forward(n, x.cpu(), y.cpu());
    b.cuda->relu_forward(n, x.gpu(), y.gpu());
    expect_agree(y.gpu_values(), y.cpu_values(), Tolerances::exact, "relu_forward" + at);

    Operand dx(count, NAN, *b.cuda);
    b.cpu->relu_backward(n, y.cpu(), other.cpu(), dx.cpu());
    b.cuda->relu_backward(n, y.gpu(), other.gpu(), dx.gpu());
    expect_agree(dx.gpu_values(), dx.cpu_values(), Tolerances::exact, "relu_backward" + at);

    Operand sum(count, NAN, *b.cuda);
    b.cpu->add(n, x.cpu(), other.cpu(), sum.cpu());
    b.cuda->add(n, x.gpu(), other.gpu(), sum.gpu());
    expect_agree(sum.gpu_values(), sum.cpu_values(), Tolerances::exact, "add" + at);

    Operand product(count, NAN, *b.cuda);
    b.cpu->multiply(n, x.cpu(), other.cpu(), product.cpu());
    b.cuda->multiply(n, x.gpu(), other.gpu(), product.gpu());
    expect_agree(product.gpu_values(), product.cpu_values(), Tolerances::exact, "multiply" + at);

    Operand copied(count, NAN, *b.cuda);
    b.cpu->copy(n, x.cpu(), copied.cpu());
    b.cuda->copy(n, x.gpu(), copied.gpu());
    expect_agree(copied.gpu_values(), copied.cpu_values(), Tolerances::exact, "copy" + at);

    Operand filled(count, NAN, *b.cuda);
    b.cpu->fill(n, -0.375F, filled.cpu());
    b.cuda->fill(n, -0.375F, filled.gpu());
    expect_agree(filled.gpu_values(), filled.cpu_values(), Tolerances::exact, "fill" + at);

    Operand accumulated(random_values(count, rng), *b.cuda);
    b.cpu->axpy(n, -1.3F, x.cpu(), accumulated.cpu());
    b.cuda->axpy(n, -1.3F, x.gpu(), accumulated.gpu());
    expect_agree(accumulated.gpu_values(), accumulated.cpu_values(), Tolerances::fused, "axpy" + at);
  }
}

TEST(CudaAgreement, DropoutDrawsTheSameMaskBitForBit) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(112);
  for (const std::int64_t n : kLengths) {
    for (const float p : {0.0F, 0.1F, 0.5F, 0.9F}) {
      const std::uint64_t seed = 0x5EED0000ULL + static_cast<std::uint64_t>(n);
      const auto count = static_cast<std::size_t>(n);
      Operand x(random_values(count, rng), *b.cuda);
      Operand y(count, NAN, *b.cuda);
      Operand mask(count, NAN, *b.cuda);
      b.cpu->dropout_forward(n, p, seed, x.cpu(), y.cpu(), mask.cpu());
      b.cuda->dropout_forward(n, p, seed, x.gpu(), y.gpu(), mask.gpu());
      const std::string what = " n=" + std::to_string(n) + " p=" + std::to_string(p);
      expect_agree(mask.gpu_values(), mask.cpu_values(), Tolerances::exact, "dropout mask" + what);
      expect_agree(y.gpu_values(), y.cpu_values(), Tolerances::exact, "dropout output" + what);
    }
  }
}

// ---- loss ----

TEST(CudaAgreement, SoftmaxCrossEntropyLossGradientAndCorrectCount) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(113);
  const int shapes[][2] = {{1, 10}, {7, 10}, {128, 10}, {33, 3}, {5, 1000}, {2, 1}};
  for (const auto& shape : shapes) {
    const int batch = shape[0], classes = shape[1];
    const auto count = static_cast<std::size_t>(batch) * classes;
    // Wide logits, so the softmax must subtract the row's maximum to stay finite.
    Operand logits(random_values(count, rng, -30.0F, 30.0F), *b.cuda);
    std::vector<std::int32_t> label_values(static_cast<std::size_t>(batch));
    for (std::int32_t& label : label_values) label = pick(rng, 0, classes - 1);
    IndexOperand labels(label_values, *b.cuda);
    const std::string what = "batch " + std::to_string(batch) + " classes " + std::to_string(classes);
    for (const bool with_outputs : {true, false}) {
      Operand grad(count, NAN, *b.cuda);
      int cpu_correct = 3;  // added to, not overwritten
      int gpu_correct = 3;
      const float cpu_loss = b.cpu->softmax_cross_entropy(batch, classes, logits.cpu(), labels.cpu(),
                                                          with_outputs ? grad.cpu() : nullptr,
                                                          with_outputs ? &cpu_correct : nullptr);
      const float gpu_loss = b.cuda->softmax_cross_entropy(batch, classes, logits.gpu(), labels.gpu(),
                                                           with_outputs ? grad.gpu() : nullptr,
                                                           with_outputs ? &gpu_correct : nullptr);
      expect_agree(gpu_loss, cpu_loss, Tolerances::loss, "softmax_cross_entropy loss " + what);
      EXPECT_EQ(gpu_correct, cpu_correct) << what;
      if (with_outputs) {
        expect_agree(grad.gpu_values(), grad.cpu_values(), Tolerances::loss,
                     "softmax_cross_entropy gradient " + what);
      }
    }
  }
}

TEST(CudaAgreement, SoftmaxCrossEntropyRejectsABadLabelOnBothBackends) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(114);
  for (const std::int32_t bad : {-1, 10, 1000}) {
    Operand logits(random_values(40, rng), *b.cuda);
    IndexOperand labels({0, 3, bad, 9}, *b.cuda);
    Operand grad(40, 0.0F, *b.cuda);
    int correct = 0;
    EXPECT_THROW(b.cpu->softmax_cross_entropy(4, 10, logits.cpu(), labels.cpu(), grad.cpu(), &correct),
                 Error) << "label " << bad;
    EXPECT_THROW(b.cuda->softmax_cross_entropy(4, 10, logits.gpu(), labels.gpu(), grad.gpu(), &correct),
                 Error) << "label " << bad;
  }
  // The backend is still usable after the error.
  Operand logits(random_values(20, rng), *b.cuda);
  IndexOperand labels({1, 2}, *b.cuda);
  EXPECT_TRUE(std::isfinite(b.cuda->softmax_cross_entropy(2, 10, logits.gpu(), labels.gpu(), nullptr, nullptr)));
}

// ---- quantisation ----

TEST(CudaAgreement, MinMaxRowsIsExact) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(115);
  const std::int64_t shapes[][2] = {{1, 1}, {1, 100003}, {6, 25}, {64, 577}, {3, 7}};
  for (const auto& shape : shapes) {
    const int rows = static_cast<int>(shape[0]);
    const std::int64_t cols = shape[1];
    Operand x(random_values(static_cast<std::size_t>(rows * cols), rng, -4.0F, 3.0F), *b.cuda);
    Floats cpu_min(static_cast<std::size_t>(rows)), cpu_max(cpu_min.size());
    Floats gpu_min(cpu_min.size(), NAN), gpu_max(cpu_min.size(), NAN);  // host arrays both
    b.cpu->min_max_rows(rows, cols, x.cpu(), cpu_min.data(), cpu_max.data());
    b.cuda->min_max_rows(rows, cols, x.gpu(), gpu_min.data(), gpu_max.data());
    const std::string what = std::to_string(rows) + " x " + std::to_string(cols);
    expect_agree(gpu_min, cpu_min, Tolerances::exact, "min_max_rows min " + what);
    expect_agree(gpu_max, cpu_max, Tolerances::exact, "min_max_rows max " + what);
  }
}

// Grids as nn::QuantGrid makes them: bit widths 2-8, symmetric and asymmetric, with and
// without a clamp range.
std::vector<FakeQuantGrid> grids(std::mt19937& rng, int count) {
  std::vector<FakeQuantGrid> made;
  for (int i = 0; i < count; ++i) {
    const int bits = pick(rng, 2, 8);
    FakeQuantGrid g;
    if (i % 2 == 0) {
      g.min_code = -(1 << (bits - 1)) + 1;
      g.max_code = (1 << (bits - 1)) - 1;
      g.zero_point = 0;
    } else {
      g.min_code = 0;
      g.max_code = (1 << bits) - 1;
      g.zero_point = pick(rng, 0, g.max_code);
    }
    g.scale = std::uniform_real_distribution<float>(0.003F, 0.2F)(rng);
    if (i % 3 == 0) {
      g.clamp_low = -0.6F;
      g.clamp_high = 0.7F;
    }
    made.push_back(g);
  }
  return made;
}

TEST(CudaAgreement, FakeQuantizeIsBitForBitWithOneGridAndPerRowGrids) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(116);
  const std::int64_t shapes[][2] = {{1, 7}, {6, 25}, {64, 577}, {1, 100003}, {13, 9}};
  for (const auto& shape : shapes) {
    const int rows = static_cast<int>(shape[0]);
    const std::int64_t cols = shape[1];
    const auto count = static_cast<std::size_t>(rows * cols);
    Floats values = random_values(count, rng, -1.5F, 1.5F);
    // Values exactly half way between codes, where rounding half away from zero matters.
    for (std::size_t i = 0; i < count; i += 5) values[i] = (static_cast<float>(i % 9) - 4.0F + 0.5F) * 0.125F;
    for (const bool per_row : {false, true}) {
      std::vector<FakeQuantGrid> used = grids(rng, per_row ? rows : 1);
      if (!per_row) used[0].scale = 0.125F;  // the half-way values above sit on its grid's midpoints
      const std::string what = std::to_string(rows) + " x " + std::to_string(cols) +
                               (per_row ? " per-row grids" : " one grid");
      Operand x(values, *b.cuda);
      Operand y(count, NAN, *b.cuda);
      b.cpu->fake_quantize(rows, cols, x.cpu(), used, y.cpu());
      b.cuda->fake_quantize(rows, cols, x.gpu(), used, y.gpu());
      expect_agree(y.gpu_values(), y.cpu_values(), Tolerances::exact, "fake_quantize " + what);
      // In place (x and y the same array).
      b.cpu->fake_quantize(rows, cols, x.cpu(), used, x.cpu());
      b.cuda->fake_quantize(rows, cols, x.gpu(), used, x.gpu());
      expect_agree(x.gpu_values(), x.cpu_values(), Tolerances::exact, "fake_quantize in place " + what);
    }
  }
}

TEST(CudaAgreement, FakeQuantizeBackwardPassesTheGradientInsideTheRange) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(117);
  for (const std::int64_t n : kLengths) {
    const auto count = static_cast<std::size_t>(n);
    Floats values = random_values(count, rng, -2.0F, 2.0F);
    values[0] = -1.0F;  // the bounds themselves pass
    values[count - 1] = 1.25F;
    Operand x(values, *b.cuda);
    Operand dy(random_values(count, rng), *b.cuda);
    Operand dx(count, NAN, *b.cuda);
    b.cpu->fake_quantize_backward(n, x.cpu(), -1.0F, 1.25F, dy.cpu(), dx.cpu());
    b.cuda->fake_quantize_backward(n, x.gpu(), -1.0F, 1.25F, dy.gpu(), dx.gpu());
    expect_agree(dx.gpu_values(), dx.cpu_values(), Tolerances::exact,
                 "fake_quantize_backward n=" + std::to_string(n));
  }
}

// ---- weight sharing ----

std::vector<MixtureComponent> mixture(std::mt19937& rng, int count) {
  std::vector<MixtureComponent> components;
  std::vector<double> weights(static_cast<std::size_t>(count));
  double total = 0.0;
  for (double& w : weights) total += (w = std::uniform_real_distribution<double>(0.1, 1.0)(rng));
  for (int j = 0; j < count; ++j) {
    const double mean = j == 0 ? 0.0 : std::uniform_real_distribution<double>(-0.8, 0.8)(rng);
    const double sigma = std::uniform_real_distribution<double>(0.01, 0.3)(rng);
    const double pi = weights[static_cast<std::size_t>(j)] / total;
    components.push_back({mean, 1.0 / (sigma * sigma),
                          std::log(pi) - std::log(std::sqrt(2.0 * std::numbers::pi * sigma * sigma))});
  }
  return components;
}

TEST(CudaAgreement, MixturePriorSumsAndGradient) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(118);
  for (const std::int64_t n : kLengths) {
    for (const int k : {1, 2, 16}) {
      const auto count = static_cast<std::size_t>(n);
      const std::vector<MixtureComponent> components = mixture(rng, k);
      Operand weights(random_values(count, rng), *b.cuda);
      for (const bool with_grad : {true, false}) {
        Operand grad(count, NAN, *b.cuda);
        const MixturePriorSums cpu = b.cpu->mixture_prior(n, weights.cpu(), components,
                                                          with_grad ? grad.cpu() : nullptr);
        const MixturePriorSums gpu = b.cuda->mixture_prior(n, weights.gpu(), components,
                                                           with_grad ? grad.gpu() : nullptr);
        const std::string what = " n=" + std::to_string(n) + " k=" + std::to_string(k);
        expect_agree(gpu.nll, cpu.nll, Tolerances::double_sums, "mixture nll" + what);
        expect_agree(gpu.mean_gradient, cpu.mean_gradient, Tolerances::double_sums, "mixture mean_gradient" + what);
        expect_agree(gpu.log_variance_gradient, cpu.log_variance_gradient, Tolerances::double_sums,
                     "mixture log_variance_gradient" + what);
        expect_agree(gpu.responsibility, cpu.responsibility, Tolerances::double_sums,
                     "mixture responsibility" + what);
        if (with_grad) {
          expect_agree(grad.gpu_values(), grad.cpu_values(), Tolerances::float_of_double,
                       "mixture weight_grad" + what);
        }
      }
    }
  }
}

// ---- distillation ----

TEST(CudaAgreement, DistillationKlAndItsGradient) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(119);
  const int shapes[][2] = {{1, 10}, {7, 10}, {128, 10}, {5, 1000}, {3, 2}};
  for (const auto& shape : shapes) {
    for (const float temperature : {1.0F, 4.0F}) {
      const int batch = shape[0], classes = shape[1];
      const auto count = static_cast<std::size_t>(batch) * classes;
      Operand student(random_values(count, rng, -8.0F, 8.0F), *b.cuda);
      Operand teacher(random_values(count, rng, -8.0F, 8.0F), *b.cuda);
      const std::string what = "batch " + std::to_string(batch) + " classes " + std::to_string(classes) +
                               " T=" + std::to_string(temperature);
      const double cpu_only = b.cpu->distillation_kl(batch, classes, student.cpu(), teacher.cpu(),
                                                     temperature, 0.3F, 11.2F, nullptr);
      const double gpu_only = b.cuda->distillation_kl(batch, classes, student.gpu(), teacher.gpu(),
                                                      temperature, 0.3F, 11.2F, nullptr);
      expect_agree(gpu_only, cpu_only, Tolerances::double_sums, "distillation_kl without gradient " + what);
      Operand grad(random_values(count, rng), *b.cuda);  // the hard-label gradient, rescaled
      const double cpu_kl = b.cpu->distillation_kl(batch, classes, student.cpu(), teacher.cpu(),
                                                   temperature, 0.3F, 11.2F, grad.cpu());
      const double gpu_kl = b.cuda->distillation_kl(batch, classes, student.gpu(), teacher.gpu(),
                                                    temperature, 0.3F, 11.2F, grad.gpu());
      expect_agree(gpu_kl, cpu_kl, Tolerances::double_sums, "distillation_kl " + what);
      expect_agree(grad.gpu_values(), grad.cpu_values(), Tolerances::float_of_double,
                   "distillation_kl gradient " + what);
    }
  }
}

// ---- optimiser updates ----

TEST(CudaAgreement, SgdUpdateWithAndWithoutNesterov) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(120);
  for (const std::int64_t n : kLengths) {
    for (const bool nesterov : {false, true}) {
      for (const float momentum : {0.0F, 0.9F}) {
        const auto count = static_cast<std::size_t>(n);
        Operand weight(random_values(count, rng), *b.cuda);
        Operand grad(random_values(count, rng), *b.cuda);
        Operand velocity(random_values(count, rng), *b.cuda);
        for (int step = 0; step < 3; ++step) {
          b.cpu->sgd_update(n, 0.05F, momentum, 5e-4F, nesterov, weight.cpu(), grad.cpu(), velocity.cpu());
          b.cuda->sgd_update(n, 0.05F, momentum, 5e-4F, nesterov, weight.gpu(), grad.gpu(), velocity.gpu());
        }
        const std::string what = " n=" + std::to_string(n) + " momentum=" + std::to_string(momentum) +
                                 " nesterov=" + std::to_string(nesterov);
        expect_agree(weight.gpu_values(), weight.cpu_values(), Tolerances::fused, "sgd weight" + what);
        expect_agree(velocity.gpu_values(), velocity.cpu_values(), Tolerances::fused, "sgd velocity" + what);
      }
    }
  }
}

TEST(CudaAgreement, AdamUpdateOverSeveralSteps) {
  LATHE_SKIP_WITHOUT_GPU();
  Backends b;
  std::mt19937 rng(121);
  for (const std::int64_t n : kLengths) {
    for (const float weight_decay : {0.0F, 1e-4F}) {
      const auto count = static_cast<std::size_t>(n);
      Operand weight(random_values(count, rng), *b.cuda);
      Operand grad(random_values(count, rng), *b.cuda);
      Operand first(count, 0.0F, *b.cuda);
      Operand second(count, 0.0F, *b.cuda);
      for (std::int64_t step = 1; step <= 3; ++step) {
        b.cpu->adam_update(n, 1e-3F, 0.9F, 0.999F, 1e-8F, weight_decay, step, weight.cpu(), grad.cpu(),
                           first.cpu(), second.cpu());
        b.cuda->adam_update(n, 1e-3F, 0.9F, 0.999F, 1e-8F, weight_decay, step, weight.gpu(), grad.gpu(),
                            first.gpu(), second.gpu());
      }
      const std::string what = " n=" + std::to_string(n) + " weight_decay=" + std::to_string(weight_decay);
      expect_agree(weight.gpu_values(), weight.cpu_values(), Tolerances::adam, "adam weight" + what);
      expect_agree(first.gpu_values(), first.cpu_values(), Tolerances::adam, "adam first moment" + what);
      expect_agree(second.gpu_values(), second.cpu_values(), Tolerances::adam, "adam second moment" + what);
    }
  }
}

}  // namespace
}  // namespace lathe
