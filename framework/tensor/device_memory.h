// Where a tensor's values live. Host memory is the default (a null DeviceMemory*); a
// backend whose operands must be elsewhere (the CUDA backend: GPU memory) hands out a
// DeviceMemory that allocates there and copies across. Tensor and IndexBuffer place
// their storage with it, so the engine keeps a model's parameters and activations on the
// device for a whole fine-tune and copies only batches in and scalars out.
// This header must not depend on any backend: tensor/ sits below backend/.
#pragma once

#include <cstddef>
#include <string_view>

namespace lathe {

class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;
  [[nodiscard]] virtual std::string_view name() const = 0;

  // At least `bytes` bytes, aligned for any vector access; throws lathe::Error naming the
  // device when it has no room. release() takes back what allocate() gave (a caching
  // allocator keeps it for the next request of that size).
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* pointer, std::size_t bytes) noexcept = 0;

  // Copies complete before they return: the host side may be reused at once.
  virtual void copy_to_device(void* device_destination, const void* host_source,
                              std::size_t bytes) = 0;
  virtual void copy_to_host(void* host_destination, const void* device_source,
                            std::size_t bytes) = 0;
  virtual void copy_on_device(void* device_destination, const void* device_source,
                              std::size_t bytes) = 0;
  virtual void fill_floats(float* device_destination, std::size_t count, float value) = 0;
};

}  // namespace lathe
