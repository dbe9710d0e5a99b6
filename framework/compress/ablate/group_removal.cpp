#include "compress/ablate/group_removal.h"

#include <algorithm>
#include <map>

#include "core/error.h"

namespace lathe::compress::ablate {
namespace {

// The span of values an edit touches: the whole tensor or one slice along axis 0.
struct EditRange {
  nn::Parameter* parameter;
  std::int64_t offset;
  std::int64_t count;
};

using ParameterIndex = std::map<std::string, nn::Parameter*>;

ParameterIndex index_parameters(nn::Model& model) {
  ParameterIndex index;
  for (const nn::NamedParameter& named : model.named_parameters()) index[named.name] = named.parameter;
  return index;
}

EditRange range_of(const ParameterIndex& parameters, const nn::Model& model, const ParameterEdit& edit,
                   const std::string& where) {
  const auto found = parameters.find(edit.parameter);
  LATHE_CHECK(found != parameters.end(), where, ": parameter '", edit.parameter, "' is not in model '",
              model.spec().name, "'");
  nn::Parameter* parameter = found->second;
  const Shape& shape = parameter->value.shape();
  if (edit.channel < 0) return {parameter, 0, parameter->value.size()};
  LATHE_CHECK(shape.rank() >= 1 && edit.channel < shape[0], where, ": parameter '", edit.parameter,
              "' has shape ", shape.to_string(), ", no channel ", edit.channel);
  const std::int64_t per_channel = parameter->value.size() / shape[0];
  return {parameter, edit.channel * per_channel, per_channel};
}

// An identity weight: out x in (linear) or out x in x k x k (conv) with out == in; a
// single 1 per output channel at its own input channel and the kernel's centre.
void make_identity(nn::Parameter& parameter, const std::string& name, const std::string& where) {
  const Shape& shape = parameter.value.shape();
  LATHE_CHECK((shape.rank() == 2 || shape.rank() == 4) && shape[0] == shape[1] &&
                  (shape.rank() == 2 || (shape[2] % 2 == 1 && shape[3] % 2 == 1)),
              where, ": parameter '", name, "' of shape ", shape.to_string(),
              " cannot be an identity map (needs out == in channels and an odd kernel)");
  parameter.value.fill(0.0F);
  const std::int64_t taps = shape.rank() == 4 ? shape[2] * shape[3] : 1;
  const std::int64_t centre = shape.rank() == 4 ? (shape[2] / 2) * shape[3] + shape[3] / 2 : 0;
  for (std::int64_t c = 0; c < shape[0]; ++c) parameter.value[(c * shape[1] + c) * taps + centre] = 1.0F;
}

void apply_edit(const EditRange& range, const ParameterEdit& edit, const std::string& where) {
  if (edit.action == ParameterEdit::Action::identity) {
    LATHE_CHECK(edit.channel < 0, where, ": an identity edit of '", edit.parameter,
                "' must cover the whole tensor");
    make_identity(*range.parameter, edit.parameter, where);
    return;
  }
  float* values = range.parameter->value.data() + range.offset;
  std::fill(values, values + range.count, 0.0F);
}

}  // namespace

void apply_edits(nn::Model& model, const std::vector<ParameterEdit>& edits, const std::string& where) {
  const ParameterIndex parameters = index_parameters(model);
  for (const ParameterEdit& edit : edits) apply_edit(range_of(parameters, model, edit, where), edit, where);
}

TemporaryRemoval::TemporaryRemoval(nn::Model& model, const AblationGroup& group) {
  const std::string where = "ablation group '" + group.name + "'";
  // Ranges first, so a bad edit fails before anything changed.
  const ParameterIndex parameters = index_parameters(model);
  std::vector<EditRange> ranges;
  for (const ParameterEdit& edit : group.edits) ranges.push_back(range_of(parameters, model, edit, where));
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const EditRange& r = ranges[i];
    const float* begin = r.parameter->value.data() + r.offset;
    saved_.push_back({r.parameter, r.offset, std::vector<float>(begin, begin + r.count)});
  }
  try {
    for (std::size_t i = 0; i < ranges.size(); ++i) apply_edit(ranges[i], group.edits[i], where);
  } catch (...) {
    restore();  // what was already changed
    saved_.clear();
    throw;
  }
}

TemporaryRemoval::~TemporaryRemoval() { restore(); }

void TemporaryRemoval::restore() noexcept {
  // Reverse order: an edit that overlaps an earlier one restores the older values last.
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
    std::copy(it->values.begin(), it->values.end(), it->parameter->value.data() + it->offset);
  }
}

}  // namespace lathe::compress::ablate
