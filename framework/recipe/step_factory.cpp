#include "recipe/step_factory.h"

#include "compress/ablate/ablation_step.h"
#include "compress/distill/distill_step.h"
#include "compress/prune/filter_prune_step.h"
#include "compress/prune/prune_method.h"
#include "compress/quantize/quantize_step.h"
#include "compress/share/share_step.h"
#include "core/error.h"

namespace lathe::recipe {

std::unique_ptr<compress::CompressionStep> make_compression_step(const RecipeStepSpec& step) {
  if (step.kind == "prune") {
    // read_prune_method checks the word against the known methods.
    const std::string method = compress::read_prune_method(step.params, step.source);
    if (method == "ablation") return compress::ablate::make_ablation_step(step.params, step.source);
    return compress::make_filter_prune_step(step.params, step.source);
  }
  if (step.kind == "quantize") return compress::make_quantize_step(step.params, step.source);
  if (step.kind == "share") return compress::make_share_step(step.params, step.source);
  if (step.kind == "distill") return compress::make_distill_step(step.params, step.source);
  fail(step.source.where, ": ", step.source.label, ": no compression step of this kind");
}

}  // namespace lathe::recipe
