#include "backend/cuda/cuda_check.h"

#include <string>

#include "core/error.h"

namespace lathe::cuda {
namespace {

// Only read on the error path. The device is the calling thread's current one, which the
// backend set before its call; -1 when even that query fails (no driver).
int current_device() {
  int device = -1;
  if (cudaGetDevice(&device) != cudaSuccess) return -1;
  return device;
}

std::string context(const char* call, const char* operation) {
  std::string text = call;
  if (operation != nullptr) text.append(" (").append(operation).append(")");
  return text;
}

}  // namespace

void cuda_check(cudaError_t status, const char* call, const char* operation) {
  if (status == cudaSuccess) return;
  fail("cuda device ", current_device(), ": ", context(call, operation), ": ",
       cudaGetErrorName(status), ": ", cudaGetErrorString(status));
}

void cudnn_check(cudnnStatus_t status, const char* call, const char* operation) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  fail("cuda device ", current_device(), ": ", context(call, operation), ": ",
       cudnnGetErrorString(status));
}

void cublas_check(cublasStatus_t status, const char* call, const char* operation) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  fail("cuda device ", current_device(), ": ", context(call, operation), ": ",
       cublasGetStatusString(status));
}

}  // namespace lathe::cuda
