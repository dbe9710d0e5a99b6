// GPU memory for tensors placed with the CUDA backend: a caching allocator over plain
// cudaMalloc (never managed memory). cudaMalloc and cudaFree synchronise the device and
// cost tens of microseconds, while a training step frees and allocates the same
// activation sizes every iteration; so released blocks are kept in free lists, one per
// rounded size, and handed out again.
//
// Every user of one CudaMemory issues its work on the one stream given here (the
// backend's), so a released block may be handed out again at once: stream order runs the
// old work on it before the new. Thread-safe (one mutex): data-loading threads may
// allocate while the training thread releases.
//
// Lifetime: tensors placed in this memory must be released before it is destroyed (so
// before the CudaBackend that owns it). The destructor frees every block, including any
// still handed out, whose owners must then not touch or release them.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensor/device_memory.h"

namespace lathe::cuda {

class CudaMemory final : public DeviceMemory {
 public:
  CudaMemory(int device, cudaStream_t stream);
  ~CudaMemory() override;
  CudaMemory(const CudaMemory&) = delete;
  CudaMemory& operator=(const CudaMemory&) = delete;

  [[nodiscard]] std::string_view name() const override { return name_; }

  void* allocate(std::size_t bytes) override;
  void release(void* pointer, std::size_t bytes) noexcept override;

  void copy_to_device(void* device_destination, const void* host_source,
                      std::size_t bytes) override;
  void copy_to_host(void* host_destination, const void* device_source, std::size_t bytes) override;
  void copy_on_device(void* device_destination, const void* device_source,
                      std::size_t bytes) override;
  void fill_floats(float* device_destination, std::size_t count, float value) override;

  // Gives every cached (released) block back to the driver.
  void free_cached_blocks();

  // For tests and diagnostics. Sizes are the rounded sizes blocks really occupy.
  [[nodiscard]] std::size_t bytes_in_use() const;
  [[nodiscard]] std::size_t bytes_cached() const;
  [[nodiscard]] std::size_t cuda_malloc_count() const;

  // The size a request of `bytes` occupies: a multiple of 512 bytes up to 1 MiB, of
  // 2 MiB above (large tensors vary less in size, and fewer bins are reused more often).
  [[nodiscard]] static std::size_t rounded_size(std::size_t bytes);

 private:
  // cudaMalloc, or an empty pointer when the device is out of memory; throws on any
  // other error.
  void* try_cuda_malloc(std::size_t bytes);
  void free_cached_blocks_locked() noexcept;
  void use_device(const char* operation) const;

  int device_;
  cudaStream_t stream_;
  std::string name_;

  mutable std::mutex mutex_;
  std::map<std::size_t, std::vector<void*>> free_blocks_;  // rounded size -> cached blocks
  std::unordered_map<void*, std::size_t> blocks_in_use_;   // pointer -> rounded size
  std::size_t bytes_in_use_ = 0;
  std::size_t bytes_cached_ = 0;
  std::size_t cuda_malloc_count_ = 0;
};

}  // namespace lathe::cuda
