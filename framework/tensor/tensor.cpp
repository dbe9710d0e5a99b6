#include "tensor/tensor.h"

#include <algorithm>
#include <cstdlib>
#include <new>

#include "core/error.h"

namespace lathe {
namespace {

constexpr std::size_t kAlignmentBytes = 64;

float* allocate_aligned(std::int64_t elements) {
  if (elements <= 0) return nullptr;
  std::size_t bytes = static_cast<std::size_t>(elements) * sizeof(float);
  bytes = (bytes + kAlignmentBytes - 1) / kAlignmentBytes * kAlignmentBytes;
  void* p = std::aligned_alloc(kAlignmentBytes, bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<float*>(p);
}

}  // namespace

void Tensor::AlignedFree::operator()(float* p) const { std::free(p); }

Tensor::Tensor(Shape shape) : Tensor(std::move(shape), 0.0F) {}

Tensor::Tensor(Shape shape, float fill_value)
    : shape_(std::move(shape)), capacity_(shape_.elements()), data_(allocate_aligned(capacity_)) {
  fill(fill_value);
}

Tensor::Tensor(const Tensor& other)
    : shape_(other.shape_), capacity_(other.size()), data_(allocate_aligned(capacity_)) {
  std::copy_n(other.data(), other.size(), data());
}

Tensor& Tensor::operator=(const Tensor& other) {
  if (this != &other) {
    resize(other.shape_);
    std::copy_n(other.data(), other.size(), data());
  }
  return *this;
}

void Tensor::resize(const Shape& shape) {
  const std::int64_t needed = shape.elements();
  if (needed > capacity_) {
    data_.reset(allocate_aligned(needed));
    capacity_ = needed;
  }
  shape_ = shape;
}

void Tensor::reshape(const Shape& shape) {
  LATHE_CHECK(shape.elements() == size(), "cannot reshape a tensor of shape ", shape_.to_string(),
              " to ", shape.to_string(), ": the element counts differ");
  shape_ = shape;
}

void Tensor::fill(float value) { std::fill_n(data(), size(), value); }

}  // namespace lathe
