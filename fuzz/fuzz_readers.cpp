#include "fuzz_readers.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>

#include "config/yaml_document.h"
#include "core/error.h"
#include "data/hdf5_dataset.h"
#include "data/idx_reader.h"
#include "io/checkpoint_file.h"
#include "nn/layer_spec.h"
#include "nn/model.h"
#include "nn/model_checkpoint.h"
#include "nn/train_config.h"
#include "recipe/fallback.h"
#include "recipe/recipe.h"
#include "recipe/step_factory.h"

namespace lathe::fuzz {
namespace {

// The file readers take paths: each input is written to a file of this process first.
// The pid is written in a fixed width: the path's length reaches coverage (the readers
// loop over it), so a 5-digit pid and a 6-digit one took the reproducible run along two
// different courses, and a crash found in CI did not show in a local run.
std::string input_file(const char* name) {
  char pid[16];
  std::snprintf(pid, sizeof pid, "%010d", static_cast<int>(::getpid()));
  return std::string("/tmp/lathe-fuzz-") + pid + "-" + name;
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

// A lathe::Error is the expected refusal of bad input. True when `read` succeeded.
bool success_or_error(const std::function<void()>& read) {
  try {
    read();
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

bool read_config(const std::uint8_t* data, std::size_t size) {
  const std::string text = text_of(data, size);
  const bool as_train_config = success_or_error([&] {
    (void)nn::parse_train_config(config::parse_yaml_document(text, "fuzz.yaml"), "fuzz.yaml");
  });
  const bool as_model_spec =
      success_or_error([&] { const nn::Model model(nn::parse_model_spec(text, "fuzz.yaml"), 1); });
  return as_train_config || as_model_spec;
}

bool read_recipe(const std::uint8_t* data, std::size_t size) {
  const std::string text = text_of(data, size);
  const bool as_recipe = success_or_error([&] {
    const recipe::Recipe recipe = recipe::parse_recipe(text, "fuzz.yaml");
    for (const recipe::RecipeStepSpec& step : recipe.steps) {
      if (step.kind != "finetune") (void)recipe::make_compression_step(step);
    }
  });
  const bool as_fallback_chain = success_or_error([&] { (void)recipe::parse_fallback_chain(text, "fuzz.yaml"); });
  return as_recipe || as_fallback_chain;
}

bool read_idx(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return false;
  const std::size_t images = std::min<std::size_t>(size - 1, std::size_t{data[0]} * 4);
  static const std::string images_path = input_file("images.idx");
  static const std::string labels_path = input_file("labels.idx");
  write_file(images_path, data + 1, images);
  write_file(labels_path, data + 1 + images, size - 1 - images);
  return success_or_error([&] { (void)data::read_idx_pair(images_path, labels_path); });
}

bool read_hdf5_data(const std::uint8_t* data, std::size_t size) {
  static const std::string path = input_file("data.h5");
  write_file(path, data, size);
  return success_or_error([&] { (void)data::read_hdf5_dataset(path); });
}

bool read_checkpoint(const std::uint8_t* data, std::size_t size) {
  static const std::string path = input_file("checkpoint.h5");
  write_file(path, data, size);
  return success_or_error([&] {
    const io::Checkpoint checkpoint = io::read_checkpoint(path);
    (void)nn::model_from_checkpoint(checkpoint, path);
  });
}

const std::vector<NamedReader>& readers() {
  static const std::vector<NamedReader> all = {{"fuzz_config", read_config},
                                               {"fuzz_recipe", read_recipe},
                                               {"fuzz_idx", read_idx},
                                               {"fuzz_hdf5_data", read_hdf5_data},
                                               {"fuzz_checkpoint", read_checkpoint}};
  return all;
}

}  // namespace lathe::fuzz
