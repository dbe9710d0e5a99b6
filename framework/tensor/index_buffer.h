// int32 values beside the float tensors: class labels and max-pooling's argmax. Placed
// like a Tensor (host by default, or a backend's DeviceMemory) so that a GPU backend reads
// labels and argmax from its own memory.
#pragma once

#include <cstdint>
#include <span>

#include "tensor/storage.h"

namespace lathe {

class IndexBuffer {
 public:
  IndexBuffer() = default;
  explicit IndexBuffer(DeviceMemory* memory) { storage_.place(memory, 0); }

  [[nodiscard]] std::int64_t size() const { return size_; }
  [[nodiscard]] std::int32_t* data() { return static_cast<std::int32_t*>(storage_.data()); }
  [[nodiscard]] const std::int32_t* data() const {
    return static_cast<const std::int32_t*>(storage_.data());
  }
  [[nodiscard]] DeviceMemory* memory() const { return storage_.memory(); }

  // Contents unspecified after growing.
  void resize(std::int64_t size);
  void place(DeviceMemory* memory);
  // Replaces the contents with `values` (copied to wherever the buffer lives).
  void assign(std::span<const std::int32_t> values);

 private:
  std::int64_t size_ = 0;
  detail::RawStorage storage_;
};

}  // namespace lathe
