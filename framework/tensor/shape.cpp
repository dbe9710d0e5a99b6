#include "tensor/shape.h"

#include <sstream>

namespace lathe {

std::int64_t Shape::elements() const {
  if (dims_.empty()) return 0;
  std::int64_t product = 1;
  for (std::int64_t d : dims_) product *= d;
  return product;
}

std::int64_t Shape::elements_per_item() const {
  std::int64_t product = 1;
  for (std::size_t i = 1; i < dims_.size(); ++i) product *= dims_[i];
  return product;
}

std::string Shape::to_string() const {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < dims_.size(); ++i) out << (i ? ", " : "") << dims_[i];
  out << ']';
  return out.str();
}

}  // namespace lathe
