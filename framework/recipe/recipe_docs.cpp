#include "recipe/recipe_docs.h"

#include <vector>

#include "compress/ablate/ablation_params.h"
#include "compress/distill/distill_params.h"
#include "compress/prune/filter_prune_params.h"
#include "compress/quantize/quantize_params.h"
#include "compress/share/share_params.h"
#include "config/field_listing.h"
#include "recipe/finetune_step.h"

namespace lathe::recipe {
namespace {

struct StepKeys {
  const char* title;
  std::vector<config::FieldRow> rows;
};

std::vector<StepKeys> every_step() {
  using config::FieldListing;
  return {
      {"prune, method filter (M4)", FieldListing::of(compress::FilterPruneParams{})},
      {"prune, method ablation (M1)", FieldListing::of(compress::ablate::AblationParams{})},
      {"quantize (M3)", FieldListing::of(compress::quantize::QuantizeParams{})},
      {"share (M2)", FieldListing::of(compress::share::ShareParams{})},
      {"distill (M5's variants)", FieldListing::of(compress::distill::DistillParams{})},
      {"finetune", FieldListing::of(FinetuneParams{})},
  };
}

}  // namespace

std::string recipe_reference(bool markdown) {
  std::string text = markdown ? "" : "\nrecipe steps and their keys (YAML):\n";
  for (const StepKeys& step : every_step()) {
    if (markdown) {
      text += std::string("\n### ") + step.title + "\n\n" + config::format_markdown(step.rows);
    } else {
      text += std::string("\n") + step.title + ":\n" + config::format_help(step.rows);
    }
  }
  return text;
}

}  // namespace lathe::recipe
