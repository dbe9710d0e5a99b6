#include "cli/evaluate_logits.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/batch_loader.h"
#include "nn/model_placement.h"

namespace lathe::cli {

void write_logits_csv(nn::Model& model, Backend& backend, const data::Dataset& dataset, int batch_size,
                      const std::string& path) {
  const int classes = model.classes();
  std::string text = "prediction";
  for (int c = 0; c < classes; ++c) text += ",logit" + std::to_string(c);
  text += "\n";
  data::BatchLoader loader(dataset, batch_size, false, 0);
  loader.start_epoch(0);
  nn::ModelOnBackend on_backend(model, backend);
  nn::StagedBatch staged(backend);
  Tensor images;
  std::vector<std::int32_t> labels;
  char number[32];
  while (loader.next(images, labels)) {
    staged.stage(images, labels);
    const std::vector<float> logits = model.forward(backend, staged.images(), nn::RunMode{false, 0}).to_host_vector();
    for (std::size_t item = 0; item < labels.size(); ++item) {
      const float* row = logits.data() + item * static_cast<std::size_t>(classes);
      text += std::to_string(std::max_element(row, row + classes) - row);
      for (int c = 0; c < classes; ++c) {
        std::snprintf(number, sizeof(number), ",%.9g", static_cast<double>(row[c]));
        text += number;
      }
      text += "\n";
    }
  }
  on_backend.finish();
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    LATHE_CHECK(out.good(), path, ": --logits: cannot write ", temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace lathe::cli
