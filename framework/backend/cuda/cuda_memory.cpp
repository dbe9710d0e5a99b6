#include "backend/cuda/cuda_memory.h"

#include <cstdint>
#include <limits>
#include <utility>

#include "backend/cuda/cuda_check.h"
#include "backend/cuda/kernels.h"
#include "core/error.h"

namespace lathe::cuda {
namespace {

constexpr std::size_t kSmallBlockAlignment = 512;
constexpr std::size_t kLargeBlockThreshold = std::size_t{1} << 20;
constexpr std::size_t kLargeBlockAlignment = std::size_t{2} << 20;

constexpr std::size_t round_up(std::size_t bytes, std::size_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

double mebibytes(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

CudaMemory::CudaMemory(int device, cudaStream_t stream)
    : device_(device), stream_(stream), name_("cuda:" + std::to_string(device)) {}

CudaMemory::~CudaMemory() {
  // Errors are ignored: a destructor must not throw, and a failed free at teardown
  // leaves nothing to repair.
  cudaSetDevice(device_);
  cudaStreamSynchronize(stream_);
  free_cached_blocks_locked();
  for (const auto& [pointer, size] : blocks_in_use_) cudaFree(pointer);
}

// The calling thread's current device is per thread: a data-loading thread may never
// have chosen one. cudaSetDevice to the current device costs next to nothing.
void CudaMemory::use_device(const char* operation) const {
  cuda_check(cudaSetDevice(device_), "cudaSetDevice", operation);
}

std::size_t CudaMemory::rounded_size(std::size_t bytes) {
  if (bytes == 0) return kSmallBlockAlignment;  // a distinct, valid pointer for empty tensors
  if (bytes <= kLargeBlockThreshold) return round_up(bytes, kSmallBlockAlignment);
  return round_up(bytes, kLargeBlockAlignment);
}

void* CudaMemory::try_cuda_malloc(std::size_t bytes) {
  void* pointer = nullptr;
  const cudaError_t status = cudaMalloc(&pointer, bytes);
  if (status == cudaErrorMemoryAllocation) {
    // Clears the error, which cudaGetLastError would otherwise report at the next kernel
    // launch, against that kernel.
    cudaGetLastError();
    return nullptr;
  }
  cuda_check(status, "cudaMalloc", "cuda memory allocate");
  ++cuda_malloc_count_;
  return pointer;
}

void* CudaMemory::allocate(std::size_t bytes) {
  LATHE_CHECK(bytes <= std::numeric_limits<std::size_t>::max() - kLargeBlockAlignment,
              "cuda device ", device_, ": cannot allocate ", bytes, " bytes");
  const std::size_t size = rounded_size(bytes);
  const std::lock_guard lock(mutex_);
  void* block = nullptr;
  const auto bin = free_blocks_.find(size);
  if (bin != free_blocks_.end() && !bin->second.empty()) {
    block = bin->second.back();
    bin->second.pop_back();
    bytes_cached_ -= size;
  } else {
    use_device("cuda memory allocate");
    block = try_cuda_malloc(size);
    if (block == nullptr) {
      // Cached blocks of other sizes may be what stands in the way.
      free_cached_blocks_locked();
      block = try_cuda_malloc(size);
    }
    if (block == nullptr) {
      std::size_t free_bytes = 0;
      std::size_t total_bytes = 0;
      cudaMemGetInfo(&free_bytes, &total_bytes);
      cudaGetLastError();
      fail("cuda device ", device_, ": out of memory: cudaMalloc of ", size, " bytes (",
           mebibytes(size), " MiB, for a request of ", bytes, ") failed with ",
           mebibytes(free_bytes), " MiB free of ", mebibytes(total_bytes),
           " MiB; Lathe's tensors on this device hold ", mebibytes(bytes_in_use_), " MiB");
    }
  }
  try {
    blocks_in_use_.emplace(block, size);
  } catch (...) {
    cudaFree(block);
    throw;
  }
  bytes_in_use_ += size;
  return block;
}

void CudaMemory::release(void* pointer, std::size_t /*bytes: the block's size is known*/) noexcept {
  if (pointer == nullptr) return;
  const std::lock_guard lock(mutex_);
  const auto found = blocks_in_use_.find(pointer);
  if (found == blocks_in_use_.end()) return;  // not from this memory; nothing safe to do
  const std::size_t size = found->second;
  blocks_in_use_.erase(found);
  bytes_in_use_ -= size;
  try {
    free_blocks_[size].push_back(pointer);
    bytes_cached_ += size;
  } catch (...) {
    cudaFree(pointer);  // no room to cache it: give it back instead
  }
}

void CudaMemory::free_cached_blocks() {
  const std::lock_guard lock(mutex_);
  use_device("cuda memory free cached blocks");
  free_cached_blocks_locked();
}

void CudaMemory::free_cached_blocks_locked() noexcept {
  for (auto& [size, blocks] : free_blocks_) {
    for (void* block : blocks) cudaFree(block);
  }
  free_blocks_.clear();
  bytes_cached_ = 0;
}

void CudaMemory::copy_to_device(void* device_destination, const void* host_source,
                                std::size_t bytes) {
  if (bytes == 0) return;
  use_device("cuda memory copy to device");
  cuda_check(
      cudaMemcpyAsync(device_destination, host_source, bytes, cudaMemcpyHostToDevice, stream_),
      "cudaMemcpyAsync", "cuda memory copy to device");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize", "cuda memory copy to device");
}

void CudaMemory::copy_to_host(void* host_destination, const void* device_source,
                              std::size_t bytes) {
  if (bytes == 0) return;
  use_device("cuda memory copy to host");
  cuda_check(
      cudaMemcpyAsync(host_destination, device_source, bytes, cudaMemcpyDeviceToHost, stream_),
      "cudaMemcpyAsync", "cuda memory copy to host");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize", "cuda memory copy to host");
}

void CudaMemory::copy_on_device(void* device_destination, const void* device_source,
                                std::size_t bytes) {
  if (bytes == 0) return;
  use_device("cuda memory copy on device");
  cuda_check(
      cudaMemcpyAsync(device_destination, device_source, bytes, cudaMemcpyDeviceToDevice, stream_),
      "cudaMemcpyAsync", "cuda memory copy on device");
  cuda_check(cudaStreamSynchronize(stream_), "cudaStreamSynchronize", "cuda memory copy on device");
}

void CudaMemory::fill_floats(float* device_destination, std::size_t count, float value) {
  if (count == 0) return;
  use_device("cuda memory fill");
  launch_fill(stream_, static_cast<std::int64_t>(count), value, device_destination);
}

std::size_t CudaMemory::bytes_in_use() const {
  const std::lock_guard lock(mutex_);
  return bytes_in_use_;
}

std::size_t CudaMemory::bytes_cached() const {
  const std::lock_guard lock(mutex_);
  return bytes_cached_;
}

std::size_t CudaMemory::cuda_malloc_count() const {
  const std::lock_guard lock(mutex_);
  return cuda_malloc_count_;
}

}  // namespace lathe::cuda
