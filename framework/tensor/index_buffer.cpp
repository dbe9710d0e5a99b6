#include "tensor/index_buffer.h"

namespace lathe {

void IndexBuffer::resize(std::int64_t size) {
  storage_.reserve(static_cast<std::size_t>(size) * sizeof(std::int32_t));
  size_ = size;
}

void IndexBuffer::place(DeviceMemory* memory) {
  storage_.place(memory, static_cast<std::size_t>(size_) * sizeof(std::int32_t));
}

void IndexBuffer::assign(std::span<const std::int32_t> values) {
  resize(static_cast<std::int64_t>(values.size()));
  storage_.copy_from_host(values.data(), values.size() * sizeof(std::int32_t));
}

}  // namespace lathe
