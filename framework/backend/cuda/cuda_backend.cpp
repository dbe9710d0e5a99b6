#include "backend/cuda/cuda_backend.h"

#include <algorithm>

#include "backend/cuda/cuda_check.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

constexpr const char* kCreating = "creating the cuda backend";

CUstream_st* create_stream(int device) {
  cuda_check(cudaSetDevice(device), "cudaSetDevice", kCreating);
  cudaStream_t stream = nullptr;
  // Non-blocking: the legacy default stream (used by other libraries in the process) does
  // not serialise with it.
  cuda_check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags",
             kCreating);
  return stream;
}

cublasContext* create_cublas(cudaStream_t stream, bool deterministic) {
  cublasHandle_t handle = nullptr;
  cublas_check(cublasCreate(&handle), "cublasCreate", kCreating);
  // Owned before anything else can throw.
  std::unique_ptr<cublasContext, void (*)(cublasContext*)> owned(
      handle, [](cublasContext* h) { cublasDestroy(h); });
  cublas_check(cublasSetStream(handle, stream), "cublasSetStream", kCreating);
  // FP32 math: DEFAULT_MATH never uses TF32 on its own (only CUBLAS_TF32_TENSOR_OP_MATH or
  // NVIDIA_TF32_OVERRIDE would). PEDANTIC_MATH would add nothing the CPU comparison needs.
  cublas_check(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode", kCreating);
  // Host pointers for alpha and beta, as every call here passes them.
  cublas_check(cublasSetPointerMode(handle, CUBLAS_POINTER_MODE_HOST), "cublasSetPointerMode",
               kCreating);
  if (deterministic) {
    cublas_check(cublasSetAtomicsMode(handle, CUBLAS_ATOMICS_NOT_ALLOWED), "cublasSetAtomicsMode",
                 kCreating);
  }
  return owned.release();
}

cudnnContext* create_cudnn(cudaStream_t stream) {
  cudnnHandle_t handle = nullptr;
  cudnn_check(cudnnCreate(&handle), "cudnnCreate", kCreating);
  const cudnnStatus_t status = cudnnSetStream(handle, stream);
  if (status != CUDNN_STATUS_SUCCESS) {
    cudnnDestroy(handle);
    cudnn_check(status, "cudnnSetStream", kCreating);
  }
  return handle;
}

}  // namespace

CudaBackend::CudaBackend(const CudaBackendOptions& options)
    : device_(options.device),
      deterministic_(options.deterministic),
      stream_(create_stream(options.device)),
      cublas_(create_cublas(stream_.get(), options.deterministic)),
      cudnn_(create_cudnn(stream_.get())),
      memory_(std::make_unique<CudaMemory>(options.device, stream_.get())),
      workspace_(*memory_),
      reduction_device_(*memory_),
      grids_(*memory_),
      components_(*memory_),
      conv_algorithms_(options.deterministic) {
  cudnn_check(cudnnSetActivationDescriptor(relu_descriptor_.get(), CUDNN_ACTIVATION_RELU,
                                           CUDNN_PROPAGATE_NAN, /*coef=*/0.0),
              "cudnnSetActivationDescriptor", kCreating);
}

CudaBackend::~CudaBackend() {
  // Work still queued may read the scratch and memory the members free next. Errors are
  // ignored: a destructor must not throw.
  cudaSetDevice(device_);
  cudaStreamSynchronize(stream_.get());
}

void CudaBackend::use_device() const {
  cuda_check(cudaSetDevice(device_), "cudaSetDevice", "cuda backend");
}

void CudaBackend::synchronize() {
  use_device();
  cuda_check(cudaStreamSynchronize(stream_.get()), "cudaStreamSynchronize", "cuda synchronize");
}

void CudaBackend::set_threads(int threads) {
  LATHE_CHECK(threads >= 1, "cuda backend: threads must be at least 1, found ", threads);
  threads_ = threads;
}

bool CudaBackend::reserve_workspace(std::size_t bytes) {
  if (bytes == 0) return true;
  try {
    workspace_.reserve(bytes);
    return true;
  } catch (const Error&) {  // out of device memory: the caller tries a leaner algorithm
    return false;
  }
}

ReductionScratch CudaBackend::reduction_scratch(std::size_t bytes) {
  const std::size_t wanted = std::max(bytes, kMinReductionScratchBytes);
  if (reduction_device_.bytes() < wanted || reduction_host_.bytes() < wanted) {
    // The reducing kernels wait for their own copies, so none is pending; this wait is
    // for the rule, not for a known race.
    cuda_check(cudaStreamSynchronize(stream_.get()), "cudaStreamSynchronize",
               "growing the reduction scratch");
    reduction_device_.reserve(wanted);
    reduction_host_.reserve(wanted);
  }
  return ReductionScratch{reduction_device_.data(),
                          std::min(reduction_device_.bytes(), reduction_host_.bytes()),
                          reduction_host_.data()};
}

const void* CudaBackend::upload(GrowingDeviceBuffer& buffer, const void* host, std::size_t bytes,
                                const char* operation) {
  void* device = buffer.reserve(bytes);
  // From pageable memory the call returns once the bytes are staged, so `host` may be
  // reused at once.
  cuda_check(cudaMemcpyAsync(device, host, bytes, cudaMemcpyHostToDevice, stream_.get()),
             "cudaMemcpyAsync", operation);
  return device;
}

}  // namespace lathe::cuda
