#include "recipe/paused_state_file.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "config/canonical_yaml.h"
#include "core/error.h"
#include "io/checkpoint_file.h"
#include "nn/model_checkpoint.h"

namespace lathe::recipe {
namespace {

constexpr const char* kFormatKey = "paused_candidate_format";
// 2: pauses inside an epoch (epoch_* numbers) and the share and hint-distillation hook
// states. Format 1 files (pauses between epochs, without those hooks) read as before.
constexpr const char* kFormat = "2";
constexpr const char* kFirstFormat = "1";
constexpr std::string_view kModel = "model/";
constexpr std::string_view kOptimizer = "optimizer/";
constexpr std::string_view kHook = "hook/";

std::string hook_prefix(std::size_t step) { return std::string(kHook) + std::to_string(step) + "/"; }

bool starts_with(const std::string& text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

// Everything the file holds but the checksum, as bytes in a fixed order: the checksum is
// FNV-1a of it, so a flipped bit anywhere is found (HDF5 alone reads damaged data as data).
std::string paused_state_checksum(const io::Checkpoint& file) {
  std::string bytes = file.model_spec_yaml;
  for (const io::NamedTensor& tensor : file.tensors) {
    bytes += tensor.name + tensor.value.shape().to_string();
    bytes.append(reinterpret_cast<const char*>(tensor.value.data()),
                 static_cast<std::size_t>(tensor.value.size()) * sizeof(float));
  }
  for (const auto& [key, number] : file.number_metadata) {
    char raw[sizeof(double)];
    std::memcpy(raw, &number, sizeof raw);
    bytes += key;
    bytes.append(raw, sizeof raw);
  }
  for (const auto& [key, text] : file.text_metadata) {
    if (key != "checksum") bytes += key + "=" + text + ";";
  }
  return config::fnv1a_hex(bytes);
}

namespace {

std::vector<std::string> texts_of(const Recipe& recipe) {
  std::vector<std::string> texts;
  for (const RecipeStepSpec& spec : recipe.steps) {
    texts.push_back(spec.kind + ": " + config::canonical_yaml_text(spec.params));
  }
  return texts;
}

class SavedState {
 public:
  SavedState(io::Checkpoint file, std::string path) : file_(std::move(file)), path_(std::move(path)) {}

  [[nodiscard]] double number(const std::string& key) const {
    const auto found = file_.number_metadata.find(key);
    LATHE_CHECK(found != file_.number_metadata.end(), path_, ": expected the number '", key,
                "' of a paused candidate, found none");
    return found->second;
  }
  [[nodiscard]] const std::string& text(const std::string& key) const {
    const auto found = file_.text_metadata.find(key);
    LATHE_CHECK(found != file_.text_metadata.end(), path_, ": expected the text '", key,
                "' of a paused candidate, found none");
    return found->second;
  }
  // Tensors and numbers under `prefix`, the prefix taken off.
  [[nodiscard]] io::Checkpoint under(std::string_view prefix) const {
    io::Checkpoint part;
    part.model_spec_yaml = file_.model_spec_yaml;
    for (const io::NamedTensor& tensor : file_.tensors) {
      if (starts_with(tensor.name, prefix)) part.tensors.emplace_back(tensor.name.substr(prefix.size()), tensor.value);
    }
    for (const auto& [key, number] : file_.number_metadata) {
      if (starts_with(key, prefix)) part.number_metadata[key.substr(prefix.size())] = number;
    }
    return part;
  }
  void expect(bool condition, const std::string& what, const std::string& saved, const std::string& now) const {
    LATHE_CHECK(condition, path_, ": the paused candidate was saved for ", what, " ", saved, ", this one has ", now);
  }
  [[nodiscard]] const io::Checkpoint& file() const { return file_; }

 private:
  io::Checkpoint file_;
  std::string path_;
};

// The part of an epoch done before a pause inside it: whole batches of this data set's
// training split, no more than an epoch holds.
nn::TrainingOptions::Continuation::PartialEpoch read_partial_epoch(const SavedState& saved,
                                                                   const nn::TrainingOptions::Continuation& at,
                                                                   std::int64_t training_items, int batch_size) {
  nn::TrainingOptions::Continuation::PartialEpoch partial;
  partial.steps = static_cast<std::int64_t>(saved.number("epoch_steps"));
  partial.loss_sum = saved.number("epoch_loss_sum");
  partial.correct = static_cast<std::int64_t>(saved.number("epoch_correct"));
  partial.seen = static_cast<std::int64_t>(saved.number("epoch_seen"));
  partial.seconds = saved.number("epoch_seconds");
  const std::int64_t steps_per_epoch = (training_items + batch_size - 1) / batch_size;
  saved.expect(partial.steps >= 1 && partial.steps < steps_per_epoch && partial.seen == partial.steps * batch_size &&
                   partial.correct >= 0 && partial.correct <= partial.seen &&
                   at.steps_done == steps_per_epoch * at.epochs_done + partial.steps,
               "a pause inside an epoch at", std::to_string(partial.steps) + " of its steps (" +
                   std::to_string(partial.seen) + " images, step " + std::to_string(at.steps_done) + " in all)",
               std::to_string(steps_per_epoch) + " steps of " + std::to_string(batch_size) + " images an epoch (" +
                   std::to_string(training_items) + " training items)");
  return partial;
}

}  // namespace

void write_paused_state(const std::string& path, PausedCandidate& paused, const Recipe& recipe) {
  LATHE_CHECK(paused.next_step > 0 && paused.next_step <= paused.steps.size(), path,
              ": only a candidate stopped part-way through its recipe is saved (next step ", paused.next_step,
              " of ", paused.steps.size(), ")");
  io::Checkpoint file;
  const io::Checkpoint model = nn::make_checkpoint(paused.model);
  file.model_spec_yaml = model.model_spec_yaml;
  for (const io::NamedTensor& tensor : model.tensors) {
    file.tensors.emplace_back(std::string(kModel) + tensor.name, tensor.value);
  }
  file.text_metadata[kFormatKey] = kFormat;
  file.text_metadata["recipe_hash"] = recipe_hash(recipe);
  file.text_metadata["seed"] = std::to_string(paused.seed);
  for (std::size_t i = 0; i < paused.step_texts.size(); ++i) {
    file.text_metadata["step_text/" + std::to_string(i)] = paused.step_texts[i];
  }
  file.number_metadata["step_texts"] = static_cast<double>(paused.step_texts.size());
  file.number_metadata["batch_size"] = paused.batch_size;
  file.number_metadata["next_step"] = static_cast<double>(paused.next_step);
  file.number_metadata["in_finetune"] = paused.in_finetune ? 1.0 : 0.0;
  if (paused.in_finetune) {
    file.number_metadata["epochs_done"] = paused.in_finetune->epochs_done;
    file.number_metadata["steps_done"] = static_cast<double>(paused.in_finetune->steps_done);
    const std::vector<Tensor>& optimizer = paused.in_finetune->optimizer_state;
    file.number_metadata["optimizer_tensors"] = static_cast<double>(optimizer.size());
    for (std::size_t i = 0; i < optimizer.size(); ++i) {
      file.tensors.emplace_back(std::string(kOptimizer) + std::to_string(i), optimizer[i]);
    }
    if (const auto& partial = paused.in_finetune->partial_epoch) {
      file.number_metadata["epoch_steps"] = static_cast<double>(partial->steps);
      file.number_metadata["epoch_loss_sum"] = partial->loss_sum;  // a double: bit for bit
      file.number_metadata["epoch_correct"] = static_cast<double>(partial->correct);
      file.number_metadata["epoch_seen"] = static_cast<double>(partial->seen);
      file.number_metadata["epoch_seconds"] = partial->seconds;
    }
  }
  for (std::size_t step = 0; step < paused.hook_states.size(); ++step) {
    if (!paused.hook_states[step]) continue;
    file.number_metadata[hook_prefix(step) + "saved"] = 1.0;
    for (const auto& [key, tensor] : paused.hook_states[step]->tensors) {
      file.tensors.emplace_back(hook_prefix(step) + key, tensor);
    }
    for (const auto& [key, number] : paused.hook_states[step]->numbers) {
      file.number_metadata[hook_prefix(step) + key] = number;
    }
  }
  file.text_metadata["checksum"] = paused_state_checksum(file);
  io::write_checkpoint(path, file);
}

std::unique_ptr<PausedCandidate> read_paused_state(const std::string& path, const io::Checkpoint& base,
                                                   const std::string& base_path, const Recipe& recipe,
                                                   const data::DataSplits& data, Backend& backend,
                                                   const EvaluatorOptions& options) {
  const SavedState saved(io::read_checkpoint(path), path);
  LATHE_CHECK(saved.file().text_metadata.contains(kFormatKey), path,
              ": expected a paused candidate (metadata '", kFormatKey, "'), found a checkpoint without it");
  LATHE_CHECK(saved.text(kFormatKey) == kFormat || saved.text(kFormatKey) == kFirstFormat, path,
              ": the paused candidate is of format ", saved.text(kFormatKey), ", this Lathe reads formats ",
              kFirstFormat, " and ", kFormat, " (a newer Lathe wrote it: continue it with that one, or delete the ",
              "file to run the candidate from its start)");
  LATHE_CHECK(saved.text("checksum") == paused_state_checksum(saved.file()), path,
              ": the paused candidate is damaged: its checksum is ", saved.text("checksum"), ", its contents give ",
              paused_state_checksum(saved.file()));
  saved.expect(saved.text("recipe_hash") == recipe_hash(recipe), "the recipe with hash", saved.text("recipe_hash"),
               recipe_hash(recipe));
  saved.expect(saved.text("seed") == std::to_string(options.seed), "seed", saved.text("seed"),
               std::to_string(options.seed));
  saved.expect(saved.number("batch_size") == options.batch_size, "batch size",
               std::to_string(static_cast<int>(saved.number("batch_size"))), std::to_string(options.batch_size));

  auto paused = std::make_unique<PausedCandidate>(
      PausedCandidate{nn::model_from_checkpoint(base, base_path), prepare_steps(recipe, base, base_path), {},
                      options.seed, options.batch_size, 0, std::nullopt, {}});
  const auto step_count = static_cast<std::size_t>(saved.number("step_texts"));
  for (std::size_t i = 0; i < step_count; ++i) paused->step_texts.push_back(saved.text("step_text/" + std::to_string(i)));
  LATHE_CHECK(paused->step_texts == texts_of(recipe), path,
              ": the paused candidate was saved for other recipe steps than this recipe's");
  const double next_step = saved.number("next_step");
  LATHE_CHECK(next_step >= 1 && next_step < static_cast<double>(recipe.steps.size()) + 1, path,
              ": expected the step it paused at in [1, ", recipe.steps.size(), "], found ", next_step);
  paused->next_step = static_cast<std::size_t>(next_step);
  LATHE_CHECK(why_not_restorable(recipe, paused->steps, paused->next_step).empty(), path, ": ",
              why_not_restorable(recipe, paused->steps, paused->next_step));

  reapply_steps(*paused, base, base_path, recipe, data, backend);
  io::Checkpoint model = saved.under(kModel);
  const std::string spec_now = nn::make_checkpoint(paused->model).model_spec_yaml;
  LATHE_CHECK(model.model_spec_yaml == spec_now, path, ": the saved model's layers are not those the recipe's ",
              "steps build on the base ", base_path);
  nn::load_weights(paused->model, model, path);

  if (saved.number("in_finetune") != 0.0) {
    nn::TrainingOptions::Continuation continuation;
    continuation.epochs_done = static_cast<int>(saved.number("epochs_done"));
    continuation.steps_done = static_cast<std::int64_t>(saved.number("steps_done"));
    const io::Checkpoint optimizer = saved.under(kOptimizer);
    const auto count = static_cast<std::size_t>(saved.number("optimizer_tensors"));
    LATHE_CHECK(optimizer.tensors.size() == count, path, ": expected ", count, " optimizer tensors, found ",
                optimizer.tensors.size());
    const std::vector<nn::Parameter*> trainable = paused->model.trainable_parameters();
    LATHE_CHECK(!trainable.empty() && (count == trainable.size() || count == 2 * trainable.size()), path,
                ": expected the state of an optimiser over ", trainable.size(), " parameters, found ", count,
                " tensors");
    for (std::size_t i = 0; i < count; ++i) {
      const io::NamedTensor& tensor = optimizer.tensors[i];
      LATHE_CHECK(tensor.name == std::to_string(i), path, ": expected optimizer/", i, ", found optimizer/", tensor.name);
      LATHE_CHECK(tensor.value.shape() == trainable[i % trainable.size()]->value.shape(), path, ": optimizer/", i,
                  ": expected shape ", trainable[i % trainable.size()]->value.shape().to_string(), ", found ",
                  tensor.value.shape().to_string());
      continuation.optimizer_state.push_back(tensor.value);
    }
    if (saved.file().number_metadata.contains("epoch_steps")) {
      continuation.partial_epoch = read_partial_epoch(saved, continuation, data.train.size(), options.batch_size);
    }
    paused->in_finetune = std::move(continuation);
  }
  paused->hook_states.assign(paused->steps.size(), std::nullopt);
  for (std::size_t step = 0; step < paused->next_step; ++step) {
    if (!saved.file().number_metadata.contains(hook_prefix(step) + "saved")) continue;
    const io::Checkpoint part = saved.under(hook_prefix(step));
    nn::HookState state;
    for (const io::NamedTensor& tensor : part.tensors) state.tensors[tensor.name] = tensor.value;
    for (const auto& [key, number] : part.number_metadata) {
      if (key != "saved") state.numbers[key] = number;
    }
    paused->hook_states[step] = std::move(state);
  }
  return paused;
}

}  // namespace lathe::recipe
