// float32 tensors in host memory, NCHW for images. A Tensor owns its buffer (64-byte
// aligned so vector loads never split a cache line) and is cheap to move; copies are
// explicit deep copies. resize() keeps the buffer when the element count does not grow,
// so layers reuse their activations from step to step without allocating.
//
// Device memory (CUDA) is the backend's business: a later backend keeps its own buffers
// and the engine hands it host tensors only at the edges (data in, checkpoints out).
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "tensor/shape.h"

namespace lathe {

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape);  // zero-filled
  Tensor(Shape shape, float fill_value);

  Tensor(const Tensor& other);
  Tensor& operator=(const Tensor& other);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  ~Tensor() = default;

  [[nodiscard]] const Shape& shape() const { return shape_; }
  [[nodiscard]] std::int64_t size() const { return shape_.elements(); }
  [[nodiscard]] bool empty() const { return size() == 0; }

  [[nodiscard]] float* data() { return data_.get(); }
  [[nodiscard]] const float* data() const { return data_.get(); }
  [[nodiscard]] std::span<float> values() { return {data_.get(), static_cast<std::size_t>(size())}; }
  [[nodiscard]] std::span<const float> values() const {
    return {data_.get(), static_cast<std::size_t>(size())};
  }
  float& operator[](std::int64_t i) { return data_[i]; }
  float operator[](std::int64_t i) const { return data_[i]; }

  // Gives the tensor a new shape; contents are unspecified unless the element count
  // is unchanged. Allocates only when the new shape needs more room than it has.
  void resize(const Shape& shape);
  // Same elements, new shape (the element counts must match).
  void reshape(const Shape& shape);
  void fill(float value);

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  Shape shape_;
  std::int64_t capacity_ = 0;
  std::unique_ptr<float[], AlignedFree> data_;
};

}  // namespace lathe
