#include "tensor/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "core/error.h"
#include "tensor/index_buffer.h"

namespace lathe {
namespace detail {
namespace {

constexpr std::size_t kAlignmentBytes = 64;

void* allocate_in(DeviceMemory* memory, std::size_t bytes) {
  if (bytes == 0) return nullptr;
  if (memory != nullptr) return memory->allocate(bytes);
  const std::size_t rounded = (bytes + kAlignmentBytes - 1) / kAlignmentBytes * kAlignmentBytes;
  void* p = std::aligned_alloc(kAlignmentBytes, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace

RawStorage::RawStorage(std::size_t bytes, DeviceMemory* memory)
    : data_(allocate_in(memory, bytes)), bytes_(bytes), memory_(memory) {}

RawStorage::RawStorage(RawStorage&& other) noexcept
    : data_(other.data_), bytes_(other.bytes_), memory_(other.memory_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

RawStorage& RawStorage::operator=(RawStorage&& other) noexcept {
  if (this != &other) {
    reset();
    data_ = other.data_;
    bytes_ = other.bytes_;
    memory_ = other.memory_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

RawStorage::~RawStorage() { reset(); }

void RawStorage::reset() noexcept {
  if (data_ != nullptr) {
    if (memory_ != nullptr) {
      memory_->release(data_, bytes_);
    } else {
      std::free(data_);
    }
  }
  data_ = nullptr;
  bytes_ = 0;
}

void RawStorage::reserve(std::size_t bytes) {
  if (bytes <= bytes_) return;
  void* grown = allocate_in(memory_, bytes);
  reset();
  data_ = grown;
  bytes_ = bytes;
}

void RawStorage::place(DeviceMemory* memory, std::size_t used) {
  if (memory == memory_) return;
  RawStorage moved(used, memory);
  if (used > 0) moved.copy_from(*this, used);
  *this = std::move(moved);
}

void RawStorage::copy_from(const RawStorage& source, std::size_t used) {
  if (used == 0) return;
  if (memory_ == nullptr && source.memory_ == nullptr) {
    std::memcpy(data_, source.data_, used);
  } else if (memory_ == nullptr) {
    source.memory_->copy_to_host(data_, source.data_, used);
  } else if (source.memory_ == nullptr) {
    memory_->copy_to_device(data_, source.data_, used);
  } else {
    LATHE_CHECK(memory_ == source.memory_, "cannot copy between two devices ('",
                source.memory_->name(), "' to '", memory_->name(), "') directly");
    memory_->copy_on_device(data_, source.data_, used);
  }
}

void RawStorage::copy_from_host(const void* host, std::size_t used) {
  if (used == 0) return;
  if (memory_ == nullptr) {
    std::memcpy(data_, host, used);
  } else {
    memory_->copy_to_device(data_, host, used);
  }
}

void RawStorage::copy_to_host(void* host, std::size_t used) const {
  if (used == 0) return;
  if (memory_ == nullptr) {
    std::memcpy(host, data_, used);
  } else {
    memory_->copy_to_host(host, data_, used);
  }
}

}  // namespace detail

namespace {

std::size_t float_bytes(std::int64_t elements) {
  return static_cast<std::size_t>(elements) * sizeof(float);
}

}  // namespace

Tensor::Tensor(Shape shape) : Tensor(std::move(shape), 0.0F) {}

Tensor::Tensor(Shape shape, float fill_value)
    : shape_(std::move(shape)), storage_(float_bytes(shape_.elements()), nullptr) {
  fill(fill_value);
}

Tensor::Tensor(Shape shape, DeviceMemory* memory)
    : shape_(std::move(shape)), storage_(float_bytes(shape_.elements()), memory) {
  fill(0.0F);
}

Tensor::Tensor(const Tensor& other)
    : shape_(other.shape_), storage_(float_bytes(other.size()), other.memory()) {
  storage_.copy_from(other.storage_, float_bytes(size()));
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_);
    storage_.copy_from(other.storage_, float_bytes(size()));
  }
  return *this;
}

std::span<float> Tensor::values() {
  LATHE_CHECK(on_host(), "a tensor of shape ", shape_.to_string(), " lives in '",
              memory()->name(), "' memory: host code cannot read it in place");
  return {data(), static_cast<std::size_t>(size())};
}

std::span<const float> Tensor::values() const {
  LATHE_CHECK(on_host(), "a tensor of shape ", shape_.to_string(), " lives in '",
              memory()->name(), "' memory: host code cannot read it in place");
  return {data(), static_cast<std::size_t>(size())};
}

void Tensor::resize(const Shape& shape) {
  storage_.reserve(float_bytes(shape.elements()));
  shape_ = shape;
}

void Tensor::reshape(const Shape& shape) {
  LATHE_CHECK(shape.elements() == size(), "cannot reshape a tensor of shape ", shape_.to_string(),
              " to ", shape.to_string(), ": the element counts differ");
  shape_ = shape;
}

void Tensor::fill(float value) {
  if (on_host()) {
    std::fill_n(data(), size(), value);
  } else if (size() > 0) {
    memory()->fill_floats(data(), static_cast<std::size_t>(size()), value);
  }
}

void Tensor::place(DeviceMemory* memory) { storage_.place(memory, float_bytes(size())); }

std::vector<float> Tensor::to_host_vector() const {
  std::vector<float> host(static_cast<std::size_t>(size()));
  storage_.copy_to_host(host.data(), float_bytes(size()));
  return host;
}

void Tensor::copy_from_host(std::span<const float> host) {
  LATHE_CHECK(static_cast<std::int64_t>(host.size()) == size(), "copying ", host.size(),
              " values into a tensor of shape ", shape_.to_string());
  storage_.copy_from_host(host.data(), float_bytes(size()));
}

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
