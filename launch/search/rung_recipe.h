// The recipes of multi-fidelity candidates (strategy successive_halving or asha), whose
// budget is the fine-tune epochs of the recipe's last step: at rung 0 that finetune runs
// the schedule's lowest epochs; each later rung appends a finetune step with the same
// settings for the epochs it adds (schedule.resource(r) - resource(r - 1)). So the recipe
// of rung r extends that of rung r - 1 by finetune steps only, and a promoted candidate's
// worker continues the kept state of its parent (recipe/evaluator.h: PausedCandidate)
// instead of training again from the base.
//
//   rung 0:  - prune: {...}  - finetune: {epochs: 1, lr: 0.01}
//   rung 1:  ... the same ... - finetune: {epochs: 2, lr: 0.01}       (eta 3: 1 + 2 = 3)
#pragma once

#include <string>

#include "search/recipe_space.h"
#include "strategies/rung_schedule.h"

namespace lathe::search {

// `recipe_yaml` as RecipeSpace::recipe_yaml writes it, for `rung`.
std::string recipe_at_rung(const std::string& recipe_yaml, const RungSchedule& schedule, int rung);

// Throws lathe::Error naming the step (file:line) unless every recipe of the space ends
// with a finetune step whose epochs are not searched (the strategy sets them).
void check_space_for_rungs(const RecipeSpace& space, const std::string& strategy);

}  // namespace lathe::search
