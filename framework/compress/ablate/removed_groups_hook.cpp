#include "compress/ablate/removed_groups_hook.h"

#include "compress/ablate/group_removal.h"

namespace lathe::compress::ablate {

void RemovedGroupsHook::on_train_start(Backend& /*backend*/, nn::Model& model, std::int64_t /*total_steps*/) {
  apply_edits(model, edits_, where_);
}

void RemovedGroupsHook::after_update(Backend& /*backend*/, nn::Model& model) { apply_edits(model, edits_, where_); }

}  // namespace lathe::compress::ablate
