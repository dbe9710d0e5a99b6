#include "nn/layers/integer_run.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "core/error.h"

#ifdef LATHE_HAVE_ONEDNN
#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_convolution.h"
#include "backend/onednn/int8_inner_product.h"
#include "backend/onednn/u8_max_pooling.h"
#endif

namespace lathe::nn {
namespace {

// Channels, height and width of a convolution's output, after max poolings.
struct ImageShape {
  int channels = 0;
  int height = 0;
  int width = 0;
  [[nodiscard]] std::int64_t size() const { return std::int64_t{channels} * height * width; }
};

ImageShape output_shape(const FusableConvolution& convolution) {
  const Conv2dGeometry g = convolution.convolution_geometry();
  return {g.out_channels, g.out_height(), g.out_width()};
}

std::string shape_text(const ImageShape& s) {
  return std::to_string(s.channels) + "x" + std::to_string(s.height) + "x" + std::to_string(s.width);
}

#ifdef LATHE_HAVE_ONEDNN

onednn::Int8LayerWeights weights_of(PreparedIntegerLayer& layer) {
  return {std::move(layer.levels), std::move(layer.scales), std::move(layer.bias), layer.chain.relu};
}

// A linear layer's weight columns from PyTorch's flatten order (c, h, w) to the order of
// flattened NHWC codes (h, w, c), once at load.
std::vector<std::int8_t> columns_in_nhwc_order(const std::vector<std::int8_t>& levels, const ImageShape& s) {
  const std::int64_t in = s.size();
  const std::int64_t plane = std::int64_t{s.height} * s.width;
  std::vector<std::int8_t> permuted(levels.size());
  for (std::size_t row = 0; row < levels.size(); row += static_cast<std::size_t>(in)) {
    for (std::int64_t c = 0; c < s.channels; ++c) {
      for (std::int64_t p = 0; p < plane; ++p) {
        permuted[row + static_cast<std::size_t>(p * s.channels + c)] =
            levels[row + static_cast<std::size_t>(c * plane + p)];
      }
    }
  }
  return permuted;
}

// A global average pooling of NHWC floats rounded to the next layer's codes.
struct GlobalAverage {
  int plane = 0;
  int channels = 0;
  FakeQuantGrid grid;
};

// One operation of the run: a layer, a max pooling or a global average pooling, and what
// it writes (all but the last, which writes the float output): codes, or floats NHWC for
// a global average pooling.
struct RunOperation {
  std::unique_ptr<onednn::Int8Convolution> convolution;
  std::unique_ptr<onednn::Int8InnerProduct> linear;
  std::unique_ptr<onednn::U8MaxPooling> pool;
  std::optional<GlobalAverage> average;
  std::int64_t outputs_per_item = 0;
  std::size_t output_bytes = 1;
  std::vector<std::uint8_t> codes;  // grown once per larger batch
};

class IntegerRun final : public IntegerLayer {
 public:
  IntegerRun(std::vector<RunOperation> operations, std::vector<std::int64_t> output_item_shape)
      : operations_(std::move(operations)), output_item_shape_(std::move(output_item_shape)) {}

  void forward(Backend& backend, const Tensor& input, Tensor& output) override {
    const auto batch = static_cast<int>(input.shape()[0]);
    const int threads = backend.threads();
    if (output_shape_.rank() == 0 || output_shape_[0] != batch) {  // once per batch size
      std::vector<std::int64_t> dims{batch};
      dims.insert(dims.end(), output_item_shape_.begin(), output_item_shape_.end());
      output_shape_ = Shape(std::move(dims));
    }
    output.resize(output_shape_);
    const void* from = input.data();
    for (std::size_t i = 0; i < operations_.size(); ++i) {
      RunOperation& op = operations_[i];
      void* to = output.data();
      if (i + 1 < operations_.size()) {
        const auto count = static_cast<std::size_t>(batch * op.outputs_per_item) * op.output_bytes;
        if (op.codes.size() < count) op.codes.resize(count);
        to = op.codes.data();
      }
      if (op.convolution) {
        op.convolution->forward(batch, from, to, threads);
      } else if (op.linear) {
        op.linear->forward(batch, from, to, threads);
      } else if (op.average) {
        onednn::average_planes_to_codes(batch, op.average->plane, op.average->channels,
                                        static_cast<const float*>(from), op.average->grid,
                                        static_cast<std::uint8_t*>(to), threads);
      } else {
        op.pool->forward(batch, static_cast<const std::uint8_t*>(from), static_cast<std::uint8_t*>(to),
                         threads);
      }
      from = to;
    }
  }

  std::vector<std::string> implementations(const Backend& backend, int batch) override {
    std::vector<std::string> kernels;
    for (RunOperation& op : operations_) {
      if (op.convolution) kernels.push_back(op.convolution->implementation(batch, backend.threads()));
      if (op.linear) kernels.push_back(op.linear->implementation(batch, backend.threads()));
    }
    return kernels;
  }

 private:
  std::vector<RunOperation> operations_;
  std::vector<std::int64_t> output_item_shape_;
  Shape output_shape_;
};

#endif  // LATHE_HAVE_ONEDNN

}  // namespace

IntegerRunPlan::IntegerRunPlan(PreparedIntegerLayer first) {
  stages_.push_back({std::move(first), RunLink{}});
}

std::string IntegerRunPlan::why_not_linked(const RunLink& between, const PreparedIntegerLayer& next) const {
  const IntegerChain& last = stages_.back().layer.chain;
  if (last.linear != nullptr) {
    if (!between.max_pools.empty() || between.global_average || next.chain.convolution != nullptr) {
      return "a linear layer's output feeds a pooling or a convolution";
    }
    return "";
  }
  if (between.global_average && !between.max_pools.empty()) {
    return "a max pooling before a global average pooling (which averages floats, not codes)";
  }
  ImageShape shape = output_shape(*last.convolution);
  for (const Pool2dGeometry& pool : between.max_pools) {
    if (pool.channels != shape.channels || pool.in_height != shape.height || pool.in_width != shape.width) {
      return "its max pooling expects " + std::to_string(pool.channels) + "x" +
             std::to_string(pool.in_height) + "x" + std::to_string(pool.in_width) + ", not " +
             shape_text(shape);
    }
    shape = {pool.channels, pool.out_height(), pool.out_width()};
  }
  if (between.global_average) shape = {shape.channels, 1, 1};
  if (next.chain.linear != nullptr) {
    if (!between.flattened && !between.global_average) {
      return "no flatten between the convolution and the linear layer";
    }
    if (next.chain.linear->in_features() != shape.size()) {
      return "the linear layer takes " + std::to_string(next.chain.linear->in_features()) +
             " features, not " + shape_text(shape);
    }
    return "";
  }
  const Conv2dGeometry g = next.chain.convolution->convolution_geometry();
  if (between.flattened || between.global_average || g.in_channels != shape.channels ||
      g.in_height != shape.height || g.in_width != shape.width) {
    return "the convolution expects " + std::to_string(g.in_channels) + "x" +
           std::to_string(g.in_height) + "x" + std::to_string(g.in_width) + ", not a " +
           (between.flattened || between.global_average ? "flattened " : "") + shape_text(shape);
  }
#ifdef LATHE_HAVE_ONEDNN
  return onednn::Int8Convolution::why_codes_cannot_feed(g, next.input_grid.zero_point);
#else
  return "";
#endif
}

void IntegerRunPlan::link(RunLink between, PreparedIntegerLayer next) {
  const std::string why = why_not_linked(between, next);
  LATHE_CHECK(why.empty(), "integer run: cannot hand codes on: ", why);
  stages_.push_back({std::move(next), std::move(between)});
}

std::unique_ptr<IntegerLayer> IntegerRunPlan::make() && {
#ifndef LATHE_HAVE_ONEDNN
  fail("integer run: this build has no oneDNN (LATHE_WITH_ONEDNN off)");
#else
  std::vector<RunOperation> operations;
  ImageShape shape;  // the codes' shape before each layer, after a convolution
  std::vector<std::int64_t> output_item;
  for (std::size_t i = 0; i < stages_.size(); ++i) {
    Stage& stage = stages_[i];
    onednn::Int8Links links;
    links.codes_in = i > 0;
    if (i + 1 < stages_.size()) {
      // Before a global average pooling, floats NHWC: the pooling rounds its averages.
      const Stage& next = stages_[i + 1];
      links.floats_nhwc = next.before.global_average;
      if (!links.floats_nhwc) links.codes_out = next.layer.input_grid;
    }
    for (const Pool2dGeometry& pool : stage.before.max_pools) {
      RunOperation op;
      op.pool = std::make_unique<onednn::U8MaxPooling>(pool);
      shape = {pool.channels, pool.out_height(), pool.out_width()};
      op.outputs_per_item = shape.size();
      operations.push_back(std::move(op));
    }
    if (stage.before.global_average) {
      RunOperation op;
      op.average = GlobalAverage{shape.height * shape.width, shape.channels, stage.layer.input_grid};
      op.outputs_per_item = shape.channels;
      shape = {};  // the features are the channels: no column order to change
      operations.push_back(std::move(op));
    }
    RunOperation op;
    const IntegerChain& chain = stage.layer.chain;
    if (chain.convolution != nullptr) {
      const Conv2dGeometry g = chain.convolution->convolution_geometry();
      op.convolution = std::make_unique<onednn::Int8Convolution>(g, stage.layer.input_grid,
                                                                 weights_of(stage.layer), links);
      shape = output_shape(*chain.convolution);
      op.outputs_per_item = shape.size();
      op.output_bytes = links.floats_nhwc ? sizeof(float) : 1;
      output_item = {g.out_channels, g.out_height(), g.out_width()};
    } else {
      if (i > 0 && shape.channels > 0) {
        stage.layer.levels = columns_in_nhwc_order(stage.layer.levels, shape);
      }
      const int in = chain.linear->in_features();
      const int out = chain.linear->out_features();
      op.linear = std::make_unique<onednn::Int8InnerProduct>(in, out, stage.layer.input_grid,
                                                             weights_of(stage.layer), links);
      shape = {};
      op.outputs_per_item = out;
      output_item = {out};
    }
    operations.push_back(std::move(op));
  }
  return std::make_unique<IntegerRun>(std::move(operations), std::move(output_item));
#endif
}

}  // namespace lathe::nn
