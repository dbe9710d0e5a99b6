// Which convolutions the CPU backend hands to oneDNN (backend/onednn/), built only with it.
//
// Measured at batch 128, 1 thread, on the 2-core AMD EPYC (AVX-512) development machine
// under a shared load (build/dev, /tmp convbench, 2026-12-01), im2col / oneDNN in ms:
// oneDNN's forward and filter gradient ran 1.2-5x faster on every lenet5 and vgg_small
// layer, and its data gradient 1.2-1.6x faster except where the input has one channel:
// 28.5 against 4.0 (lenet5 conv1) and 24.2 against 8.0 (vgg_small conv1). Its kernels
// block channels by 16, so a one-channel input is padded 16-fold and reordered back; the
// data gradient of so few channels stays with im2col. (A training step never asks for the
// first layer's data gradient, but an ablation or a model fed by another may.)
#ifdef LATHE_HAVE_ONEDNN
#include "backend/cpu/cpu_backend.h"
#include "backend/onednn/onednn_convolutions.h"

namespace lathe {

namespace {
constexpr int kFewestChannelsForOnednnDataGradient = 4;
}  // namespace

bool CpuBackend::convolves_with_onednn(const Conv2dGeometry& g, onednn::ConvPass pass) const {
  if (route_ == ConvolutionRoute::im2col || !onednn::accepts(g)) return false;
  if (route_ == ConvolutionRoute::onednn) return true;
  return pass != onednn::ConvPass::backward_data ||
         g.in_channels >= kFewestChannelsForOnednnDataGradient;
}

}  // namespace lathe
#endif
