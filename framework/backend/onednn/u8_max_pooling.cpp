#include "backend/onednn/u8_max_pooling.h"

#include <array>
#include <map>

#include <oneapi/dnnl/dnnl.hpp>

#include "backend/cpu/cpu_kernels.h"
#include "backend/onednn/int8_primitive.h"
#include "core/error.h"

namespace lathe::onednn {
namespace {

int right_padding(int in, int out, const Pool2dGeometry& g) {
  return onednn::right_padding(in, out, g.kernel, g.stride, g.padding);
}

}  // namespace

struct U8MaxPooling::Cache {
  Pool2dGeometry geometry;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<std::array<int, 2>, Entry> entries;  // by batch and thread count

  Entry& entry(int batch, int threads) {
    const std::array<int, 2> key{batch, threads};
    if (auto found = entries.find(key); found != entries.end()) return found->second;
    return entries.emplace(key, make(batch)).first->second;
  }

  Entry make(int batch) {
    const Pool2dGeometry& g = geometry;
    const memory::desc src({batch, g.channels, g.in_height, g.in_width}, Type::u8, Tag::nhwc);
    const memory::desc dst({batch, g.channels, g.out_height(), g.out_width()}, Type::u8, Tag::nhwc);
    try {
      const dnnl::pooling_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, src, dst,
          {g.stride, g.stride}, {g.kernel, g.kernel}, {g.padding, g.padding},
          {right_padding(g.in_height, g.out_height(), g), right_padding(g.in_width, g.out_width(), g)});
      const dnnl::pooling_forward::primitive_desc pd(desc, primitive_attributes(false), engine);
      Entry made;
      made.primitive = dnnl::pooling_forward(pd);
      made.operands.push_back(make_operand(DNNL_ARG_SRC, false, src, pd.src_desc(), engine));
      made.operands.push_back(make_operand(DNNL_ARG_DST, true, dst, pd.dst_desc(), engine));
      made.finish(pd, engine);
      return made;
    } catch (const dnnl::error& e) {
      fail("onednn u8 maxpool: no primitive for batch ", batch, ", ", g.channels, "x", g.in_height,
           "x", g.in_width, " codes, ", g.kernel, "x", g.kernel, " window, stride ", g.stride,
           ", padding ", g.padding, ": ", e.what());
    }
  }
};

std::string U8MaxPooling::why_not(const Pool2dGeometry& g) {
  if (right_padding(g.in_height, g.out_height(), g) < 0 || right_padding(g.in_width, g.out_width(), g) < 0) {
    return "its windows leave input rows or columns unread";
  }
  return "";
}

U8MaxPooling::U8MaxPooling(const Pool2dGeometry& g) : cache_(std::make_unique<Cache>()) {
  const std::string why = why_not(g);
  LATHE_CHECK(g.channels > 0 && g.out_height() > 0 && g.out_width() > 0 && why.empty(),
              "onednn u8 maxpool: cannot pool a ", g.channels, "x", g.in_height, "x", g.in_width,
              " input with a ", g.kernel, "x", g.kernel, " window: ", why);
  cache_->geometry = g;
}

U8MaxPooling::~U8MaxPooling() = default;

void U8MaxPooling::forward(int batch, const std::uint8_t* input, std::uint8_t* output, int threads) {
  Cache& c = *cache_;
  Entry& entry = c.entry(batch, threads);
  const cpu::ThreadScope thread_scope(threads);
  run(entry, c.stream, {input, output});
}

std::string U8MaxPooling::implementation(int batch, int threads) {
  return cache_->entry(batch, threads).implementation;
}

}  // namespace lathe::onednn
