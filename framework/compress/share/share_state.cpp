#include "compress/share/share_state.h"

#include "compress/share/weight_snapping.h"
#include "core/error.h"

namespace lathe::compress::share {

nn::Parameter& shared_weight(nn::Model& model, const std::string& layer) {
  const std::optional<std::size_t> index = model.find_layer(layer);
  LATHE_CHECK(index.has_value(), "share: layer '", layer, "' is no longer in model '",
              model.spec().name, "' (a later step replaced or renamed it)");
  for (nn::Parameter* parameter : model.layer(*index).parameters()) {
    if (parameter->name == "weight") return *parameter;
  }
  fail("share: layer '", layer, "' has no weight to share");
}

void snap_model(nn::Model& model, ShareState& state) {
  state.codebooks.clear();
  for (const std::string& layer : state.layers) {
    nn::Parameter& weight = shared_weight(model, layer);
    LayerSnap snap =
        snap_to_target_means(weight.value.values(), state.mixture.means, state.params.min_members);
    state.codebooks.push_back(std::move(snap.codebook));
  }
  state.snapped = true;
}

}  // namespace lathe::compress::share
