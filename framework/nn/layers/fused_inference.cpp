#include "nn/layers/fused_inference.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/error.h"
#include "nn/layers/batchnorm_affine.h"
#include "nn/layers/fusable.h"
#include "nn/layers/fake_quant.h"
#include "nn/layers/integer_run.h"

namespace lathe::nn {
namespace {

// The one layer that reads node `index`'s output, or -1 when none or several do (or it
// is the model's output).
std::vector<int> sole_consumers(const ModelSpec& spec) {
  std::map<std::string, int> index_of;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    index_of[spec.layers[i].name] = static_cast<int>(i);
  }
  std::vector<int> consumer(spec.layers.size(), -1);
  std::vector<int> readers(spec.layers.size(), 0);
  readers.back() = 1;  // the logits are read by the caller
  for (std::size_t j = 0; j < spec.layers.size(); ++j) {
    for (const std::string& input : spec.layers[j].inputs) {
      if (input == kModelInputName) continue;
      const int i = index_of.at(input);
      ++readers[i];
      consumer[i] = static_cast<int>(j);
    }
  }
  for (std::size_t i = 0; i < consumer.size(); ++i) {
    if (readers[i] != 1) consumer[i] = -1;
  }
  return consumer;
}

// w' = w * s and b' = b * s + shift per output channel (batchnorm_affine.h). `weight`
// and `bias` are host tensors.
void fold(const FoldableBatchNorm& norm, int outputs, Tensor& weight, Tensor& bias) {
  const ChannelAffine affine = batchnorm_affine(norm);
  const std::int64_t per_output = weight.size() / outputs;
  for (int o = 0; o < outputs; ++o) {
    const float scale = affine.scale[o];
    for (std::int64_t k = 0; k < per_output; ++k) weight[o * per_output + k] *= scale;
    bias[o] = bias[o] * scale + affine.shift[o];
  }
}

}  // namespace

// Host copies of a fused layer's weight and bias (zeros when it has none), to fold into.
void FusedInference::copy_parameters(const Tensor& weight, const Tensor* bias, Step& step) {
  step.weight = Tensor(weight.shape());
  step.weight.copy_from_host(weight.to_host_vector());
  step.bias = Tensor(Shape{weight.shape()[0]});
  if (bias != nullptr) step.bias.copy_from_host(bias->to_host_vector());
}

// The layers after conv2d `index` that fold into it: a batchnorm of images, then a ReLU,
// each the sole reader of the one before. A chain is contiguous in spec order.
FusedInference::ConvChain FusedInference::conv_chain(const std::vector<int>& consumer,
                                                     std::size_t index) const {
  ConvChain chain{index, nullptr, false};
  const auto reads_alone = [&](std::size_t from) {
    return consumer[from] == static_cast<int>(from + 1);
  };
  if (reads_alone(chain.end)) {
    const auto* norm = dynamic_cast<const FoldableBatchNorm*>(&model_.layer(chain.end + 1));
    if (norm != nullptr && norm->normalises_images()) {
      chain.norm = norm;
      ++chain.end;
    }
  }
  if (reads_alone(chain.end) && model_.layer(chain.end + 1).type() == "relu") {
    ++chain.end;
    chain.relu = true;
  }
  return chain;
}

// A fake_quant at `index` read only by a conv2d or linear layer (with the layers its
// chain absorbs, the last at `end`): the chain prepared for integer kernels, or nullopt,
// with `why_not` said when the artifact stores the layer's weight but the path does not
// apply (left empty when `index` starts no such chain).
std::optional<PreparedIntegerLayer> FusedInference::prepare_integer_chain(
    const std::vector<int>& consumer, const Backend& backend, const io::Checkpoint& stored,
    std::size_t index, std::size_t& end, std::string& why_not) const {
  const auto* quantizer = dynamic_cast<const FakeQuant*>(&model_.layer(index));
  if (quantizer == nullptr || consumer[index] != static_cast<int>(index + 1)) return std::nullopt;
  const Layer& layer = model_.layer(index + 1);
  IntegerChain chain;
  chain.quantizer = quantizer;
  chain.convolution = dynamic_cast<const FusableConvolution*>(&layer);
  chain.linear = dynamic_cast<const FusableLinear*>(&layer);
  if (chain.convolution == nullptr && chain.linear == nullptr) return std::nullopt;
  const std::string weight_name = layer.name() + "/weight";
  const auto tensor = std::find_if(stored.tensors.begin(), stored.tensors.end(),
                                   [&](const io::NamedTensor& t) { return t.name == weight_name; });
  why_not = "its weight is not stored quantised";
  end = index + 1;
  if (chain.convolution != nullptr) {
    const ConvChain conv = conv_chain(consumer, index + 1);
    chain.norm = conv.norm;
    chain.relu = conv.relu;
    end = conv.end;
  } else if (consumer[index + 1] == static_cast<int>(index + 2) &&
             model_.layer(index + 2).type() == "relu") {
    chain.relu = true;
    end = index + 2;
  }
  if (tensor == stored.tensors.end() || !tensor->packed) return std::nullopt;
  return prepare_integer_layer(chain, *tensor->packed, backend, why_not);
}

// The integer chain at step.node and every chain after it that can take its codes
// (integer_run.h): max poolings, a global average pooling and a flatten between two
// chains join the run, each read by the next layer alone. False, with the reason kept in
// integer_fallbacks_, when step.node's chain keeps the simulated path.
bool FusedInference::plan_integer_step(const std::vector<int>& consumer, const Backend& backend,
                                       const io::Checkpoint& stored, Step& step) {
  std::size_t end = step.node;
  std::string why_not;
  std::optional<PreparedIntegerLayer> first =
      prepare_integer_chain(consumer, backend, stored, step.node, end, why_not);
  if (!first) {
    if (!why_not.empty()) {
      integer_fallbacks_.push_back(model_.layer(step.node + 1).name() + ": " + why_not);
    }
    return false;
  }
  IntegerRunPlan run(std::move(*first));
  std::string last_name = model_.layer(step.node + 1).name();
  while (true) {
    // Through max poolings, a global average pooling and a flatten to the next layer,
    // each read by the next alone.
    std::size_t at = end;
    RunLink between;
    while (consumer[at] == static_cast<int>(at + 1) && at + 1 < model_.layer_count()) {
      const Layer& layer = model_.layer(at + 1);
      const auto* pool = dynamic_cast<const FusableMaxPool*>(&layer);
      if (pool != nullptr && !between.global_average && !between.flattened) {
        between.max_pools.push_back(pool->max_pool_geometry());
      } else if (layer.type() == "global_avgpool" && !between.global_average && !between.flattened) {
        between.global_average = true;
      } else if (layer.type() == "flatten" && !between.flattened) {
        between.flattened = true;
      } else {
        break;
      }
      ++at;
    }
    if (consumer[at] != static_cast<int>(at + 1)) break;
    std::size_t next_end = at + 1;
    std::string next_why;
    std::optional<PreparedIntegerLayer> next =
        prepare_integer_chain(consumer, backend, stored, at + 1, next_end, next_why);
    if (!next) break;  // the fallback is said when the planner reaches that layer
    const std::string next_name = model_.layer(at + 2).name();
    if (const std::string why = run.why_not_linked(between, *next); !why.empty()) {
      float_handoffs_.push_back(last_name + " -> " + next_name + ": " + why);
      break;
    }
    run.link(std::move(between), std::move(*next));
    end = next_end;
    last_name = next_name;
  }
  integer_layers_ += run.layers();
  code_handoffs_ += run.code_handoffs();
  step.integer = std::move(run).make();
  step.output_node = end;
  return true;
}

FusedInference::FusedInference(Model& model, const Backend& backend, const io::Checkpoint* stored)
    : model_(model) {
  LATHE_CHECK(model.memory() == backend.memory(), "model '", model.spec().name,
              "': fused inference needs the model placed where the ", backend.name(),
              " backend reads (nn::ModelOnBackend)");
  DeviceMemory* memory = backend.memory();
  const ModelSpec& spec = model.spec();
  std::map<std::string, int> index_of;
  const std::vector<int> consumer = sole_consumers(spec);
  outputs_.resize(model.layer_count());
  for (Tensor& output : outputs_) output.place(memory);
  for (std::size_t i = 0; i < model.layer_count(); ++i) {
    index_of[spec.layers[i].name] = static_cast<int>(i);
  }
  std::size_t next = 0;
  while (next < model.layer_count()) {
    Step step;
    step.node = next;
    step.output_node = next;
    for (const std::string& input : spec.layers[next].inputs) {
      step.inputs.push_back(input == kModelInputName ? kModelInput : index_of.at(input));
    }
    if (stored != nullptr && plan_integer_step(consumer, backend, *stored, step)) {
      next = step.output_node + 1;
      steps_.push_back(std::move(step));
      continue;
    }
    const auto* conv = dynamic_cast<const FusableConvolution*>(&model.layer(next));
    const auto* linear = dynamic_cast<const FusableLinear*>(&model.layer(next));
    if (linear != nullptr && consumer[next] == static_cast<int>(next + 1) &&
        model.layer(next + 1).type() == "relu") {
      step.fused = step.linear = step.relu = true;
      step.output_node = next + 1;
      step.in_features = linear->in_features();
      step.out_features = linear->out_features();
      copy_parameters(linear->linear_weight(), linear->linear_bias(), step);
      ++fused_chains_;
    }
    if (conv != nullptr) {
      const ConvChain chain = conv_chain(consumer, next);
      step.relu = chain.relu;
      // The chain's output goes where its last layer's would; the layers it absorbed
      // are skipped.
      if (chain.end != next) {
        step.fused = true;
        step.output_node = chain.end;
        step.geometry = conv->convolution_geometry();
        // Folded on the host (a few thousand values), then placed with the model.
        copy_parameters(conv->convolution_weight(), conv->convolution_bias(), step);
        if (chain.norm != nullptr) fold(*chain.norm, step.geometry.out_channels, step.weight, step.bias);
        ++fused_chains_;
      }
    }
    step.weight.place(memory);
    step.bias.place(memory);
    next = step.output_node + 1;
    steps_.push_back(std::move(step));
  }
}

const Tensor& FusedInference::forward(Backend& backend, const Tensor& images) {
  const RunMode inference{false, 0};
  const Shape expected = model_.input_item_shape();
  LATHE_CHECK(images.shape().rank() == 4 && images.shape()[1] == expected[0] &&
                  images.shape()[2] == expected[1] && images.shape()[3] == expected[2],
              "model '", model_.spec().name, "' expects input N x ", expected[0], " x ",
              expected[1], " x ", expected[2], ", got ", images.shape().to_string());
  LATHE_CHECK(images.memory() == model_.memory(), "model '", model_.spec().name,
              "': the input images live in other memory than the model");
  for (Step& step : steps_) {
    inputs_.clear();
    for (const int id : step.inputs) {
      inputs_.push_back(id == kModelInput ? &images : &outputs_[static_cast<std::size_t>(id)]);
    }
    Tensor& output = outputs_[step.output_node];
    if (step.integer) {
      step.integer->forward(backend, *inputs_[0], output);
      continue;
    }
    if (!step.fused) {
      model_.layer(step.node).forward(backend, inputs_, output, inference);
      continue;
    }
    const auto batch = static_cast<int>(inputs_[0]->shape()[0]);
    if (step.linear) {
      output.resize(Shape{batch, step.out_features});
      backend.linear_forward_relu(batch, step.in_features, step.out_features, inputs_[0]->data(),
                                  step.weight.data(), step.bias.data(), output.data());
      continue;
    }
    Conv2dGeometry g = step.geometry;
    g.batch = batch;
    output.resize(Shape{g.batch, g.out_channels, g.out_height(), g.out_width()});
    if (step.relu) {
      backend.conv2d_forward_relu(g, inputs_[0]->data(), step.weight.data(), step.bias.data(),
                                  output.data());
    } else {
      backend.conv2d_forward(g, inputs_[0]->data(), step.weight.data(), step.bias.data(),
                             output.data());
    }
  }
  return outputs_.back();
}

std::vector<std::string> FusedInference::integer_implementations(const Backend& backend, int batch) {
  std::vector<std::string> kernels;
  for (Step& step : steps_) {
    if (!step.integer) continue;
    for (std::string& kernel : step.integer->implementations(backend, batch)) {
      kernels.push_back(std::move(kernel));
    }
  }
  return kernels;
}

}  // namespace lathe::nn
