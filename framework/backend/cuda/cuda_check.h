// Turns a failed CUDA runtime, cuDNN or cuBLAS call into one lathe::Error that names the
// call, the operation it was part of, the library's own error string and the device:
//   cuda device 0: cudnnConvolutionForward (conv2d forward): CUDNN_STATUS_BAD_PARAM
// Private to backend/cuda/.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

namespace lathe::cuda {

// `operation` (may be null) is the Backend operation or task the call was part of.
void cuda_check(cudaError_t status, const char* call, const char* operation = nullptr);
void cudnn_check(cudnnStatus_t status, const char* call, const char* operation = nullptr);
void cublas_check(cublasStatus_t status, const char* call, const char* operation = nullptr);

}  // namespace lathe::cuda
