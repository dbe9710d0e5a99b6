// Removing a group in place: its parameter edits applied to the live model, either for
// good (the simplified model) or for one evaluation, after which every touched value is
// written back exactly as it was.
#pragma once

#include <vector>

#include "compress/ablate/ablation_group.h"
#include "nn/model.h"

namespace lathe::compress::ablate {

// Applies the edits to the model's parameters, found by name; `where` names the caller
// in errors (an unknown parameter, a channel out of range, an identity that does not fit).
void apply_edits(nn::Model& model, const std::vector<ParameterEdit>& edits, const std::string& where);

// Removes a group for the lifetime of this object; the destructor (also on an exception)
// restores the saved values bit for bit.
class TemporaryRemoval {
 public:
  TemporaryRemoval(nn::Model& model, const AblationGroup& group);
  TemporaryRemoval(const TemporaryRemoval&) = delete;
  TemporaryRemoval& operator=(const TemporaryRemoval&) = delete;
  ~TemporaryRemoval();

 private:
  void restore() noexcept;

  struct Saved {
    nn::Parameter* parameter;
    std::int64_t offset;
    std::vector<float> values;
  };
  std::vector<Saved> saved_;
};

}  // namespace lathe::compress::ablate
