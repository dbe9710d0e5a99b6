// Batch normalisation by cuDNN in CUDNN_BATCHNORM_SPATIAL mode: statistics per channel
// over N x H x W. Our N x C x S values are described as N x C x S x 1, so batchnorm1d
// (S = 1) is the same call over N x C x 1 x 1 (per-channel statistics over the batch,
// which PER_ACTIVATION would also give, but this way one code path serves both).
//
// cuDNN's semantics are PyTorch's, which backend.h asks for (MXNet's tests against cuDNN
// and PyTorch's own cuDNN path rely on it):
//  - running = (1 - factor) * running + factor * batch, with factor = our momentum;
//  - the running variance takes the unbiased batch variance, y the biased one;
//  - resultSaveInvVariance is 1 / sqrt(var + eps) (an inverse standard deviation,
//    whatever its name says): our saved_inv_std.
#include <cstdint>

#include "backend/cuda/cuda_backend.h"
#include "backend/cuda/cuda_check.h"
#include "backend/geometry_checks.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {


void check_epsilon(float epsilon) {
  LATHE_CHECK(static_cast<double>(epsilon) >= CUDNN_BN_MIN_EPSILON, "cuda batchnorm: epsilon ",
              epsilon, " is below cuDNN's minimum ", CUDNN_BN_MIN_EPSILON);
}

constexpr float kOne = 1.0F;
constexpr float kZero = 0.0F;

// backward has no epsilon parameter (backend.h) while cuDNN's asks for the forward pass's.
// Given the saved mean and inverse standard deviation (1/sqrt(var + eps), epsilon already
// in it) it should need none, but the forward pass's epsilon is passed whenever this
// backend ran that pass (keyed by its saved_inv_std buffer); PyTorch's default otherwise.
constexpr double kDefaultEpsilon = 1e-5;

}  // namespace

void CudaBackend::set_batchnorm_descriptors(const BatchNormGeometry& g, const char* operation) {
  set_nchw(input_descriptor_.get(), g.batch, g.channels, g.spatial, 1, operation);
  set_nchw(channel_descriptor_.get(), 1, g.channels, 1, 1, operation);
}

void CudaBackend::batchnorm_forward_training(const BatchNormGeometry& g, const float* x,
                                             const float* gamma, const float* beta, float epsilon,
                                             float momentum, float* y, float* saved_mean,
                                             float* saved_inv_std, float* running_mean,
                                             float* running_var) {
  constexpr const char* kOperation = "batchnorm forward training";
  check_batchnorm_geometry(g, "cuda");
  check_epsilon(epsilon);
  LATHE_CHECK(std::int64_t{g.batch} * g.spatial > 1,
              "cuda batchnorm: training needs more than one value per channel, found batch ",
              g.batch, " x spatial ", g.spatial, " (PyTorch refuses it too)");
  use_device();
  set_batchnorm_descriptors(g, kOperation);
  cudnn_check(cudnnBatchNormalizationForwardTraining(
                  cudnn_.get(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, input_descriptor_.get(), x,
                  input_descriptor_.get(), y, channel_descriptor_.get(), gamma, beta,
                  static_cast<double>(momentum), running_mean, running_var,
                  static_cast<double>(epsilon), saved_mean, saved_inv_std),
              "cudnnBatchNormalizationForwardTraining", kOperation);
  batchnorm_epsilons_[saved_inv_std] = epsilon;
}

void CudaBackend::batchnorm_forward_inference(const BatchNormGeometry& g, const float* x,
                                              const float* gamma, const float* beta,
                                              const float* running_mean, const float* running_var,
                                              float epsilon, float* y) {
  constexpr const char* kOperation = "batchnorm forward inference";
  check_batchnorm_geometry(g, "cuda");
  check_epsilon(epsilon);
  use_device();
  set_batchnorm_descriptors(g, kOperation);
  cudnn_check(cudnnBatchNormalizationForwardInference(
                  cudnn_.get(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero, input_descriptor_.get(), x,
                  input_descriptor_.get(), y, channel_descriptor_.get(), gamma, beta, running_mean,
                  running_var, static_cast<double>(epsilon)),
              "cudnnBatchNormalizationForwardInference", kOperation);
}

void CudaBackend::batchnorm_backward(const BatchNormGeometry& g, const float* x, const float* dy,
                                     const float* gamma, const float* saved_mean,
                                     const float* saved_inv_std, float* dx, float* dgamma,
                                     float* dbeta, bool accumulate) {
  constexpr const char* kOperation = "batchnorm backward";
  check_batchnorm_geometry(g, "cuda");
  use_device();
  set_batchnorm_descriptors(g, kOperation);
  const auto known = batchnorm_epsilons_.find(saved_inv_std);
  const double epsilon =
      known != batchnorm_epsilons_.end() ? static_cast<double>(known->second) : kDefaultEpsilon;
  // dx is overwritten (alpha 1, beta 0); dgamma and dbeta take alpha 1 and beta 1 when
  // accumulating into them, else beta 0.
  const float parameter_beta = accumulate ? 1.0F : 0.0F;
  cudnn_check(cudnnBatchNormalizationBackward(cudnn_.get(), CUDNN_BATCHNORM_SPATIAL, &kOne, &kZero,
                                              &kOne, &parameter_beta, input_descriptor_.get(), x,
                                              input_descriptor_.get(), dy, input_descriptor_.get(),
                                              dx, channel_descriptor_.get(), gamma, dgamma, dbeta,
                                              epsilon, saved_mean, saved_inv_std),
              "cudnnBatchNormalizationBackward", kOperation);
}

}  // namespace lathe::cuda
