// The buffer under Tensor and IndexBuffer: `capacity` elements of T in host memory (64-byte
// aligned, so vector loads never split a cache line) or in a DeviceMemory. It grows, never
// shrinks, so activations are reused from step to step without allocating, and place()
// moves the contents to other memory in one copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "tensor/device_memory.h"

namespace lathe::detail {

// Untyped so that tensor.cpp holds the one implementation for every element type.
class RawStorage {
 public:
  RawStorage() = default;
  RawStorage(std::size_t bytes, DeviceMemory* memory);
  RawStorage(const RawStorage&) = delete;
  RawStorage& operator=(const RawStorage&) = delete;
  RawStorage(RawStorage&& other) noexcept;
  RawStorage& operator=(RawStorage&& other) noexcept;
  ~RawStorage();

  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  [[nodiscard]] DeviceMemory* memory() const { return memory_; }

  // Room for at least `bytes` (contents lost when it grows).
  void reserve(std::size_t bytes);
  // The first `used` bytes copied into `memory` (null: host); the buffer then lives there.
  void place(DeviceMemory* memory, std::size_t used);
  // The first `used` bytes of `source` copied in, whatever memory either side is in.
  void copy_from(const RawStorage& source, std::size_t used);
  void copy_from_host(const void* host, std::size_t used);
  void copy_to_host(void* host, std::size_t used) const;

 private:
  void reset() noexcept;

  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  DeviceMemory* memory_ = nullptr;
};

}  // namespace lathe::detail
