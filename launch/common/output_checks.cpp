#include "common/output_checks.h"

#include "common/checkpoint_data.h"
#include "data/data_config.h"
#include "io/path_checks.h"

namespace lathe::launch {

std::vector<std::string> checkpoint_run_inputs(const io::Checkpoint& base, const std::string& base_path,
                                               const std::optional<std::string>& data_path,
                                               const std::vector<std::string>& others) {
  std::vector<std::string> inputs = others;
  inputs.push_back(base_path);
  if (data_path) inputs.push_back(*data_path);
  std::string where;
  for (const std::string& file : data::data_files(checkpoint_data_config(base, base_path, data_path, where))) {
    inputs.push_back(file);
  }
  return inputs;
}

void require_outputs(const std::vector<std::string>& outputs, const std::vector<std::string>& inputs,
                     const std::string& where) {
  for (const std::string& output : outputs) io::require_output_file(output, inputs, where);
}

}  // namespace lathe::launch
