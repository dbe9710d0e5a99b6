#include "tensor/tensor.h"

#include <algorithm>
#include <utility>

#include "core/error.h"

namespace lathe {
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

}  // namespace lathe
