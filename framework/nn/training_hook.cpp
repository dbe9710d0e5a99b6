#include "nn/training_hook.h"

#include "core/error.h"

namespace lathe::nn {

void HookState::put_numbers(const std::string& key, const std::vector<double>& values) {
  numbers[key + "/size"] = static_cast<double>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) numbers[key + "/" + std::to_string(i)] = values[i];
}

double HookState::number(const std::string& key, const std::string& owner) const {
  const auto found = numbers.find(key);
  LATHE_CHECK(found != numbers.end(), owner, ": expected the number '", key, "' in its saved state, found none");
  return found->second;
}

std::vector<double> HookState::number_list(const std::string& key, std::size_t expected_size,
                                           const std::string& owner) const {
  const double size = number(key + "/size", owner);
  LATHE_CHECK(size == static_cast<double>(expected_size), owner, ": expected ", expected_size, " numbers '", key,
              "' in its saved state, found ", size);
  std::vector<double> values;
  values.reserve(expected_size);
  for (std::size_t i = 0; i < expected_size; ++i) values.push_back(number(key + "/" + std::to_string(i), owner));
  return values;
}

const Tensor& HookState::tensor(const std::string& key, const std::string& owner) const {
  const auto found = tensors.find(key);
  LATHE_CHECK(found != tensors.end(), owner, ": expected the tensor '", key, "' in its saved state, found none");
  return found->second;
}

}  // namespace lathe::nn
