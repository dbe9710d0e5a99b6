#include "compress/quantize/model_lookup.h"

#include "core/error.h"

namespace lathe::compress::quantize {

nn::Parameter& find_parameter(nn::Model& model, const std::string& name) {
  for (const nn::NamedParameter& named : model.named_parameters()) {
    if (named.name == name) return *named.parameter;
  }
  fail("quantize: the model has no parameter '", name, "'");
}

nn::FakeQuant& find_quantizer(nn::Model& model, const std::string& name) {
  const std::optional<std::size_t> index = model.find_layer(name);
  auto* quantizer = index ? dynamic_cast<nn::FakeQuant*>(&model.layer(*index)) : nullptr;
  LATHE_CHECK(quantizer != nullptr, "quantize: the model has no fake_quant layer '", name, "'");
  return *quantizer;
}

}  // namespace lathe::compress::quantize
