#include "backend/cuda/device_buffers.h"

#include <cuda_runtime.h>

#include "backend/cuda/cuda_check.h"

namespace lathe::cuda {

GrowingDeviceBuffer::~GrowingDeviceBuffer() { memory_->release(data_, bytes_); }

void* GrowingDeviceBuffer::reserve(std::size_t bytes) {
  if (bytes <= bytes_ && data_ != nullptr) return data_;
  memory_->release(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
  // The memory rounds every block up anyway: ask for all of it, so the next slightly
  // larger request still fits.
  const std::size_t size = CudaMemory::rounded_size(bytes);
  data_ = memory_->allocate(size);
  bytes_ = size;
  return data_;
}

PinnedHostBuffer::~PinnedHostBuffer() {
  if (data_ != nullptr) cudaFreeHost(data_);
}

void* PinnedHostBuffer::reserve(std::size_t bytes) {
  if (bytes <= bytes_ && data_ != nullptr) return data_;
  if (data_ != nullptr) cuda_check(cudaFreeHost(data_), "cudaFreeHost", "growing pinned scratch");
  data_ = nullptr;
  bytes_ = 0;
  cuda_check(cudaMallocHost(&data_, bytes), "cudaMallocHost", "growing pinned scratch");
  bytes_ = bytes;
  return data_;
}

}  // namespace lathe::cuda
