#include "tensor/storage.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "core/error.h"

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

}  // namespace lathe
