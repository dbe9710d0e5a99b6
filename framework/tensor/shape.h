// Tensor shapes: up to four dimensions, NCHW order for images.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace lathe {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {}

  [[nodiscard]] std::size_t rank() const { return dims_.size(); }
  [[nodiscard]] std::int64_t operator[](std::size_t axis) const { return dims_[axis]; }
  [[nodiscard]] const std::vector<std::int64_t>& dims() const { return dims_; }
  // Product of all dimensions; 0 for a shape with no dimensions.
  [[nodiscard]] std::int64_t elements() const;
  // Product of the dimensions after the first (the size of one sample in a batch).
  [[nodiscard]] std::int64_t elements_per_item() const;
  // "[128, 1, 28, 28]", as error messages print it.
  [[nodiscard]] std::string to_string() const;

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<std::int64_t> dims_;
};

}  // namespace lathe
