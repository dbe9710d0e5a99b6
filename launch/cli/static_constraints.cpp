#include "cli/static_constraints.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend_factory.h"
#include "common/checkpoint_data.h"
#include "core/error.h"
#include "data/split.h"
#include "io/stored_size.h"
#include "recipe/evaluator.h"
#include "recipe/recipe.h"
#include "search/smallest_model_points.h"
#include "strategies/number_text.h"

namespace lathe::cli {
namespace {

// The first `count` items of `set`: size and MACs do not depend on the images, and the
// steps that calibrate (PTQ ranges, Taylor saliency) need only a few.
data::Dataset first_items(const data::Dataset& set, std::int64_t count) {
  std::vector<std::int64_t> first(static_cast<std::size_t>(std::min(count, set.size())));
  std::iota(first.begin(), first.end(), 0);
  return data::take_items(set, first, set.source + " (first " + std::to_string(first.size()) + " items)");
}

std::string point_text(const search::SearchSpace& space, const search::SmallestModelPoint& smallest) {
  std::string text;
  for (const int d : smallest.set_dimensions) {
    const search::Dimension& dimension = space.dimensions[static_cast<std::size_t>(d)];
    const double value = smallest.point[static_cast<std::size_t>(d)];
    text += (text.empty() ? "" : ", ") + dimension.name + " = " +
            (dimension.kind == search::Dimension::Kind::categorical ? dimension.choices[static_cast<std::size_t>(value)]
                                                                    : search::exact_number(value));
  }
  return text.empty() ? "every point is the same model" : text;
}

}  // namespace

void check_static_constraints(const search::Experiment& experiment, const io::Checkpoint& base,
                              const std::string& base_path) {
  const recipe::TargetCondition& limits = experiment.file.constraints;
  if (experiment.file.kind != "compress" || (limits.max_size_bytes <= 0 && limits.max_macs <= 0)) return;
  const std::vector<search::SmallestModelPoint> points = search::smallest_model_points(experiment.space);
  if (points.empty()) return;
  data::DataSplits data = launch::load_checkpoint_data(
      base, base_path, experiment.file.data.empty() ? std::nullopt : std::optional<std::string>(experiment.file.data));
  for (data::Dataset* set : {&data.train, &data.validation, &data.test}) *set = first_items(*set, 64);
  const std::unique_ptr<Backend> backend = make_backend("cpu", 1, /*deterministic=*/true);
  recipe::EvaluatorOptions options;
  options.batch_size = 32;
  options.measure_latency = false;
  struct Smallest {
    std::int64_t value = std::numeric_limits<std::int64_t>::max();
    const search::SmallestModelPoint* point = nullptr;
  } size, macs;
  for (const search::SmallestModelPoint& smallest : points) {
    recipe::Recipe recipe = recipe::parse_recipe(experiment.space.recipe_yaml(smallest.point),
                                                 experiment.path + ": the space's smallest model");
    std::erase_if(recipe.steps, [](const recipe::RecipeStepSpec& step) { return step.kind == "finetune"; });
    const recipe::CompressionOutcome outcome =
        recipe::compress_and_measure(base, base_path, recipe, data, *backend, options);
    if (outcome.metrics.status != recipe::CandidateStatus::ok) return;  // cannot tell: the search will
    if (outcome.metrics.size_bytes < size.value) size = {outcome.metrics.size_bytes, &smallest};
    if (outcome.metrics.macs < macs.value) macs = {outcome.metrics.macs, &smallest};
  }
  const search::SearchSpace& space = experiment.space.space();
  LATHE_CHECK(limits.max_size_bytes <= 0 || size.value <= limits.max_size_bytes, experiment.path,
              ": constraints.max_size_bytes: ", limits.max_size_bytes, " bytes cannot be met: the space's smallest "
              "model (", point_text(space, *size.point), ") stores ", size.value, " bytes, so no candidate could "
              "be feasible (the base stores ", io::payload_bytes(base), ")");
  LATHE_CHECK(limits.max_macs <= 0 || macs.value <= limits.max_macs, experiment.path, ": constraints.max_macs: ",
              limits.max_macs, " cannot be met: the space's smallest model (", point_text(space, *macs.point),
              ") takes ", macs.value, " MACs per image, so no candidate could be feasible");
}

}  // namespace lathe::cli
