#include "backend/onednn/onednn_inner_products.h"

#include <array>
#include <map>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/onednn/primitive_entry.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

using Tag = memory::format_tag;

memory::desc described(const memory::dims& dims, Tag tag) {
  return memory::desc(dims, memory::data_type::f32, tag);
}

Entry make_inner_product(int batch, int in, int out, bool bias, const dnnl::engine& engine) {
  const memory::dims src{batch, in};
  const memory::dims weights{out, in};
  const memory::dims dst{batch, out};
  const auto desc =
      bias ? dnnl::inner_product_forward::desc(
                 dnnl::prop_kind::forward_inference, described(src, Tag::any),
                 described(weights, Tag::any), described({out}, Tag::x), described(dst, Tag::nc))
           : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference,
                                               described(src, Tag::any),
                                               described(weights, Tag::any), described(dst, Tag::nc));
  const dnnl::inner_product_forward::primitive_desc pd(desc, primitive_attributes(true), engine);
  Entry entry;
  entry.primitive = dnnl::inner_product_forward(pd);
  entry.operands.push_back(
      make_operand(DNNL_ARG_SRC, false, described(src, Tag::nc), pd.src_desc(), engine));
  entry.operands.push_back(
      make_operand(DNNL_ARG_WEIGHTS, false, described(weights, Tag::oi), pd.weights_desc(), engine));
  if (bias) {
    entry.operands.push_back(
        make_operand(DNNL_ARG_BIAS, false, described({out}, Tag::x), pd.bias_desc(), engine));
  }
  entry.operands.push_back(
      make_operand(DNNL_ARG_DST, true, described(dst, Tag::nc), pd.dst_desc(), engine));
  entry.finish(pd, engine);
  return entry;
}

}  // namespace

struct InnerProducts::Cache {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int, 5>, Entry> entries;
};

InnerProducts::InnerProducts() : cache_(std::make_unique<Cache>()) {}
InnerProducts::~InnerProducts() = default;

void InnerProducts::forward_relu(int batch, int in_features, int out_features, const float* x,
                                 const float* weight, const float* bias, float* y, int threads) {
  const std::array<int, 5> key{batch, in_features, out_features, bias != nullptr ? 1 : 0, threads};
  auto found = cache_->entries.find(key);
  if (found == cache_->entries.end()) {
    try {
      found = cache_->entries
                  .emplace(key, make_inner_product(batch, in_features, out_features,
                                                   bias != nullptr, cache_->engine))
                  .first;
    } catch (const dnnl::error& e) {
      fail("onednn linear: no inner product for batch ", batch, ", ", in_features, " -> ",
           out_features, " features: ", e.what());
    }
  }
  if (bias != nullptr) {
    run(found->second, cache_->stream, {x, weight, bias, y});
  } else {
    run(found->second, cache_->stream, {x, weight, y});
  }
}

}  // namespace lathe::onednn
