#include "nn/layers/fused_inference.h"

#include <cmath>
#include <map>
#include <string>

#include "core/error.h"
#include "nn/layers/fusable.h"

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

// w' = w * s and b' = b * s + shift per output channel, with the same float scale and
// shift as Backend::batchnorm_forward_inference: s = gamma / sqrt(var + eps), shift =
// beta - mean * s. `weight` and `bias` are host tensors.
void fold(const FoldableBatchNorm& norm, int outputs, Tensor& weight, Tensor& bias) {
  const FoldableBatchNorm::Statistics stats = norm.statistics();
  const std::vector<float> gamma = stats.gamma->to_host_vector();
  const std::vector<float> beta = stats.beta->to_host_vector();
  const std::vector<float> mean = stats.running_mean->to_host_vector();
  const std::vector<float> variance = stats.running_var->to_host_vector();
  const std::int64_t per_output = weight.size() / outputs;
  for (int o = 0; o < outputs; ++o) {
    const float scale = gamma[o] / std::sqrt(variance[o] + stats.epsilon);
    const float shift = beta[o] - mean[o] * scale;
    for (std::int64_t k = 0; k < per_output; ++k) weight[o * per_output + k] *= scale;
    bias[o] = bias[o] * scale + shift;
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

FusedInference::FusedInference(Model& model, const Backend& backend) : model_(model) {
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
    const auto* conv = dynamic_cast<const FusableConvolution*>(&model.layer(next));
    const auto* linear = dynamic_cast<const FusableLinear*>(&model.layer(next));
    const FoldableBatchNorm* norm = nullptr;
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
      // A chain is contiguous in spec order: each link the sole reader of the one before.
      std::size_t end = next;
      const auto reads_alone = [&](std::size_t from) {
        return consumer[from] == static_cast<int>(from + 1);
      };
      if (reads_alone(end)) {
        norm = dynamic_cast<const FoldableBatchNorm*>(&model.layer(end + 1));
        if (norm != nullptr && norm->normalises_images()) {
          ++end;
        } else {
          norm = nullptr;
        }
      }
      if (reads_alone(end) && model.layer(end + 1).type() == "relu") {
        ++end;
        step.relu = true;
      }
      // The chain's output goes where its last layer's would; the layers it absorbed
      // are skipped.
      if (end != next) {
        step.fused = true;
        step.output_node = end;
        step.geometry = conv->convolution_geometry();
        // Folded on the host (a few thousand values), then placed with the model.
        copy_parameters(conv->convolution_weight(), conv->convolution_bias(), step);
        if (norm != nullptr) fold(*norm, step.geometry.out_channels, step.weight, step.bias);
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

}  // namespace lathe::nn
