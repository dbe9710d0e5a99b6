#include "search/rung_recipe.h"

#include <yaml-cpp/yaml.h>

#include "core/error.h"

namespace lathe::search {
namespace {

std::string step_line(const YAML::Node& step) {
  return recipe_step_line(step.begin()->first.Scalar(), step.begin()->second);
}

}  // namespace

std::string recipe_at_rung(const std::string& recipe_yaml, const RungSchedule& schedule, int rung) {
  const YAML::Node steps = YAML::Load(recipe_yaml);
  LATHE_CHECK(steps.IsSequence() && steps.size() > 0 && steps[steps.size() - 1]["finetune"],
              "multi-fidelity recipe: expected a recipe ending with a finetune step, got:\n", recipe_yaml);
  std::string text;
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) text += step_line(steps[i]);
  YAML::Node last = YAML::Clone(steps[steps.size() - 1]);
  last["finetune"]["epochs"] = schedule.resource(0);
  text += step_line(last);
  for (int r = 1; r <= rung; ++r) {
    last["finetune"]["epochs"] = schedule.resource(r) - schedule.resource(r - 1);
    text += step_line(last);
  }
  return text;
}

void check_space_for_rungs(const RecipeSpace& space, const std::string& strategy) {
  LATHE_CHECK(!space.is_training(), "strategy: ", strategy,
              " continues fine-tunes of compression recipes; a training sweep (kind: train) cannot use it "
              "(use random, grid or nsga2)");
  // The last finetune of the written steps: the one whose epochs the rungs replace.
  const StepTemplate* last_finetune = nullptr;
  for (const StepTemplate& step : space.steps()) {
    if (step.kind == "finetune") last_finetune = &step;
  }
  if (last_finetune != nullptr) {
    const StepTemplate& step = *last_finetune;
    for (const SearchedKey& searched : step.searched) {
      LATHE_CHECK(searched.key != "epochs", step.where, ": ", step.label, ".epochs: searched, but with strategy ",
                  strategy, " the epochs of the last finetune are the budget the rungs set (min_epochs, eta, "
                  "max_epochs): give it a fixed value");
    }
  }
  for (const Point& point : space.probe_points()) {
    const YAML::Node steps = YAML::Load(space.recipe_yaml(point));
    const bool ends_in_finetune = steps.size() > 0 && steps[steps.size() - 1]["finetune"];
    if (ends_in_finetune) continue;
    const std::string last = steps.size() > 0 ? steps[steps.size() - 1].begin()->first.Scalar() : "nothing";
    fail("space: with strategy ", strategy,
         " every recipe must end with a finetune step (its epochs are the budget of the rungs), but one "
         "of the space ends with ", last, ":\n", space.recipe_yaml(point));
  }
}

}  // namespace lathe::search
