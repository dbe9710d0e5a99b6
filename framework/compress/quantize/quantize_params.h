// The keys of the `quantize` recipe step (docs/methods.md M3; also M5's quantise attempt),
// declared once for the reader, --help and docs. Defaults marked (ours) are choices
// the method leaves open.
//
// weight_bits is either an integer (every quantised layer) or a mapping
// {default: 4, conv1: 8}; the mapping form is read before this struct sees the rest of
// the node (quantize_step.cpp), the integer form by `visit` below.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/field_checks.h"

namespace lathe::compress::quantize {

struct QuantizeParams {
  std::string method = "qat";
  int weight_bits = 8;
  std::map<std::string, int> weight_bits_by_layer;  // from the mapping form, not `visit`
  int act_bits = 8;
  bool symmetric = true;
  bool act_symmetric = false;
  std::string granularity = "per_channel";
  std::string calibration = "minmax";
  double percentile = 99.99;
  int calibration_batches = 8;
  std::string range_update = "counted";
  int window = 16;
  double ratio_up = 0.5;
  double ratio_down = 0.5;
  std::string update_rule = "weighted_mean";
  double weight_old = 0.5;
  double weight_mean = 0.5;
  double coefficient = 0.1;
  double momentum = 0.9;
  std::string start_bits = "target";
  double switch_fraction = 0.5;
  std::vector<std::string> layers;

  template <class V>
  void visit(V& v) {
    using config::Range;
    v.choice("method", method, {"ptq", "qat"},
             "ptq: calibrate and round once; qat: also keep the weights and activations "
             "quantised while later finetune steps train (float master weights in the hook) "
             "(default qat: ours)");
    v.number("weight_bits", weight_bits, Range::closed(2, 8),
             "bits per weight of conv2d and linear layers; or a mapping {default: 4, "
             "conv1: 8} with per-layer widths (default 8: ours)");
    v.number("act_bits", act_bits, Range::closed(0, 8),
             "bits of the activations entering quantised layers, 2 to 8; 0 keeps them float; "
             "7 lets 8-bit weights run on integer kernels on CPUs without VNNI "
             "(default 8: ours)");
    v.flag("symmetric", symmetric,
           "weights on a signed grid symmetric around 0 (else min/max with a zero point) "
           "(default true: ours)");
    v.flag("act_symmetric", act_symmetric,
           "activations on a symmetric grid too (default false, ours: post-ReLU values are "
           "non-negative and an asymmetric grid keeps every level)");
    v.choice("granularity", granularity, {"per_tensor", "per_channel"},
             "one weight scale per tensor or per output channel/unit (default per_channel: ours)");
    v.choice("calibration", calibration, {"minmax", "percentile", "mse"},
             "how activation ranges are chosen from training batches: observed min/max, a "
             "percentile of the values, or the clipping with the least quantisation MSE "
             "(ranges fixed before training; also QAT's starting range P)");
    v.number("percentile", percentile, Range{50.0, 100.0, false, true},
             "percentile calibration: percent of values kept inside the range at each end "
             "(default 99.99: ours)");
    v.number("calibration_batches", calibration_batches, Range::closed(1, 1000000),
             "training batches seen by calibration (default 8: ours)");
    v.choice("range_update", range_update, {"counted", "ema", "none"},
             "QAT: how activation ranges follow training: the counted rule (docs/methods.md), an "
             "exponential moving average (ours) or fixed at calibration");
    v.number("window", window, Range::closed(1, 1000000),
             "counted: iterations N before the ratios are checked; 1 = after every iteration "
             "as the method describes it (default 16: ours)");
    v.number("ratio_up", ratio_up, Range::closed(0, 1),
             "counted: r1, raise P when more than this share of the N observations exceed it "
             "(default 0.5: ours)");
    v.number("ratio_down", ratio_down, Range::closed(0, 1),
             "counted: r2, lower P when more than this share fall below it (default 0.5: ours)");
    v.choice("update_rule", update_rule, {"weighted_mean", "coefficient"},
             "counted: new P = weight_old*P + weight_mean*mean(q) (the mean of the observed "
             "values q), or P moved by coefficient*|P|");
    v.number("weight_old", weight_old, Range::closed(0, 1),
             "counted weighted_mean: w_P (default 0.5: ours)");
    v.number("weight_mean", weight_mean, Range::closed(0, 1),
             "counted weighted_mean: w_m (default 0.5: ours)");
    v.number("coefficient", coefficient, Range{0.0, 1.0, false, true},
             "counted coefficient: P + c*|P| up, P - c*|P| down (default 0.1: ours)");
    v.number("momentum", momentum, Range::half_open(0, 1),
             "ema: P = momentum*P + (1-momentum)*q per iteration (default 0.9: ours)");
    v.choice("start_bits", start_bits, {"target", "intermediate"},
             "QAT start: target = calibrated ranges at the target precision at once; "
             "intermediate = target + 2 bits (at most 8, ours) until switch_fraction");
    v.number("switch_fraction", switch_fraction, Range::closed(0, 1),
             "intermediate start: share of the first training run's steps before the target "
             "bits apply (default 0.5: ours)");
    v.texts("layers", layers,
            "conv2d/linear layers to quantise (default: all of them)");
  }
};

}  // namespace lathe::compress::quantize
