// Scratch the backend keeps between operations: buffers that grow to the largest request
// and never shrink, so a training step allocates nothing once every layer has run.
#pragma once

#include <cstddef>

#include "backend/cuda/cuda_memory.h"

namespace lathe::cuda {

// Device memory from (and given back to) the backend's CudaMemory.
class GrowingDeviceBuffer {
 public:
  explicit GrowingDeviceBuffer(CudaMemory& memory) : memory_(&memory) {}
  ~GrowingDeviceBuffer();
  GrowingDeviceBuffer(const GrowingDeviceBuffer&) = delete;
  GrowingDeviceBuffer& operator=(const GrowingDeviceBuffer&) = delete;

  // At least `bytes` bytes; the old contents are lost when it grows. Throws lathe::Error
  // when the device has no room.
  void* reserve(std::size_t bytes);
  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  CudaMemory* memory_;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// Page-locked host memory (cudaMallocHost): the target of asynchronous copies to the host.
// Growing it frees the old block, so no copy into it may be pending then.
class PinnedHostBuffer {
 public:
  PinnedHostBuffer() = default;
  ~PinnedHostBuffer();
  PinnedHostBuffer(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer& operator=(const PinnedHostBuffer&) = delete;

  void* reserve(std::size_t bytes);
  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace lathe::cuda
