#include "compress/ablate/removed_groups_hook.h"

#include "compress/ablate/group_removal.h"
#include "nn/model_placement.h"

namespace lathe::compress::ablate {

namespace {

// The edits are host code; on a device backend the model's parameters visit the host for
// them (a copy each way per step: a known cost until the edits are backend operations).
// On the host backend the visit moves nothing.
void apply_edits_on_host(nn::Model& model, const std::vector<ParameterEdit>& edits,
                         const std::string& where) {
  nn::ParametersOnHost on_host(model.all_parameters());
  apply_edits(model, edits, where);
  on_host.finish();
}

}  // namespace

void RemovedGroupsHook::on_train_start(Backend& /*backend*/, nn::Model& model,
                                       std::int64_t /*total_steps*/) {
  apply_edits_on_host(model, edits_, where_);
}

void RemovedGroupsHook::after_update(Backend& /*backend*/, nn::Model& model) {
  apply_edits_on_host(model, edits_, where_);
}

}  // namespace lathe::compress::ablate
