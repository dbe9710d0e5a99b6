#include "backend/onednn/int8_inner_product.h"

#include <array>
#include <map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_primitive.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

using Tag = memory::format_tag;
using Type = memory::data_type;

}  // namespace

struct Int8InnerProduct::Cache {
  int in_features = 0;
  int out_features = 0;
  FakeQuantGrid grid;
  std::vector<std::int8_t> levels;
  AccumulatorFold fold;
  bool relu = false;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int, 2>, Int8Entry> entries;  // by batch, threads
  std::vector<std::uint8_t> codes;

  Int8Entry& entry(int batch, int threads) {
    const std::array<int, 2> key{batch, threads};
    if (auto found = entries.find(key); found != entries.end()) return found->second;
    const memory::dims src{batch, in_features};
    const memory::dims weights{out_features, in_features};
    const memory::dims dst{batch, out_features};
    try {
      const dnnl::inner_product_forward::desc desc(
          dnnl::prop_kind::forward_inference, memory::desc(src, Type::u8, Tag::any),
          memory::desc(weights, Type::s8, Tag::any), memory::desc({out_features}, Type::f32, Tag::x),
          memory::desc(dst, Type::f32, Tag::any));
      const dnnl::inner_product_forward::primitive_desc pd(
          desc, int8_attributes(fold.output_scales, relu), engine);
      Int8Entry made;
      made.entry.primitive = dnnl::inner_product_forward(pd);
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_SRC, false, memory::desc(src, Type::u8, Tag::nc), pd.src_desc(), engine));
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_DST, true, memory::desc(dst, Type::f32, Tag::nc), pd.dst_desc(), engine));
      made.finish(pd, memory::desc(weights, Type::s8, Tag::oi), levels, fold.bias, engine, stream);
      return entries.emplace(key, std::move(made)).first->second;
    } catch (const dnnl::error& e) {
      fail("onednn int8 linear: no inner product for batch ", batch, ", ", in_features, " -> ",
           out_features, " features: ", e.what());
    }
  }
};

Int8InnerProduct::Int8InnerProduct(int in_features, int out_features,
                                   const FakeQuantGrid& input_grid, Int8LayerWeights weights)
    : cache_(std::make_unique<Cache>()) {
  LATHE_CHECK(in_features > 0 && out_features > 0 &&
                  static_cast<std::int64_t>(weights.levels.size()) ==
                      static_cast<std::int64_t>(in_features) * out_features,
              "onednn int8 linear: ", weights.levels.size(), " weight levels for ", in_features,
              " -> ", out_features, " features");
  Cache& c = *cache_;
  c.in_features = in_features;
  c.out_features = out_features;
  c.grid = input_grid;
  c.fold = fold_accumulator(weights.levels, weights.scales, weights.bias, input_grid.zero_point);
  c.levels = std::move(weights.levels);
  c.relu = weights.relu;
}

Int8InnerProduct::~Int8InnerProduct() = default;

void Int8InnerProduct::forward(int batch, const float* x, float* y, int threads) {
  Cache& c = *cache_;
  Int8Entry& entry = c.entry(batch, threads);
  const std::size_t count = static_cast<std::size_t>(batch) * c.in_features;
  if (c.codes.size() < count) c.codes.resize(count);
  quantize_rows(static_cast<std::int64_t>(count), x, c.grid, c.codes.data(), threads);
  entry.run(c.stream, c.codes.data(), y, threads);
}

std::string Int8InnerProduct::implementation(int batch, int threads) {
  return cache_->entry(batch, threads).entry.implementation;
}

}  // namespace lathe::onednn
