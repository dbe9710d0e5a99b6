#include "backend/onednn/int8_inner_product.h"

#include <array>
#include <map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/onednn/activation_codes.h"
#include "backend/onednn/int8_primitive.h"
#include "core/error.h"

namespace lathe::onednn {

struct Int8InnerProduct::Cache : Int8LayerState {
  using Int8LayerState::Int8LayerState;
  int in_features = 0;
  int out_features = 0;

  Int8Entry& entry(int batch, int threads) {
    return Int8LayerState::entry(batch, threads, [&] { return make(batch); });
  }

  Int8Entry make(int batch) {
    const memory::dims src{batch, in_features};
    const memory::dims weights{out_features, in_features};
    const memory::dims dst{batch, out_features};
    const Type dst_type = links.codes_out ? Type::u8 : Type::f32;
    try {
      const dnnl::inner_product_forward::desc desc(
          dnnl::prop_kind::forward_inference, memory::desc(src, Type::u8, Tag::any),
          memory::desc(weights, Type::s8, Tag::any), memory::desc({out_features}, Type::f32, Tag::x),
          memory::desc(dst, dst_type, Tag::any));
      const dnnl::inner_product_forward::primitive_desc pd(
          desc, int8_output_attributes(fold.output_scales, relu, links.codes_out), engine);
      Int8Entry made;
      made.entry.primitive = dnnl::inner_product_forward(pd);
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_SRC, false, memory::desc(src, Type::u8, Tag::nc), pd.src_desc(), engine));
      made.entry.operands.push_back(make_operand(
          DNNL_ARG_DST, true, memory::desc(dst, dst_type, Tag::nc), pd.dst_desc(), engine));
      made.finish(pd, memory::desc(weights, Type::s8, Tag::oi), levels, fold.bias, engine, stream);
      return made;
    } catch (const dnnl::error& e) {
      fail("onednn int8 linear: no inner product for batch ", batch, ", ", in_features, " -> ",
           out_features, " features: ", e.what());
    }
  }
};

Int8InnerProduct::Int8InnerProduct(int in_features, int out_features,
                                   const FakeQuantGrid& input_grid, Int8LayerWeights weights,
                                   Int8Links links)
    : cache_(std::make_unique<Cache>(input_grid, std::move(weights), std::move(links))) {
  Cache& c = *cache_;
  LATHE_CHECK(in_features > 0 && out_features > 0 &&
                  static_cast<std::int64_t>(c.levels.size()) ==
                      static_cast<std::int64_t>(in_features) * out_features,
              "onednn int8 linear: ", c.levels.size(), " weight levels for ", in_features,
              " -> ", out_features, " features");
  c.in_features = in_features;
  c.out_features = out_features;
}

Int8InnerProduct::~Int8InnerProduct() = default;

void Int8InnerProduct::forward(int batch, const void* x, void* y, int threads) {
  Cache& c = *cache_;
  Int8Entry& entry = c.entry(batch, threads);
  if (c.links.codes_in) {
    entry.run(c.stream, x, y, threads);
    return;
  }
  const std::size_t count = static_cast<std::size_t>(batch) * c.in_features;
  std::uint8_t* codes = c.codes_for(count);
  quantize_rows(static_cast<std::int64_t>(count), static_cast<const float*>(x), c.grid, codes,
                threads);
  entry.run(c.stream, codes, y, threads);
}

std::string Int8InnerProduct::implementation(int batch, int threads) {
  return cache_->entry(batch, threads).entry.implementation;
}

}  // namespace lathe::onednn
