// How an imported model's inputs were prepared: an ONNX file does not say, so the user
// states it, as torchvision's ToTensor and Normalize do: x = (raw * scale - mean) / std
// per channel. Lathe reads 8-bit pixels as raw / 255, so the checkpoint stores the
// equivalent normalisation mean / (255 scale) and std / (255 scale).
#pragma once

#include <string>
#include <vector>

#include "config/field_checks.h"
#include "data/normalization.h"

namespace lathe::onnx_io {

struct InputPreparation {
  double scale = 1.0 / 255.0;
  std::vector<double> mean;  // empty: 0 for every channel
  std::vector<double> std;   // empty: 1 for every channel

  template <class V>
  void visit(V& v) {
    v.number("scale", scale, config::Range::positive(),
             "factor applied to raw 8-bit pixels before normalising (1/255: ToTensor)");
    v.numbers("mean", mean, config::Range::unbounded(), "per-channel mean subtracted after scaling (one value: all channels)");
    v.numbers("std", std, config::Range::positive(), "per-channel std divided by after scaling (one value: all channels)");
  }
};

// "1/255" or "0.5": what --scale accepts; `what` names the option in messages.
double parse_scale(const std::string& text, const std::string& what);
// "0.1307" or "0.485,0.456,0.406": what --mean and --std accept.
std::vector<double> parse_channel_values(const std::string& text, const std::string& what);

// The normalisation Lathe applies to raw / 255 that gives the stated preparation; one
// mean or std value is used for every channel, otherwise there must be `channels`.
// `graph_mean` and `graph_std` (one per channel): a normalisation the graph applies
// after the stated preparation, composed with it.
data::Normalization normalization_for(const InputPreparation& preparation, int channels,
                                      const std::string& where, const std::vector<double>& graph_mean = {},
                                      const std::vector<double>& graph_std = {});
// "scale 0.00392157, mean [0.1307], std [0.3081]", as the checkpoint records it.
std::string preparation_text(const InputPreparation& preparation);

}  // namespace lathe::onnx_io
