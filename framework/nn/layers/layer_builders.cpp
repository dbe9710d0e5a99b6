#include "nn/layers/layer_builders.h"

namespace lathe::nn {

namespace {

struct NoLayerParams {
  template <class V>
  void visit(V& /*v*/) {}
};

}  // namespace

void expect_no_layer_params(const LayerSpec& spec) { read_layer_params<NoLayerParams>(spec); }

void expect_input_count(const LayerSpec& spec, std::span<const Shape> inputs, std::size_t count) {
  LATHE_CHECK(inputs.size() == count, spec.where, ": layers.", spec.name, ": a ", spec.type,
              " layer takes ", count, " input", count == 1 ? "" : "s", ", got ", inputs.size());
}

void expect_input_rank(const LayerSpec& spec, const Shape& input, std::size_t rank,
                       const char* what) {
  LATHE_CHECK(input.rank() == rank, spec.where, ": layers.", spec.name, ": a ", spec.type,
              " layer expects ", what, ", got an input of shape ", input.to_string(),
              " per item");
}

Shape with_batch(std::int64_t batch, const Shape& item) {
  std::vector<std::int64_t> dims = {batch};
  dims.insert(dims.end(), item.dims().begin(), item.dims().end());
  return Shape(std::move(dims));
}

}  // namespace lathe::nn
