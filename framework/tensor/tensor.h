// float32 tensors, NCHW for images. A Tensor owns its buffer and is cheap to move; copies
// are explicit deep copies. resize() keeps the buffer when the element count does not
// grow, so layers reuse their activations from step to step without allocating.
//
// A tensor lives in host memory unless it was placed in a backend's DeviceMemory
// (tensor/device_memory.h): then data() points into that memory, for the backend's
// operations only, and the host accessors (values(), operator[]) refuse it. A model is
// placed on its backend for a training or evaluation run and comes back to the host
// afterwards (nn/model_placement.h), so host code between runs sees host tensors.
#pragma once

#include <cassert>
#include <cstdint>
#include <span>
#include <vector>

#include "tensor/shape.h"
#include "tensor/storage.h"

namespace lathe {

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);  // zero-filled, in host memory
  Tensor(Shape shape, float fill_value);
  // Zero-filled in `memory` (null: host).
  Tensor(Shape shape, DeviceMemory* memory);

  // A copy lives where the original does.
  Tensor(const Tensor& other);
  // Keeps this tensor's memory and copies the values across.
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  ~Tensor() = default;

  [[nodiscard]] const Shape& shape() const { return shape_; }
  [[nodiscard]] std::int64_t size() const { return shape_.elements(); }
  [[nodiscard]] bool empty() const { return size() == 0; }

  [[nodiscard]] DeviceMemory* memory() const { return storage_.memory(); }
  [[nodiscard]] bool on_host() const { return memory() == nullptr; }

  // Wherever the tensor lives: for backend operations.
  [[nodiscard]] float* data() { return static_cast<float*>(storage_.data()); }
  [[nodiscard]] const float* data() const { return static_cast<const float*>(storage_.data()); }
  // Host tensors only (a lathe::Error names the memory otherwise).
  [[nodiscard]] std::span<float> values();
  [[nodiscard]] std::span<const float> values() const;
  float& operator[](std::int64_t i) {
    assert(on_host());
    return data()[i];
  }
  float operator[](std::int64_t i) const {
    assert(on_host());
    return data()[i];
  }

  // Gives the tensor a new shape; contents are unspecified unless the element count
  // is unchanged. Allocates only when the new shape needs more room than it has.
  void resize(const Shape& shape);
  // Same elements, new shape (the element counts must match).
  void reshape(const Shape& shape);
  void fill(float value);

  // Moves the values to `memory` (null: host); the tensor lives there from now on.
  void place(DeviceMemory* memory);
  // A host copy of the values, wherever the tensor lives.
  [[nodiscard]] std::vector<float> to_host_vector() const;
  // Replaces the values with `host` (same element count), wherever the tensor lives.
  void copy_from_host(std::span<const float> host);

 private:
  Shape shape_;
  detail::RawStorage storage_;
};

// The values of `tensor` readable on the host: in place for a host tensor, else copied
// into `buffer`.
inline std::span<const float> host_view(const Tensor& tensor, std::vector<float>& buffer) {
  if (tensor.on_host()) return tensor.values();
  buffer = tensor.to_host_vector();
  return buffer;
}

}  // namespace lathe
